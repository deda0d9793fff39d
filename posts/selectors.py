"""Reads about posts: the plan against posts filled."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q, QuerySet

from townships.access import scope_by_township, township_pk
from townships.models import FiveYearPlan, Line, Plan, PlanVersion, Quota, Township
from townships.plans import latest_version

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
    version: PlanVersion | None = None
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
    """The plan's rows for the given townships as last adjusted (its latest version, docs/policy.md
    §2.6), in the document's order, with the regular posts filled and vacant (opened, not filled).
    Three queries whatever the number of townships."""
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
    report = PlanReport(plan=plan, version=latest_version(plan))
    quotas = Quota.objects.filter(version=report.version, township__in=townships).select_related("township")
    for quota in quotas:
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


# The five-year report (docs/policy.md §2.5).


@dataclass(frozen=True)
class FiveYearRow:
    """A year of a five-year target: the split's number, the plan (as last adjusted), the regular
    posts filled and vacant. `planned` is None for a year without a plan."""

    year: int
    target: int
    planned: int | None
    filled: int
    vacant: int


@dataclass
class FiveYearReport:
    five_year: FiveYearPlan
    years: list[FiveYearRow] = field(default_factory=list)
    # per township: its code, name and (planned, filled) per year of the five
    townships: list[tuple[str, str, list[tuple[int | None, int]]]] = field(default_factory=list)

    @property
    def totals(self) -> FiveYearRow:
        return FiveYearRow(
            year=0,
            target=sum(r.target for r in self.years),
            planned=sum(r.planned or 0 for r in self.years),
            filled=sum(r.filled for r in self.years),
            vacant=sum(r.vacant for r in self.years),
        )


def five_year_report(*, five_year: FiveYearPlan, townships: QuerySet[Township]) -> FiveYearReport:
    """Per year of the target: the split, the plan as last adjusted, filled and vacant regular
    posts; per township the same over the years. For the given townships (a clerk's one, a
    county's all). Four queries whatever the number of years and townships."""
    years = range(five_year.first_year, five_year.last_year + 1)
    split = dict(five_year.years.values_list("year", "total"))
    latest: dict[int, int] = {}
    for pk, year in (
        PlanVersion.objects.filter(plan__county=five_year.county, plan__year__in=years)
        .order_by("number")
        .values_list("pk", "plan__year")
    ):
        latest[year] = pk
    planned: dict[tuple[int, int], int] = {}
    for township_id, version_id, urban, rural in Quota.objects.filter(
        version_id__in=latest.values(), township__in=townships
    ).values_list("township_id", "version_id", "urban", "rural"):
        year = next(y for y, v in latest.items() if v == version_id)
        planned[(township_id, year)] = urban + rural
    filled, vacant = Q(status=Post.Status.FILLED), Q(status=Post.Status.VACANT)
    counts = {
        (row["township_id"], row["year"]): (row["filled"], row["vacant"])
        for row in Post.objects.filter(township__in=townships, year__in=years, kind=Post.Kind.REGULAR)
        .values("township_id", "year")
        .annotate(filled=Count("id", filter=filled), vacant=Count("id", filter=vacant))
    }
    report = FiveYearReport(five_year=five_year)
    for year in years:
        got = [v for (_, y), v in counts.items() if y == year]
        in_plan = [n for (_, y), n in planned.items() if y == year]
        report.years.append(
            FiveYearRow(
                year=year,
                target=split.get(year, 0),
                planned=sum(in_plan) if year in latest else None,
                filled=sum(f for f, _ in got),
                vacant=sum(v for _, v in got),
            )
        )
    for township in townships.order_by("code"):
        cells = [
            (planned.get((township.pk, y)) if y in latest else None, counts.get((township.pk, y), (0, 0))[0])
            for y in years
        ]
        report.townships.append((township.code, township.name, cells))
    return report


def five_year_tables(report: FiveYearReport) -> tuple[list[str], list[list], list, list[str], list[list]]:
    """The two tables of the five-year report as the page and the xlsx show them: per year
    (headers, rows, totals) and per township over the years (headers, rows)."""
    headers = ["年度", "五年目标分解", "年度计划", "已上岗", "空岗"]

    def cells(r: FiveYearRow) -> list:
        return [
            str(r.year) if r.year else "合计",
            r.target,
            "" if r.planned is None else r.planned,
            r.filled,
            r.vacant,
        ]

    years = [r.year for r in report.years]
    town_headers = ["乡镇（街道）代码", "镇（街道）"]
    for year in years:
        town_headers += [f"{year}年计划", f"{year}年已上岗"]
    town_rows = []
    for code, name, per_year in report.townships:
        row: list = [code, name]
        for planned, filled_count in per_year:
            row += [planned, filled_count]
        town_rows.append(row)
    return headers, [cells(r) for r in report.years], cells(report.totals), town_headers, town_rows
