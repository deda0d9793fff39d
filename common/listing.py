"""What every list page shares: sorting by a whitelisted key, and exporting exactly what the
list shows (its search, filters and order, every page) to .xlsx through the one safe writer.

A list describes itself once, as a Listing: its export columns and its sort options. Sort
options name only orders an index serves, so a sorted page of a county's 100,000 rows is still
an index range, not a sort of the whole table."""

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils import timezone

from .xlsx import Sheet, write_workbook

# Above this many rows the list asks the user to narrow it (the export is built in the request).
EXPORT_LIMIT = 50_000
CHUNK = 2000


@dataclass(frozen=True)
class Sort:
    label: str
    order_by: tuple[str, ...]


@dataclass(frozen=True)
class Listing:
    title: str
    columns: list[tuple[str, Callable[[Any], Any]]]  # header, value of one object
    sorts: dict[str, Sort]  # URL key → order; "-key" sorts the other way
    default: str
    money_columns: set[int] = field(default_factory=set)
    # Turns a chunk of objects into what the columns read (say, the rows a page renders).
    prepare: Callable[[list], list] | None = None

    def sort_key(self, request: HttpRequest) -> str:
        """The requested sort if the list offers it (either direction), else the default."""
        key = request.GET.get("sort", "")
        return key if key.lstrip("-") in self.sorts else self.default

    def ordered(self, queryset: QuerySet, key: str) -> QuerySet:
        sort = self.sorts[key.lstrip("-")]
        if key.startswith("-"):
            return queryset.order_by(*(f[1:] if f.startswith("-") else f"-{f}" for f in sort.order_by))
        return queryset.order_by(*sort.order_by)

    def rows(self, objects: QuerySet) -> Iterator[list]:
        chunk: list = []
        for obj in objects.iterator(chunk_size=CHUNK):
            chunk.append(obj)
            if len(chunk) == CHUNK:
                yield from self._chunk_rows(chunk)
                chunk = []
        yield from self._chunk_rows(chunk)

    def _chunk_rows(self, chunk: list) -> Iterator[list]:
        for source in self.prepare(chunk) if self.prepare else chunk:
            yield [value(source) for _, value in self.columns]


def wants_export(request: HttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"


def export_response(listing: Listing, objects: QuerySet, subtitle: str = "") -> FileResponse:
    """The whole filtered, ordered list as an .xlsx download (count checked by the caller)."""
    buffer = io.BytesIO()
    sheet = Sheet(
        name=listing.title,
        title=listing.title,
        subtitle=subtitle or f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}",
        headers=[header for header, _ in listing.columns],
        rows=listing.rows(objects),
        money_columns=listing.money_columns,
        widths={i: 18 for i in range(len(listing.columns))},
    )
    write_workbook(buffer, [sheet])
    buffer.seek(0)
    filename = f"{listing.title}{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(buffer, as_attachment=True, filename=filename)


def too_many_to_export(objects: QuerySet) -> str | None:
    """Why the list cannot be exported at once, or None. Counts at most EXPORT_LIMIT + 1 rows."""
    if objects.order_by()[: EXPORT_LIMIT + 1].count() > EXPORT_LIMIT:
        return f"超过一次导出的上限{EXPORT_LIMIT:,}行，请按乡镇、类别等条件缩小范围后再导出。"
    return None


def query_string(params: dict[str, str], **changes: str) -> str:
    """The list's current parameters with some changed (empty values dropped), for links."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v})
