"""What every list page shares: search and filters read from the query string, sorting by a
whitelisted key, and exporting exactly what the list shows (its search, filters and order, every
page) to .xlsx through the one safe writer.

A list describes itself once, as a Listing: the selector that reads it for a user, the filters
it takes, its sort options and its export columns. The page, the direct download and the
background export (workspace.jobs) all go through `Listing.queryset`, so they cannot disagree.
Sort options name only orders an index serves, so a sorted page of a county's 100,000 rows is
still an index range, not a sort of the whole table."""

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import timezone

from .search import revealed
from .xlsx import Sheet, write_workbook

# Up to this many rows a list downloads at once; above, the export runs in the background.
DIRECT_EXPORT_LIMIT = 5_000
CHUNK = 2000


@dataclass(frozen=True)
class Sort:
    label: str
    order_by: tuple[str, ...]


@dataclass(frozen=True)
class Listing:
    name: str  # names the list to the background export (workspace.jobs)
    title: str
    query: Callable[..., QuerySet]  # a selector: query(user=…, **filters)
    filters: tuple[str, ...]  # query-string parameters passed to the selector
    columns: list[tuple[str, Callable[[Any], Any]]]  # header, value of one object
    sorts: dict[str, Sort]  # URL key → order; "-key" sorts the other way
    default: str
    money_columns: set[int] = field(default_factory=set)
    # Turns a chunk of objects into what the columns read (say, the rows a page renders).
    prepare: Callable[[list], list] | None = None
    # Who may have the list (its page and its exports); empty: anyone with a role.
    roles: tuple[str, ...] = ()

    def params(self, data: QueryDict | dict[str, str]) -> dict[str, str]:
        """The list's parameters from a query string: its filters and a valid sort key. NUL
        characters are dropped: no stored text has one, and PostgreSQL refuses a query with one."""
        params = {name: str(data.get(name, "")).replace("\x00", "").strip() for name in self.filters}
        key = str(data.get("sort", ""))
        params["sort"] = key if key.lstrip("-") in self.sorts else self.default
        return params

    def queryset(self, user: Any, params: dict[str, str]) -> QuerySet:
        """What the list shows to `user` for `params` (from `self.params`), in its order."""
        # a search by number arrives as a session token (common.search): read back only here
        found = self.query(user=user, **{name: revealed(params.get(name, "")) for name in self.filters})
        key = params["sort"]
        order = self.sorts[key.lstrip("-")].order_by
        if key.startswith("-"):
            order = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in order)
        return found.order_by(*order)

    def rows(self, objects: QuerySet, progress: Callable[[int], None] | None = None) -> Iterator[list]:
        """Export rows, a chunk at a time; `progress` hears the rows done after each chunk."""
        chunk: list = []
        done = 0
        for obj in objects.iterator(chunk_size=CHUNK):
            chunk.append(obj)
            if len(chunk) == CHUNK:
                yield from self._chunk_rows(chunk)
                done += len(chunk)
                chunk = []
                if progress:
                    progress(done)
        yield from self._chunk_rows(chunk)

    def _chunk_rows(self, chunk: list) -> Iterator[list]:
        for source in self.prepare(chunk) if self.prepare else chunk:
            yield [value(source) for _, value in self.columns]

    def write(
        self, objects: QuerySet, target: str | IO[bytes], subtitle: str = "", progress: Callable | None = None
    ) -> int:
        sheet = Sheet(
            name=self.title,
            title=self.title,
            subtitle=subtitle or f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}",
            headers=[header for header, _ in self.columns],
            rows=self.rows(objects, progress),
            money_columns=self.money_columns,
            widths={i: 18 for i in range(len(self.columns))},
        )
        return write_workbook(target, [sheet])

    def filename(self) -> str:
        return f"{self.title}{timezone.localdate():%Y%m%d}.xlsx"


def wants_export(request: HttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"


def export(request: HttpRequest, listing: Listing, params: dict[str, str], objects: QuerySet) -> HttpResponse:
    """The list as an .xlsx download when small; otherwise off to the background export, whose
    page shows its progress and offers the file when it is done."""
    if objects.order_by()[: DIRECT_EXPORT_LIMIT + 1].count() > DIRECT_EXPORT_LIMIT:
        query = urlencode({"list": listing.name, **{k: v for k, v in params.items() if v}})
        return HttpResponseRedirect(f"{reverse('workspace:export-new')}?{query}")
    buffer = io.BytesIO()
    listing.write(objects, buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=listing.filename())  # type: ignore[return-value]  # views return the download as their response (an HttpResponseBase)


def query_string(params: dict[str, str], **changes: str) -> str:
    """The list's current parameters with some changed (empty values dropped), for links."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v})
