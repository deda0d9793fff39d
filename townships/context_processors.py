from django.http import HttpRequest

from .access import membership_of


def membership(request: HttpRequest) -> dict:
    """Expose the signed-in user's membership (role, scope) to templates for navigation."""
    return {"membership": membership_of(request.user)}
