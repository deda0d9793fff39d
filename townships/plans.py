"""Plans across years (docs/policy.md §2): five-year targets with their yearly split (§2.5), a year's
plan entered by HR (§2.1, §2.2) and its adjustments during the year as dated versions (§2.6), and
the one reader of a quota: the version in force on the date of the event judged (`quota_in_force`).

Writes are services (keyword-only, atomic, refusing with Chinese messages and changing nothing);
reads are the selectors at the end."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, QuerySet

from .models import County, FiveYearPlan, FiveYearPlanYear, Line, Plan, PlanVersion, Quota, Township

# docs/policy.md §2.5: a year's plan whose rural share is further than the five-year plan's
# share_tolerance from its declared share (“约占75%”) is shown with a warning, never refused;
# this is the tolerance a five-year plan gets when none is given.
SHARE_TOLERANCE = Decimal("5")


@dataclass(frozen=True)
class YearSplit:
    """One year of a five-year target: its total; urban and rural where the document gives them."""

    year: int
    total: int
    urban: int | None = None
    rural: int | None = None


def _refuse(problems: list[str]) -> None:
    if problems:
        raise ValidationError(problems)


def five_year_split_check(
    *, first_year: int, target_urban: int, target_rural: int, years: list[YearSplit]
) -> list[str]:
    """What is wrong with a split (docs/policy.md §2.5): one row per year of the five, none
    negative, urban + rural = the year's total where both are given, and the years adding up to the
    targets (the totals always; urban and rural where every year gives them)."""
    problems = []
    wanted = list(range(first_year, first_year + 5))
    if sorted(s.year for s in years) != wanted:
        problems.append(f"年度分解须为{wanted[0]}至{wanted[-1]}年每年一行")
    for s in years:
        if min(s.total, s.urban or 0, s.rural or 0) < 0:
            problems.append(f"{s.year}年的岗位数不能为负数")
        elif s.urban is not None and s.rural is not None and s.urban + s.rural != s.total:
            problems.append(f"{s.year}年城镇{s.urban}个加乡村{s.rural}个不等于该年合计{s.total}个")
    total = sum(s.total for s in years)
    if total != target_urban + target_rural:
        problems.append(f"各年度合计{total}个，与五年目标{target_urban + target_rural}个不一致")
    for label, target, parts in (
        ("城镇", target_urban, [s.urban for s in years]),
        ("乡村", target_rural, [s.rural for s in years]),
    ):
        if all(p is not None for p in parts) and sum(parts) != target:  # type: ignore[arg-type]  # none is None here
            problems.append(f"各年度{label}合计{sum(parts)}个，与五年{label}目标{target}个不一致")  # type: ignore[arg-type]  # none is None here
    return problems


@transaction.atomic
def five_year_plan_save(
    *,
    county: County,
    first_year: int,
    title: str,
    document: str,
    target_urban: int,
    target_rural: int,
    years: list[YearSplit],
    rural_share: Decimal | None = None,
    share_tolerance: Decimal | None = None,
) -> FiveYearPlan:
    """Create or replace a county's five-year target and its yearly split (docs/policy.md §2.5).
    Refuses a split not adding up, negative numbers, and a period overlapping another of the
    county's five-year targets."""
    problems = five_year_split_check(
        first_year=first_year, target_urban=target_urban, target_rural=target_rural, years=years
    )
    if min(target_urban, target_rural) < 0:
        problems.append("五年目标不能为负数")
    if rural_share is not None and not 0 <= rural_share <= 100:
        problems.append("乡村岗位比例须在0到100之间")
    tolerance = SHARE_TOLERANCE if share_tolerance is None else share_tolerance
    if not 0 <= tolerance <= 100:
        problems.append("乡村比例允许偏差须在0到100个百分点之间")
    overlapping = county.five_year_plans.filter(
        first_year__lte=first_year + 4, last_year__gte=first_year
    ).exclude(first_year=first_year)
    for other in overlapping:
        problems.append(f"与{other.title}（{other.first_year}—{other.last_year}年）的年度重叠")
    _refuse(problems)
    plan = FiveYearPlan(
        county=county,
        first_year=first_year,
        last_year=first_year + 4,
        title=title.strip(),
        document=document.strip(),
        target_urban=target_urban,
        target_rural=target_rural,
        rural_share=rural_share,
        share_tolerance=tolerance,
    )
    plan.full_clean(validate_unique=False, validate_constraints=False)  # replaced below when it exists
    plan, _ = FiveYearPlan.objects.update_or_create(
        county=county,
        first_year=first_year,
        defaults={f: getattr(plan, f) for f in ("last_year", "title", "document", "target_urban")}
        | {"target_rural": target_rural, "rural_share": rural_share, "share_tolerance": tolerance},
    )
    plan.years.all().delete()
    for s in years:  # one by one: the audit log records each (audit.registry)
        FiveYearPlanYear.objects.create(
            five_year_plan=plan, year=s.year, total=s.total, urban=s.urban, rural=s.rural
        )
    return plan


