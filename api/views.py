"""The read-only interface (docs/policy.md §13.5): each view is a county of the token's
(another county answers 404), its rows through the scoping gate (townships.access), and one
audit entry per call naming the endpoint and the rows returned."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, pagination
from rest_framework.request import Request
from rest_framework.response import Response

from audit import record as audit
from audit.context import acting_as
from common.client import client_address
from placements.selectors import active_placements
from posts.models import Post
from subsidies.models import PayrollRun
from subsidies.selectors import payroll_lines, township_totals
from townships.access import get_county_or_404, has_role, scope_by_county, scope_by_township
from townships.models import County, Role

from .serializers import (
    PayrollLineSerializer,
    PersonOnPostSerializer,
    PostSerializer,
    TownshipTotalSerializer,
)

VIA = "接口"


class Cursor(pagination.CursorPagination):
    """Pages of 100 rows by id (an index range), ?page_size= up to 500."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class CountyList(generics.ListAPIView):
    """A county's rows, paged. Subclasses give `rows(county)`, `what` and `full_roles`."""

    pagination_class = Cursor
    what = ""
    full_roles: tuple[str, ...] = ()  # roles that see whole ID and bank numbers, as on their pages

    def rows(self, county: County) -> QuerySet[Any]:
        raise NotImplementedError

    def full(self) -> bool:
        return has_role(self.request.user, *self.full_roles)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "full": self.full()}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        county = get_county_or_404(request.user, kwargs["county"])
        with acting_as(request.user, VIA, client_address(request)):
            page = self.paginate_queryset(self.rows(county))
            data = self.get_serializer(page, many=True).data
            note = f"接口：{self.what}{'（含完整身份证号）' if self.full() else ''}"
            audit.access(county, note, rows=len(page))
            return self.get_paginated_response(data)


class PostList(CountyList):
    """The county's posts in the token's scope; ?township=<code>, ?status=vacant|filled|closed."""

    serializer_class = PostSerializer
    what = "岗位"

    def rows(self, county: County) -> QuerySet[Post]:
        posts = scope_by_township(self.request.user, Post.objects.filter(township__county=county))
        if code := self.request.query_params.get("township", ""):
            posts = posts.filter(township__code=code)
        if status := self.request.query_params.get("status", ""):
            posts = posts.filter(status=status)
        return posts.select_related("township", "village", "duty")


class PeopleOnPostList(CountyList):
    """The county's holders on post today; ID numbers whole for HR and finance tokens."""

    serializer_class = PersonOnPostSerializer
    what = "在岗人员"
    full_roles = (Role.HR, Role.FINANCE)

    def rows(self, county: County) -> QuerySet[Any]:
        placements = active_placements(user=self.request.user).filter(township__county=county)
        if code := self.request.query_params.get("township", ""):
            placements = placements.filter(township__code=code)
        return placements.select_related("person", "township", "post__village")


def run_of(request: Request, county: County, month: str) -> PayrollRun:
    """The county's payroll run of `month` (YYYY-MM), or 404."""
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError as exc:
        raise Http404("月份格式应为 YYYY-MM") from exc
    run = scope_by_county(request.user, PayrollRun.objects.filter(county=county, month=first)).first()
    if run is None:
        raise Http404("没有这个月的补贴核算")
    return run


class PayrollLineList(CountyList):
    """The lines of a county's month; ID and bank numbers whole for finance tokens only (as the
    payroll workbook: docs/policy.md §13.1)."""

    serializer_class = PayrollLineSerializer
    what = "补贴明细"
    full_roles = (Role.FINANCE,)

    def rows(self, county: County) -> QuerySet[Any]:
        run = run_of(self.request, county, self.kwargs["month"])
        return payroll_lines(
            user=self.request.user, run=str(run.pk), township=self.request.query_params.get("township", "")
        )

    def paginate_queryset(self, queryset: QuerySet[Any]) -> Any:
        return super().paginate_queryset(
            queryset.select_related(None).select_related("township", "placement__person")
        )


class PayrollTotals(generics.GenericAPIView):
    """A county's month per township: people paid and the amounts of each party, from the stored
    lines (subsidies.selectors.township_totals, as the run page)."""

    serializer_class = TownshipTotalSerializer
    pagination_class = None

    @extend_schema(responses=TownshipTotalSerializer(many=True))
    def get(self, request: Request, county: str, month: str) -> Response:
        found = get_county_or_404(request.user, county)
        with acting_as(request.user, VIA, client_address(request)):
            run = run_of(request, found, month)
            rows = township_totals(run, request.user)
            audit.access(found, f"接口：补贴汇总 {month}", rows=len(rows))
            return Response(
                {
                    "county": found.code,
                    "month": month,
                    "state": run.state,
                    "townships": self.get_serializer(rows, many=True).data,
                }
            )
