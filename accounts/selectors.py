"""The users a county administrator manages: those whose membership lies in a county they see
(townships.access.visible_counties: their own, or all for an administrator without one)."""

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from townships.access import AnyUser, visible_counties


def managed_users(actor: AnyUser) -> QuerySet[User]:
    """Users of the actor's counties, county roles and township clerks alike, with their role
    and scope (one query with the joins)."""
    counties = visible_counties(actor)
    return (
        User.objects.filter(Q(membership__county__in=counties) | Q(membership__township__county__in=counties))
        .select_related("membership__county", "membership__township", "account")
        .order_by("membership__township__code", "username")
    )


def get_managed_user_or_404(actor: AnyUser, pk: int) -> User:
    return get_object_or_404(managed_users(actor), pk=pk)