@dataclass(frozen=True)
class PlanRow:
    """One township's row of a plan: its code and its urban and rural posts."""

    township_code: str
    urban: int
    rural: int


def rows_check(*, county: County, rows: list[PlanRow], declared_urban: int, declared_rural: int) -> list[str]:
    """What is wrong with a plan's township rows (docs/policy.md §2.2): each a township of the
    county (another county's named), none twice, every township of the county given, no negative
    number, and the rows adding up to the declared totals. Two queries."""
    problems = []
    townships = {t.code: t for t in county.townships.all()}
    codes = Counter(r.township_code for r in rows)
    elsewhere = {t.code: t for t in _townships_elsewhere(county, set(codes) - set(townships))}
    for row in rows:
        name = townships[row.township_code].name if row.township_code in townships else ""
        if row.township_code in elsewhere:
            other = elsewhere[row.township_code]
            problems.append(f"{row.township_code}是{other.county.name}的{other.name}，不属于{county.name}")
        elif not name:
            problems.append(f"{row.township_code}不是{county.name}的乡镇（街道）")
        if row.urban < 0 or row.rural < 0:
            problems.append(f"{name or row.township_code}的岗位数不能为负数")
    for code, times in codes.items():
        if times > 1:
            problems.append(f"乡镇（街道）{code}填了{times}行，每个乡镇（街道）只填一行")
    missing = [t.name for code, t in townships.items() if code not in codes]
    if missing:
        problems.append(f"缺少{county.name}的乡镇（街道）：{'、'.join(missing)}（没有岗位的填0）")
    urban, rural = sum(r.urban for r in rows), sum(r.rural for r in rows)
    if urban != declared_urban:
        problems.append(f"各乡镇（街道）城镇岗位合计{urban}个，与所列城镇合计{declared_urban}个不一致")
    if rural != declared_rural:
        problems.append(f"各乡镇（街道）乡村岗位合计{rural}个，与所列乡村合计{declared_rural}个不一致")
    return problems


def _townships_elsewhere(county: County, codes: set[str]) -> QuerySet[Township]:
    return Township.objects.filter(code__in=codes).exclude(county=county).select_related("county")


def _quotas_write(version: PlanVersion, rows: list[PlanRow]) -> None:
    """Saved one by one (a county has a few dozen townships), so that the audit log records each
    row under its township and plan (audit.registry)."""
    townships = {t.code: t for t in version.plan.county.townships.all()}
    for position, row in enumerate(rows, start=1):
        Quota.objects.create(
            plan=version.plan,
            version=version,
            township=townships[row.township_code],
            position=position,
            urban=row.urban,
            rural=row.rural,
        )


def plan_new_check(*, county: County, year: int, title: str) -> list[str]:
    """What refuses a new year's plan before its rows are read: no title, or a plan of that year
    already (an adjustment is a version of it, docs/policy.md §2.6)."""
    problems = [] if title.strip() else ["请填写计划标题"]
    if Plan.objects.filter(county=county, year=year).exists():
        problems.append(f"{county.name}{year}年已有开发计划；年度中的变动请录入计划调整")
    return problems


@transaction.atomic
def plan_enter(
    *,
    county: County,
    year: int,
    title: str,
    document: str,
    declared_urban: int,
    declared_rural: int,
    rows: list[PlanRow],
    actor: User | None,
) -> Plan:
    """A county's plan for a new year (docs/policy.md §2.1, §2.2): its version 1, in force from
    1 January. Refused when the year already has a plan (adjust it instead), a title is missing, or
    the rows fail rows_check; nothing is written then."""
    problems = plan_new_check(county=county, year=year, title=title)
    problems += rows_check(
        county=county, rows=rows, declared_urban=declared_urban, declared_rural=declared_rural
    )
    _refuse(problems)
    plan = Plan.objects.create(
        county=county,
        year=year,
        title=title.strip(),
        document=document.strip(),
        declared_urban=declared_urban,
        declared_rural=declared_rural,
    )
    version = PlanVersion.objects.create(
        plan=plan,
        number=1,
        effective_from=dt.date(year, 1, 1),
        document=plan.document,
        declared_urban=declared_urban,
        declared_rural=declared_rural,
        recorded_by=actor,
    )
    _quotas_write(version, rows)
    return plan


