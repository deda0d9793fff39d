"""Searches by ID number stay out of addresses.

A list's search form posts; the view answers with a redirect to the list's address, where a
search holding six or more digits (an ID number or its prefix, a bank account) is replaced by a
token kept in the user's session. The list's parameters keep the token, so every link the page
builds (pages, sorting, exports, the background export's address) carries it; only the selector
(common.listing.Listing.queryset) and the search box read the number back (`revealed`)."""

import re
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

SEARCH = "q"
TOKEN = "~"
KEPT = 20  # searches remembered per session
DIGITS = re.compile(r"[0-9]{6,}")
_searches: ContextVar[dict[str, str] | None] = ContextVar("searches", default=None)


def hide(request: HttpRequest, text: str) -> str:
    """`text`, or a session token standing for it when it holds a number."""
    if not DIGITS.search(text):
        return text
    kept = request.session.get("searches", {})
    token = secrets.token_urlsafe(6)
    kept = dict(list(kept.items())[-(KEPT - 1) :]) | {token: text}
    request.session["searches"] = kept
    return TOKEN + token


def revealed(value: str) -> str:
    """The search a token stands for in this request's session ("" once forgotten); any other
    value as it is."""
    if not value.startswith(TOKEN):
        return value
    return (_searches.get() or {}).get(value[len(TOKEN) :], "")


def searchable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For list views: a posted search form comes back as a redirect to its address (numbers
    hidden); while the view runs, tokens can be read back with `revealed`."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method == "POST" and SEARCH in request.POST:
            query = request.POST.copy()
            query.pop("csrfmiddlewaretoken", None)
            query[SEARCH] = hide(request, query.get(SEARCH, "").strip())
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        token = _searches.set(request.session.get("searches", {}))
        try:  # the views render their pages inside (no deferred TemplateResponse)
            return view(request, *args, **kwargs)
        finally:
            _searches.reset(token)

    return wrapper
