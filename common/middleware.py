"""NUL characters are taken out of every query parameter and form field, in one place.

No text we store or search for has one, browsers never type one, and PostgreSQL refuses any
query or row that carries one (an error page, where SQLite would store it). Stripping them here,
before any view runs, covers the forms, the values views read directly (?township=, ?county=),
the services they call and the admin alike; refusing the request instead would turn an invisible
character pasted with a name into an error page. Django's form fields keep refusing NUL too, but
only for the values that pass through a form, which is why that is not the one place.

Listed after CsrfViewMiddleware, which has read (parsed) the POST body already, so replacing the
parsed body here changes nothing about when or how an upload is read."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict

NUL = "\x00"


def _without_nul(data: QueryDict) -> QueryDict:
    if not any(NUL in key or any(NUL in v for v in values) for key, values in data.lists()):
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(key.replace(NUL, ""), [v.replace(NUL, "") for v in values])
    cleaned._mutable = False
    return cleaned


class StripNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, *args: object) -> None:
        request.GET = _without_nul(request.GET)  # type: ignore[assignment]  # the stubs type request.GET as immutable; Django assigns QueryDicts
        if request.method == "POST":
            request.POST = _without_nul(request.POST)  # type: ignore[assignment]  # the stubs type request.POST as immutable; Django assigns QueryDicts