@transaction.atomic
def plan_adjust(
    *,
    plan: Plan,
    effective_from: dt.date,
    document: str,
    reason: str,
    declared_urban: int,
    declared_rural: int,
    rows: list[PlanRow],
    actor: User | None,
) -> PlanVersion:
    """动态调整 (docs/policy.md §2.6): a new version of the plan, in force from `effective_from`
    (in the plan's year, after the latest version's date), with its document number, reason and the
    full quota rows. A township's quota of a line is never below the places already taken there
    (the count the approval check reads, taken_counts). Every quota row of the plan is locked first,
    so an approval running at the same time is counted or waits."""
    problems = [] if document.strip() else ["请填写调整文件的文号"]
    if not reason.strip():
        problems.append("请填写调整原因")
    # Locks in the order an approval takes them: its county's row (placements.services._locked
    # selects the application with its township and county FOR NO KEY UPDATE), then the quota
    # rows; another order deadlocks with an approval (tests/townships/test_plans_race.py).
    list(County.objects.select_for_update(no_key=True).filter(pk=plan.county_id).values_list("pk"))
    list(Quota.objects.select_for_update(of=("self",)).filter(plan=plan).order_by("pk").values_list("pk"))
    latest = plan.versions.order_by("-number").first()
    if effective_from.year != plan.year:
        problems.append(f"生效日期（{effective_from}）须在{plan.year}年内")
    elif latest is not None and effective_from <= latest.effective_from:
        problems.append(
            f"生效日期（{effective_from}）须晚于第{latest.number}版的生效日期（{latest.effective_from}）"
        )
    county = plan.county
    problems += rows_check(
        county=county, rows=rows, declared_urban=declared_urban, declared_rural=declared_rural
    )
    problems += _below_taken(plan, rows)
    _refuse(problems)
    version = PlanVersion.objects.create(
        plan=plan,
        number=(latest.number if latest else 0) + 1,
        effective_from=effective_from,
        document=document.strip()[:200],
        reason=reason.strip()[:300],
        declared_urban=declared_urban,
        declared_rural=declared_rural,
        recorded_by=actor,
    )
    _quotas_write(version, rows)
    return version


def _below_taken(plan: Plan, rows: list[PlanRow]) -> list[str]:
    taken = taken_counts(plan)
    names = dict(plan.county.townships.values_list("code", "name"))
    problems = []
    for row in rows:
        for line, quota in ((Line.URBAN, row.urban), (Line.RURAL, row.rural)):
            used = taken.get((row.township_code, line), 0)
            if quota < used:
                name = names.get(row.township_code, row.township_code)
                problems.append(
                    f"{name}{Line(line).label}岗位调整为{quota}个，低于{plan.year}年已审批上岗的{used}人"
                )
    return problems


# Reads.


def taken_counts(plan: Plan) -> dict[tuple[str, str], int]:
    """Places taken in the plan's year per (township code, line): people approved onto regular
    posts and still holding them, the count the approval check compares with the quota
    (placements.services.approve_one). One query. Imported here, not at the top: the approval lives
    above the plan (townships ← posts ← placements) and this is the one count both must share."""
    from placements.models import Application
    from posts.models import Post

    taken = (
        Application.objects.filter(
            township__county=plan.county, year=plan.year, holds_post=True, post__kind=Post.Kind.REGULAR
        )
        .values("township__code", "line")
        .annotate(n=Count("id"))
    )
    return {(row["township__code"], row["line"]): row["n"] for row in taken}


def version_in_force(plan: Plan, day: dt.date) -> PlanVersion | None:
    """The plan's version in force on `day`: the latest whose date is not after it; before the
    first, version 1 (the plan covers its whole year). None for a plan without versions."""
    versions = plan.versions.order_by("-effective_from")
    return versions.filter(effective_from__lte=day).first() or versions.last()


