"""Searches by ID number: whole numbers or a name with the last digits, counted, recorded, and
kept out of addresses.

A list's search form posts; the view answers with a redirect to the list's address, where a
search holding four or more digits (an ID number or its ends, a post code) is replaced by a token kept in the
user's session. The list's parameters keep the token, so every link the page builds (pages,
sorting, exports, the background export's address) carries it; only the selector
(common.listing.Listing.queryset) and the search box read the number back (`revealed`). A number
typed into an address (a GET search) takes the same way round, so it is never searched as typed.

An ID number's masked form (`371502********1234`) hides exactly the birth date, so a search must
not reveal digits of it: a search by number is either a whole number (found exactly) or a name
with the last four characters, which the mask already shows (`id_search`); never an open prefix,
which could be walked one digit at a time. Each such search is counted per user
(ID_SEARCH_LIMIT in ID_SEARCH_WINDOW seconds, in the cache) and recorded in the audit log with
the number's masked ends (`audit.record.asked`)."""

import re
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from . import cache as site_cache
from .idcard import mask_id_number

SEARCH = "q"
TOKEN = "~"
KEPT = 20  # searches remembered per session
NUMBER_LIKE = re.compile(r"[0-9]{4,}")  # a try at an ID number (or a post code): kept out of addresses
ENDS = 4  # the last characters of a number a search may name: those the mask shows
_WHOLE = re.compile(r"[0-9]{17}[0-9X]")
_NAME_ENDS = (
    re.compile(r"(?P<name>[^\s0-9]+?)\s*(?P<ends>[0-9]{3}[0-9X])"),
    re.compile(r"(?P<ends>[0-9]{3}[0-9X])\s*(?P<name>[^\s0-9]+)"),
)
_searches: ContextVar[dict[str, str] | None] = ContextVar("searches", default=None)


@dataclass(frozen=True)
class IdSearch:
    """A search by ID number: a whole `number`, or a `name` (prefix) with the number's `ends`."""

    number: str = ""
    name: str = ""
    ends: str = ""

    @property
    def masked(self) -> str:
        """The search as the audit log names it: never more digits than the mask shows."""
        if self.number:
            return mask_id_number(self.number)
        return f"{self.name}，尾号{self.ends}"


def id_search(text: str) -> IdSearch | None:
    """`text` as a search by ID number, or None when it is not one of the two allowed shapes:
    18 characters (the last may be x or X), or a name and the last 4 characters in either order
    ("张三 1234", "1234张三")."""
    text = text.strip().replace("x", "X")
    if _WHOLE.fullmatch(text):
        return IdSearch(number=text)
    for shape in _NAME_ENDS:
        if found := shape.fullmatch(text):
            return IdSearch(name=found["name"], ends=found["ends"])
    return None


def limit_message() -> str:
    limit, window = _limits()
    return f"按身份证号查找过于频繁：每{window // 60}分钟最多{limit}次，请稍后再试，或按姓名查找。"


def number_search_allowed(user_id: int | None) -> bool:
    """Count one search by ID number (or one answer whether a number is registered elsewhere)
    for the user, and whether it stays within ID_SEARCH_LIMIT per ID_SEARCH_WINDOW seconds (a
    fixed window from the first). No user (a command run on the server): no limit. The cache
    unreachable: allowed, since each search is still in the audit log (the cache is never a
    dependency of a page)."""
    if user_id is None:
        return True
    limit, window = _limits()
    key = f"id-search:{user_id}"

    def count_one() -> int:
        cache.add(key, 0, window)
        try:
            return cache.incr(key)
        except ValueError:  # expired between the two calls: a new window
            cache.add(key, 1, window)
            return 1

    count = site_cache.call("counting an ID search", count_one, 0)
    return count <= limit


def number_search_exhausted(user_id: int | None) -> bool:
    """Whether the user has used up this window's searches by number (counting nothing). Past
    the limit every registration is refused with limit_message(), free numbers and another
    township's alike, so the refusal tells nothing about a number either."""
    if user_id is None:
        return False
    limit, _ = _limits()
    count = site_cache.call("reading ID searches", lambda: int(cache.get(f"id-search:{user_id}") or 0), 0)
    return count >= limit


def _limits() -> tuple[int, int]:
    return settings.ID_SEARCH_LIMIT, settings.ID_SEARCH_WINDOW


def hide(request: HttpRequest, text: str) -> str:
    """`text`, or a session token standing for it when it holds a number."""
    if not NUMBER_LIKE.search(text):
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


def _submitted(request: HttpRequest) -> str | None:
    """The search this request submits: a posted search form, or a number typed into the
    address (never searched as typed); None when the request only shows the list."""
    if request.method == "POST" and SEARCH in request.POST:
        return request.POST.get(SEARCH, "").strip()
    typed = request.GET.get(SEARCH, "")
    if not typed.startswith(TOKEN) and NUMBER_LIKE.search(typed):
        return typed.strip()
    return None


def _redirect(request: HttpRequest, text: str) -> HttpResponse:
    """Back to the list with the search `text` hidden; a search by ID number only within the
    user's limit, and recorded in the audit log."""
    from audit.record import asked  # the audit app reads common; common reaches it only here

    query = (request.POST if SEARCH in request.POST else request.GET).copy()
    query.pop("csrfmiddlewaretoken", None)
    search = id_search(text)
    if search is not None and not number_search_allowed(request.user.pk):
        messages.error(request, limit_message())
        text = ""
    elif search is not None:
        asked(f"按身份证号查找（{search.masked}）")
    query[SEARCH] = hide(request, text)
    return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")


def searchable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For list views: a submitted search comes back as a redirect to its address (numbers
    hidden, searches by ID number counted and recorded); while the view runs, tokens can be read
    back with `revealed`."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        text = _submitted(request)
        if text is not None:
            return _redirect(request, text)
        token = _searches.set(request.session.get("searches", {}))
        try:  # the views render their pages inside (no deferred TemplateResponse)
            return view(request, *args, **kwargs)
        finally:
            _searches.reset(token)

    return wrapper
