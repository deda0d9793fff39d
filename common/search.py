"""Searches by ID number stay out of addresses.

A list's search form posts; the view answers with a redirect to the list's address, where a
search holding six or more digits (an ID number or its prefix, a bank account) is replaced by a
token kept in the user's session. Pages, sorting, pagination and exports then carry the token,
so the number never appears in an address, a browser history or a server's request log."""

import re
import secrets
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

SEARCH = "q"
TOKEN = "~"
KEPT = 20  # searches remembered per session
DIGITS = re.compile(r"[0-9]{6,}")


def hide(request: HttpRequest, text: str) -> str:
    """`text`, or a session token standing for it when it holds a number."""
    if not DIGITS.search(text):
        return text
    kept = request.session.get("searches", {})
    token = secrets.token_urlsafe(6)
    kept = dict(list(kept.items())[-(KEPT - 1) :]) | {token: text}
    request.session["searches"] = kept
    return TOKEN + token


def reveal(request: HttpRequest, value: str) -> str:
    """The search a token stands for ("" once the session has forgotten it)."""
    if not value.startswith(TOKEN):
        return value
    return request.session.get("searches", {}).get(value[len(TOKEN) :], "")


def searchable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For list views: a posted search form comes back as a redirect to its address (numbers
    hidden); a token in the address is read back before the view sees request.GET."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method == "POST" and SEARCH in request.POST:
            query = request.POST.copy()
            query.pop("csrfmiddlewaretoken", None)
            query[SEARCH] = hide(request, query.get(SEARCH, "").strip())
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        if request.GET.get(SEARCH, "").startswith(TOKEN):
            query = request.GET.copy()
            query[SEARCH] = reveal(request, query[SEARCH])
            request.GET = query
        return view(request, *args, **kwargs)

    return wrapper