def quota_in_force(*, township_id: int, year: int, day: dt.date, lock: bool = False) -> Quota | None:
    """The township's quota row of the year's plan as in force on `day`, the date of the event
    judged (an approval's date, a post's opening); None when the year has no plan. With `lock`,
    the township's quota rows of the year are locked (FOR UPDATE of the quota rows only) so that
    two approvals of one township queue, and an adjustment (which locks them all) waits or is
    waited for. One query (two with `lock`): a township has one row per version. The one reader
    of a quota (docs/policy.md §2.6)."""
    found = (
        Quota.objects.filter(plan__year=year, township_id=township_id)
        .annotate(start=F("version__effective_from"))
        .order_by("-start", "pk")
    )
    if lock:
        # Locked first, then read again: a statement that waited for an adjustment's lock sees
        # the rows as they were when it began; the second one sees (and locks) the new version's.
        found = found.select_for_update(of=("self",))
        list(found.values_list("pk"))
    rows = list(found)
    if not rows:
        return None
    return next((row for row in rows if row.start <= day), rows[-1])


def latest_version(plan: Plan) -> PlanVersion | None:
    return plan.versions.order_by("-number").first()


def percent(value: Decimal) -> str:
    """A percentage as people write it: 75, 58.65 (never 75.00 nor 1E+2)."""
    return format(value.quantize(Decimal("0.01")).normalize(), "f")


@dataclass(frozen=True)
class AgainstTarget:
    """A year's plan shown against its county's five-year target (docs/policy.md §2.5)."""

    five_year: FiveYearPlan
    split: FiveYearPlanYear | None
    planned: int  # this year's plan (latest version)
    so_far: int  # the five-year period's plans up to and including this year
    rural_share: Decimal | None  # this year's, in percent
    warnings: list[str]

    @property
    def so_far_share(self) -> Decimal:
        target = self.five_year.target
        return (Decimal(self.so_far) * 100 / target).quantize(Decimal("0.1")) if target else Decimal(0)


def five_year_plan_of(county: County, year: int) -> FiveYearPlan | None:
    return county.five_year_plans.filter(first_year__lte=year, last_year__gte=year).first()


def planned_totals(county: County, first_year: int, last_year: int) -> dict[int, tuple[int, int]]:
    """Each year's (urban, rural) planned, as the plan was last adjusted. Two queries."""
    plans = Plan.objects.filter(county=county, year__gte=first_year, year__lte=last_year)
    latest = {}
    for version in PlanVersion.objects.filter(plan__in=plans).select_related("plan").order_by("number"):
        latest[version.plan.year] = (version.declared_urban, version.declared_rural)
    return latest


def against_target(*, county: County, year: int, urban: int, rural: int) -> AgainstTarget | None:
    """A year's plan of `urban` + `rural` posts against the five-year target covering the year:
    the year's split, how much of the target the years so far take, and warnings (not refusals,
    docs/policy.md §2.5) for a year differing from its split, a period over its target, or a rural
    share far from the county's. None when no five-year target covers the year."""
    five = five_year_plan_of(county, year)
    if five is None:
        return None
    split = five.years.filter(year=year).first()
    planned = planned_totals(county, five.first_year, year)
    planned[year] = (urban, rural)
    so_far = sum(u + r for u, r in planned.values())
    share = (Decimal(rural) * 100 / (urban + rural)).quantize(Decimal("0.01")) if urban + rural else None
    warnings = []
    if split is not None and urban + rural != split.total:
        warnings.append(f"{year}年计划{urban + rural}个，与五年目标的年度分解{split.total}个不同")
    if so_far > five.target:
        warnings.append(f"{five.first_year}年至{year}年计划合计{so_far}个，超过五年目标{five.target}个")
    tolerance = five.share_tolerance
    if five.rural_share is not None and share is not None and abs(share - five.rural_share) > tolerance:
        warnings.append(
            f"乡村岗位占{percent(share)}%，与{five.title}约占{percent(five.rural_share)}%的要求"
            f"相差超过{percent(tolerance)}个百分点"
        )
    return AgainstTarget(five, split, urban + rural, so_far, share, warnings)


def five_year_plans_load(*, data: list[dict]) -> list[FiveYearPlan]:
    """The five-year targets of the fixture (fixtures/five_year_plans.json), idempotent."""
    return [
        five_year_plan_save(
            county=County.objects.get(code=item["county"]),
            first_year=item["first_year"],
            title=item["title"],
            document=item["document"],
            target_urban=item["target"]["urban"],
            target_rural=item["target"]["rural"],
            rural_share=Decimal(item["rural_share"]) if item.get("rural_share") else None,
            years=[YearSplit(y["year"], y["total"], y.get("urban"), y.get("rural")) for y in item["years"]],
        )
        for item in data
    ]
