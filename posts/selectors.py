"""Reads about posts: the plan against posts filled."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q, QuerySet

from townships.access import scope_by_township, township_pk
from townships.models import Line, Plan, Township

from .models import Post


@dataclass(frozen=True)
class PlanReportRow:
    code: str
    name: str
    urban: int
    rural: int
    filled_urban: int
    filled_rural: int
    vacant_urban: int = 0
    vacant_rural: int = 0

    @property
    def total(self) -> int:
        return self.urban + self.rural

    @property
    def filled(self) -> int:
        return self.filled_urban + self.filled_rural

    @property
    def vacant(self) -> int:
        return self.vacant_urban + self.vacant_rural


@dataclass
class PlanReport:
    plan: Plan
    rows: list[PlanReportRow] = field(default_factory=list)

    @property
    def totals(self) -> PlanReportRow:
        return PlanReportRow(
            code="",
            name="合计",
            urban=sum(r.urban for r in self.rows),
            rural=sum(r.rural for r in self.rows),
            filled_urban=sum(r.filled_urban for r in self.rows),
            filled_rural=sum(r.filled_rural for r in self.rows),
            vacant_urban=sum(r.vacant_urban for r in self.rows),
            vacant_rural=sum(r.vacant_rural for r in self.rows),
        )


def post_list(
    *, user: User | AnonymousUser, q: str = "", township: str = "", line: str = "", status: str = ""
) -> QuerySet[Post]:
    """Posts in the user's scope; `q` is a post-code prefix or a village (用人单位) name."""
    posts = scope_by_township(user, Post.objects.select_related("township", "village", "duty__category"))
    if q:
        posts = posts.filter(Q(code__startswith=q.upper()) | Q(village__name=q))
    if township:
        posts = posts.filter(township_id=township_pk(user, township))  # type: ignore[misc]  # None (no such township) finds nothing
    if line:
        posts = posts.filter(line=line)
    if status in Post.Status.values:
        posts = posts.filter(status=status)
    return posts


def plan_report(*, plan: Plan, townships: QuerySet[Township]) -> PlanReport:
    """The plan's rows for the given townships, in the document's order, with the regular posts
    filled and vacant (opened, not filled). Two queries whatever the number of townships."""
    posts = Post.objects.filter(township__in=townships, year=plan.year, kind=Post.Kind.REGULAR)
    filled, vacant = Q(status=Post.Status.FILLED), Q(status=Post.Status.VACANT)
    counts = {
        row["township_id"]: row
        for row in posts.values("township_id").annotate(
            urban=Count("id", filter=filled & Q(line=Line.URBAN)),
            rural=Count("id", filter=filled & Q(line=Line.RURAL)),
            vacant_urban=Count("id", filter=vacant & Q(line=Line.URBAN)),
            vacant_rural=Count("id", filter=vacant & Q(line=Line.RURAL)),
        )
    }
    report = PlanReport(plan=plan)
    for quota in plan.quotas.filter(township__in=townships).select_related("township"):
        got = counts.get(quota.township_id, {})
        report.rows.append(
            PlanReportRow(
                code=quota.township.code,
                name=quota.township.name,
                urban=quota.urban,
                rural=quota.rural,
                filled_urban=got.get("urban", 0),
                filled_rural=got.get("rural", 0),
                vacant_urban=got.get("vacant_urban", 0),
                vacant_rural=got.get("vacant_rural", 0),
            )
        )
    return report


def plan_report_table(report: PlanReport) -> tuple[list[str], list[list], list]:
    """Headers, rows and totals row of a plan report, as the xlsx export and the page show it."""
    headers = [
        "乡镇（街道）代码",
        "镇（街道）",
        "总数",
        "城镇",
        "乡村",
        "已上岗合计",
        "城镇已上岗",
        "乡村已上岗",
        "空岗合计",
        "城镇空岗",
        "乡村空岗",
    ]

    def cells(r: PlanReportRow) -> list:
        return [
            r.code,
            r.name,
            r.total,
            r.urban,
            r.rural,
            r.filled,
            r.filled_urban,
            r.filled_rural,
            r.vacant,
            r.vacant_urban,
            r.vacant_rural,
        ]

    return headers, [cells(r) for r in report.rows], cells(report.totals)
