"""Pagination for lists that may hold hundreds of thousands of rows.

An exact COUNT(*) of a county's 200,000 people costs about 100 ms on PostgreSQL, more than the
whole page may take. CappedPaginator counts at most CAP + 1 rows (a bounded index scan): below
the cap the total is exact; above it the page says "10,000 人以上" and offers the first CAP rows
page by page, and the user narrows the list by township, search or filter.

A page past the first reads its keys first and then its rows: OFFSET then skips index entries
only, not the joined rows of every page before it (page 100 of a county's applications)."""

from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

CAP = 10_000


class CappedPaginator(Paginator):
    cap = CAP

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            return rows.order_by()[: self.cap + 1].count()  # no ORDER BY: counting needs no sort
        return len(rows[: self.cap + 1])

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        if self.capped:
            return -(-self.cap // self.per_page)
        return super().num_pages

    @property
    def total_label(self) -> str:
        return f"{self.cap:,} 人以上" if self.capped else f"{self.count:,} 人"

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        rows = self.object_list
        if not isinstance(rows, QuerySet) or bottom == 0:
            return super().page(number)
        keys = list(rows.values_list("pk", flat=True)[bottom:top])
        found = {row.pk: row for row in rows.order_by().filter(pk__in=keys)}
        return self._get_page([found[key] for key in keys], number, self)  # type: ignore[attr-defined]  # Paginator._get_page exists in Django 5.2; the stubs leave it out
