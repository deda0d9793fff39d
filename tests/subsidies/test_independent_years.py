"""Three years of 东昌府区's payroll (2022-01 … 2024-12), month by month, against an independent
reckoning (issue 17): the system is driven through the services its users use (the factory and
the 新老衔接 import for the first holders, the eight steps for people who come back, the clerk's
attendance sheets, exits, renewals, a new minimum wage), every month is computed by one finance
user and approved and locked by another, and every line is compared to the fen with what
docs/policy.md §8 and §9 give, written out here (tests/subsidies/test_independent_year.py's
arithmetic: no subsidies.money, payroll or payroll_sql). Both payroll paths compute each month
(the set-based SQL path, then the Python path) and must give the same lines.

The people:
- 全年在岗: on post from 2022-01-01, the whole 36 months (to 2024-12-31).
- 再次上岗: on post 2022-03-16, exits 2023-02-10, comes back through the eight steps on
  2023-09-11: the 12 started months of the first placement (docs/policy.md §7.1: a started month
  counts as one) leave 24, so the period ends 2025-09-10, not 36 months from the return.
- 新老衔接再上岗: imported with 18 merged months (on post 2021-07-01), exits 2022-06-20, comes
  back 2023-09-11: 18 + 12 used, 6 left, to 2024-03-10 (a part month at the end).
- 协议过期: the agreement ends 2023-05-31; June and July 2023 pay nothing and say
  协议已到期未续签; renewed in August from 2023-06-01 (the day after), August pays June and July
  back (补发, within the 12 months adjustments reach, docs/policy.md §9.7).
- The minimum hourly wage rises to 18.50 from 2023-10-01, recorded in December 2023: the rural
  pay follows it (740 a month), December pays October and November's difference back.
- Part months at every start and exit, 15 of 20 days attended in March 2024.
- Assessment (docs/policy.md §8.14): a monthly scheme from May 2022 (pass mark 60, a failure
  withholds 30 %); May 2022's scores are published before May is computed, 全年在岗 fails with 52
  and is paid 70 % of each share. The 2022 bonus (docs/policy.md §9.10: by rank, at most half of
  those assessed, rank 1 gets 1,000 元) is proposed by HR and approved by finance in January 2023,
  and January 2023 pays it to the best of the year, all the district's."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from assessment import bonus, scores
from assessment.models import BonusRule, BonusTier, Score
from assessment.models import Scheme as AssessmentScheme
from assessment.scores import Entry
from people.models import Person
from placements import services, terms
from placements.migration import COLUMNS, OPTIONAL, placements_import
from placements.models import Placement
from placements.services import ReviewOutcome
from posts.models import Duty
from posts.services import announcement_publish, post_create
from subsidies import payroll
from subsidies.attendance import attendance_import
from subsidies.models import (
    Finding,
    MinimumWage,
    PayrollLine,
    PayrollRun,
    SocialInsuranceLine,
    SocialInsurancePolicy,
)
from subsidies.services import minimum_wage_saved_warnings
from tests import factories
from tests.conftest import PASSWORD, Cast
from tests.subsidies.test_independent_year import (
    NOTHING,
    ZERO,
    D,
    M,
    Money,
    corrected,
    fen,
    last_day,
    money,
    months_later,
    spread,
    times,
)
from townships.models import County, Role, Township
from townships.services import PlanRow, plan_load, user_with_membership_ensure

DONGCHANG, YANZHOU = "371502", "370812"
LIMIT = 36  # months of subsidy per person (docs/policy.md §7.1)
WINDOW = 12  # adjustments reach the locked months of the 12 before (docs/policy.md §9.7)
ONE_DAY = dt.timedelta(days=1)
# Months computed a second time before approval (the store compares and must change nothing): a
# lapse's back-pay, the minimum wage's back-pay, a part month at the end of a period.
RECOMPUTED = {D(2023, 8, 1), D(2023, 12, 1), D(2024, 3, 1)}
MONTHS = [D(year, month, 1) for year in (2022, 2023, 2024) for month in range(1, 13)]


# --- docs/policy.md §8 and §9, reckoned independently --------------------------------------------


@dataclass
class Rural:
    """东昌府区 rural (docs/policy.md §8.2, §8.4): the minimum hourly wage in force that month
    × 2 h × 20 days a month; the province 4,000 a person-year, the city 40% of the rest, the
    district the remainder; 20 required days. `wages`: (from, hourly) as the county has recorded
    them so far."""

    wages: list[tuple[dt.date, M]] = field(default_factory=lambda: [(D(2021, 10, 1), M("17.00"))])
    required_days: int = 20

    def hourly(self, first: dt.date) -> M:
        return max((w for w in self.wages if w[0] <= first), key=lambda w: w[0])[1]

    def full_month(self, first: dt.date) -> tuple[M, M, M]:
        annual = fen(self.hourly(first) * 2 * 20) * 12
        province = M(4000)
        city = fen((annual - province) * 40 / 100)
        m = first.month
        return spread(annual, m), spread(province, m), spread(city, m)


@dataclass
class Annual:
    """兖州区 rural (docs/policy.md §8.2, §8.3): 10,000 a person-year, province 40%, city 20%, the district
    the rest; 20 required days (the seeded county setting)."""

    annual: M = M(10000)
    province: M = M(4000)
    city: M = M(2000)
    required_days: int = 20

    def full_month(self, first: dt.date) -> tuple[M, M, M]:
        return tuple(spread(a, first.month) for a in (self.annual, self.province, self.city))  # type: ignore[return-value]


@dataclass
class Urban:
    """东昌府区 urban (docs/policy.md §8.1): 1,700 a month, all of it the district's; 22 required days."""

    monthly: M = M("1700.00")
    required_days: int = 22

    def full_month(self, first: dt.date) -> tuple[M, M, M]:
        return self.monthly, ZERO, ZERO


Scheme = Rural | Annual | Urban
Rates = tuple[M, M, M, M | None]  # pension, medical, unemployment, injury (None: not subsidised)


@dataclass
class Insurance:
    """The social-insurance subsidy of urban holders (docs/policy.md §8.13) as the county records it:
    (from, base, rates as fractions, party), the latest start on the month's first day in force."""

    policies: list[tuple[dt.date, M, Rates, str]]

    def in_force(self, first: dt.date) -> tuple[M, Rates, str] | None:
        started = [p for p in self.policies if p[0] <= first]
        return max(started, key=lambda p: p[0])[1:] if started else None


def started_months(start: dt.date, end: dt.date) -> int:
    """Months on post, a started month counting as one (docs/policy.md §7.1)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


@dataclass
class Stint:
    """One placement of a person as the test knows it; the helpers change it and the database
    together."""

    on_post: dt.date
    agreements: list[tuple[dt.date, dt.date]]
    prior_months: int = 0
    exit: dt.date | None = None
    marks: dict[dt.date, tuple[int, bool]] = field(default_factory=dict)  # month: (days, withheld)
    placement: Placement = field(kw_only=True)
    failed: dict[dt.date, M] = field(default_factory=dict)  # month: the share a failed assessment withholds


@dataclass
class Holder:
    name: str
    stints: list[Stint] = field(default_factory=list)

    @property
    def person(self) -> Person:
        return self.stints[0].placement.person


def subsidy_end(holder: Holder, stint: Stint) -> dt.date:
    """docs/policy.md §7.1: 36 months from the on-post date, less the months used before: the merged
    months and, for every earlier placement of the person, its merged months and months on post."""
    used = stint.prior_months
    for earlier in holder.stints:
        if earlier.on_post < stint.on_post:
            assert earlier.exit is not None
            used += earlier.prior_months + started_months(earlier.on_post, earlier.exit)
    return months_later(stint.on_post, LIMIT - used) - ONE_DAY


def agreed(stint: Stint) -> tuple[dt.date, dt.date] | None:
    """What the agreements cover: each renewal starts the day after the last one ends."""
    spans = sorted(stint.agreements)
    for before, after in zip(spans, spans[1:], strict=False):
        assert after[0] == before[1] + ONE_DAY, "the scenario's agreements follow on"
    return (spans[0][0], spans[-1][1]) if spans else None


def share_of(
    scheme: Scheme, holder: Holder, stint: Stint, first: dt.date
) -> tuple[int, int, int, bool] | None:
    """The month's regular line as (calendar days paid, numerator, denominator, withheld), or None:
    a day is paid while on post, within the subsidy period and under an agreement (docs/policy.md
    §8.11); rule 3 for part months and short attendance."""
    last = last_day(first)
    span = agreed(stint)
    if span is None:
        return None
    start = max(first, stint.on_post, span[0])
    end = min(last, stint.exit or last, subsidy_end(holder, stint), span[1])
    if end < start:
        return None
    days = (end - start).days + 1
    numerator, denominator = days, last.day
    mark = stint.marks.get(first)
    if mark is not None and mark[1]:
        return days, 0, denominator, True
    if mark is not None and mark[0] < scheme.required_days:
        numerator, denominator = mark[0], scheme.required_days
    return days, numerator, denominator, False


def owed(scheme: Scheme, holder: Holder, stint: Stint, first: dt.date) -> tuple[int, Money] | None:
    """The month's regular line (calendar days paid, money); a withheld month pays nothing."""
    share = share_of(scheme, holder, stint, first)
    if share is None:
        return None
    days, numerator, denominator, withheld = share
    if withheld:
        return days, NOTHING
    pay, province, city = scheme.full_month(first)
    if numerator != denominator:
        pay, province, city = (times(a, numerator, denominator) for a in (pay, province, city))
    if (
        first in stint.failed
    ):  # docs/policy.md §8.14: each amount keeps 1 − share, to the fen; the district the rest
        kept = 1 - stint.failed[first]
        pay, province, city = (fen(a * kept) for a in (pay, province, city))
    return days, (pay, province, city, pay - province - city)


def owed_money(scheme: Scheme, holder: Holder, stint: Stint, first: dt.date) -> Money:
    line = owed(scheme, holder, stint, first)
    return NOTHING if line is None else line[1]


def add(a: Money, b: Money) -> Money:
    return tuple(x + y for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def minus(a: Money, b: Money) -> Money:
    return tuple(x - y for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def month_back(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 - months
    return D(index // 12, index % 12 + 1, 1)


# --- The three years through the system ----------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A county as its users act in it: the township of the scenario and who does what."""

    county: County
    town: Township
    hr: User
    clerk: User
    reviewer: User  # a second clerk of the township: the village review (经办与审核须为不同人员)
    finance: User  # computes every month
    checker: User  # a second finance user: approves and locks it


def place_of(code: str, cast: Cast) -> Place:
    county = County.objects.get(code=code)
    town = Township.objects.get(code="371502101" if code == DONGCHANG else "370812001")
    suffix = "" if code == DONGCHANG else "_yz"

    def user(name: str, role: str, township: Township | None = None) -> User:
        return user_with_membership_ensure(
            username=name + suffix, password=PASSWORD, role=role, county=county, township=township
        )

    if code == DONGCHANG:
        hr, clerk, finance, checker = cast.hr, cast.clerk, cast.finance, cast.finance2
    else:
        hr, clerk = cast.hr_other_county, cast.clerk_other_county
        finance, checker = user("finance", Role.FINANCE), user("finance2", Role.FINANCE)
    return Place(county, town, hr, clerk, user("clerk_b", Role.CLERK, town), finance, checker)


@dataclass
class Years:
    place: Place
    holders: list[Holder]
    scheme: Scheme
    recomputed: set[dt.date] = field(default_factory=lambda: RECOMPUTED)  # computed twice
    paid: dict[tuple[int, dt.date], Money] = field(default_factory=dict)  # (placement, month): paid for it
    by_year: dict[tuple[int, int], Money] = field(default_factory=dict)  # (placement, year): its runs paid
    locked: dict[int, list[tuple]] = field(default_factory=dict)  # run id: its lines when locked
    line: str = "rural"  # of the holders hired
    insurance: Insurance | None = None  # urban: the social-insurance subsidy reckoned too
    insured: dict[tuple[str, int], M] = field(default_factory=dict)  # (party, year): the subsidy
    bonuses: dict[dt.date, dict[int, Money]] = field(default_factory=dict)  # run month: placement: bonus

    @property
    def county(self) -> County:
        return self.place.county

    def stints(self) -> list[tuple[Holder, Stint]]:
        return [(h, s) for h in self.holders for s in h.stints if s.placement is not None]

    def expected_adjustments(self, run_month: dt.date) -> dict[tuple[int, dt.date], tuple[str, str, Money]]:
        """Per placement and locked month of the 12 before: what today's facts give it less what
        it has been paid (its line and the adjustments made for it since)."""
        found = {}
        for back in range(1, WINDOW + 1):
            earlier = month_back(run_month, back)
            if earlier < MONTHS[0]:
                break
            for holder, stint in self.stints():
                key = (stint.placement.pk, earlier)
                diff = minus(owed_money(self.scheme, holder, stint, earlier), self.paid.get(key, NOTHING))
                if any(diff):
                    kind, label = ("back_pay", "补发") if diff[0] >= 0 else ("recovery", "扣回")
                    found[key] = (kind, f"{label}{earlier:%Y年%m月}", diff)
        return found


def line_order(line: tuple) -> tuple:
    return line[0], line[3], line[4] or D(1, 1, 1)


def lines_of(run: PayrollRun) -> list[tuple]:
    """A run's lines without their ids, in a stable order."""
    return sorted(PayrollLine.objects.filter(run=run).values_list(*LINE_FIELDS), key=line_order)


LINE_FIELDS = (
    "placement_id",
    "township_id",
    "line",
    "kind",
    "corrects_month",
    "days_on_post",
    "days_attended",
    "fraction",
    "pay",
    "province",
    "city",
    "district",
    "withheld",
    "note",
)


def snapshot(run_id: int) -> list[tuple]:
    return list(PayrollLine.objects.filter(run_id=run_id).order_by("id").values_list())


def check_insurance(years: Years, run: PayrollRun) -> None:
    """The run's social-insurance rows against docs/policy.md §8.13 read here: for each urban holder
    paid some of the month (not withheld), base × each rate to the fen, times the share of the month
    the pay takes (rule 3), each to the fen; the total their sum; the policy's party."""
    assert years.insurance is not None
    policy = years.insurance.in_force(run.month)
    wanted = {}
    for holder, stint in years.stints():
        share = share_of(years.scheme, holder, stint, run.month)
        if policy is None or share is None or share[3] or share[1] == 0:
            continue
        _, numerator, denominator, _ = share
        base, rates, party = policy
        full = [ZERO if rate is None else fen(base * rate) for rate in rates]
        parts = [a if numerator == denominator else times(a, numerator, denominator) for a in full]
        wanted[stint.placement.pk] = (base, *parts, sum(parts, ZERO), party)
    rows = SocialInsuranceLine.objects.filter(run=run)
    got = {
        r.placement_id: (r.base, r.pension, r.medical, r.unemployment, r.injury, r.total, r.party)
        for r in rows
    }
    assert got == wanted, f"{run.month:%Y-%m} social insurance"
    for amounts in wanted.values():
        payer, total = amounts[-1], amounts[-2]
        assert isinstance(payer, str) and isinstance(total, M)  # (base, *parts, total, party) above
        key = (payer, run.month.year)
        years.insured[key] = years.insured.get(key, ZERO) + total


def check_run(years: Years, run: PayrollRun) -> dict[tuple[int, dt.date], tuple[str, str, Money]]:
    """Every line of the run against the reckoning; returns the adjustments it carries."""
    lines = list(run.lines.all())
    for line in lines:
        assert line.province + line.city + line.district == line.pay, line
    regular = {x.placement_id: (x.days_on_post, money(x)) for x in lines if x.kind == "regular"}
    wanted = {
        s.placement.pk: v for h, s in years.stints() if (v := owed(years.scheme, h, s, run.month)) is not None
    }
    assert regular == wanted, f"{run.month:%Y-%m} regular lines"
    adjusted = {
        (x.placement_id, corrected(x)): (x.kind, x.note, money(x))
        for x in lines
        if x.kind not in ("regular", "bonus")
    }
    assert adjusted == years.expected_adjustments(run.month), f"{run.month:%Y-%m} adjustments"
    awarded = {x.placement_id: money(x) for x in lines if x.kind == "bonus"}
    assert awarded == years.bonuses.get(run.month, {}), f"{run.month:%Y-%m} bonus"
    assert len(adjusted) + len(awarded) == len(lines) - len(regular)
    return adjusted


def rules_lines(run: PayrollRun) -> list[tuple]:
    """The lines the rules give the run on today's facts, all townships at once (payroll.lines_for),
    as lines_of."""
    townships = list(run.county.townships.values_list("pk", flat=True))
    made = [line._asdict() for line in payroll.lines_for(run, townships)]
    return sorted((tuple(line[f] for f in LINE_FIELDS) for line in made), key=line_order)


def pay_month(years: Years, first: dt.date, monkeypatch: pytest.MonkeyPatch) -> PayrollRun:
    """Finance A computes the month, it is compared with the reckoning (and, some months, computed
    again to the same lines), refused to A's approval and lock, approved and locked by
    finance B; the ledger of what each month has been paid is brought up to date."""
    finance, checker = years.place.finance, years.place.checker
    run = payroll.compute_run(payroll.run_for(years.county, first), finance)
    assert run.state == PayrollRun.State.COMPUTED, run.error
    adjusted = check_run(years, run)
    if years.insurance is not None:
        check_insurance(years, run)
    stored = lines_of(run)
    assert rules_lines(run) == stored, f"{first:%Y-%m}: the stored lines differ from what the rules give"
    if first in years.recomputed:  # computed again: the store finds every line as it stands
        run = payroll.compute_run(run, finance)
        assert run.state == PayrollRun.State.COMPUTED, run.error
        assert lines_of(run) == stored, f"{first:%Y-%m}: a recomputation changed the lines"
    with pytest.raises(ValidationError, match="须由另一名财务人员审核"):
        payroll.approve(run, finance)
    run = payroll.approve(run, checker)
    with pytest.raises(ValidationError, match="须由另一名财务人员锁定"):
        payroll.lock(run, finance)
    run = payroll.lock(run, checker)
    assert (run.started_by, run.approved_by, run.locked_by) == (finance, checker, checker)
    for holder, stint in years.stints():
        line = owed(years.scheme, holder, stint, first)
        if line is not None:
            years.paid[(stint.placement.pk, first)] = line[1]
            key = (stint.placement.pk, first.year)
            years.by_year[key] = add(years.by_year.get(key, NOTHING), line[1])
    for (placement_id, month), (_, _, diff) in adjusted.items():
        years.paid[(placement_id, month)] = add(years.paid.get((placement_id, month), NOTHING), diff)
        key = (placement_id, first.year)
        years.by_year[key] = add(years.by_year.get(key, NOTHING), diff)
    for placement_id, award in years.bonuses.get(first, {}).items():
        key = (placement_id, first.year)
        years.by_year[key] = add(years.by_year.get(key, NOTHING), award)
    years.locked[run.pk] = snapshot(run.pk)
    return run


# --- What the users do ----------------------------------------------------------------------------

HEADERS = COLUMNS + OPTIONAL[:4]  # … 离岗日期, 离岗原因, 原月补贴标准, 初次核定日期


def hire(years: Years, holder: Holder, on_post: dt.date, agreement_until: dt.date) -> None:
    """The first placement of a person (the procedure that leads there is tested elsewhere)."""
    town = years.place.town.code
    placement = factories.placement(
        town, on_post=on_post, agreement_until=agreement_until, name=holder.name, line=years.line
    )
    holder.stints.append(Stint(on_post, [(on_post, agreement_until)], placement=placement))


def migrate(years: Years, holder: Holder, on_post: dt.date, until: dt.date, merged: int) -> None:
    """新老衔接: HR imports the holder with their merged months (原在岗月数)."""
    row = {
        "姓名": holder.name,
        "身份证号": factories.id_number("19680305"),
        "镇街代码": years.place.town.code,
        "村（社区）": "东村",
        "岗位类型": "乡村",
        "岗位类别": "公共服务类",
        "岗位名称": "村容保洁",
        "人员类别": "脱贫人口",
        "上岗日期": f"{on_post}",
        "协议开始日期": f"{on_post}",
        "协议结束日期": f"{until}",
        "原在岗月数": str(merged),
        "银行账号": "6228480012345678901",
        "开户银行": "农业银行",
        "离岗日期": "",
        "离岗原因": "",
        "原月补贴标准": "",
        "初次核定日期": "",
    }
    sheet = factories.xlsx([[row[c] for c in HEADERS]], HEADERS)
    report = placements_import(county=years.county, source=sheet, dry_run=False, actor=years.place.hr)
    assert report.imported and not report.legacy, report.problems
    placement = Placement.objects.get(person__name=holder.name, migrated=True)
    holder.stints.append(Stint(on_post, [(on_post, until)], prior_months=merged, placement=placement))


def leave(years: Years, holder: Holder, exit_date: dt.date) -> None:
    stint = holder.stints[-1]
    terms.placement_exit(
        placement=stint.placement,
        exit_date=exit_date,
        reason="voluntary",
        referral="none",
        note="离岗",
        actor=years.place.hr,
    )
    stint.exit = exit_date


def record(years: Years, holder: Holder, first: dt.date, days: int, withheld: bool = False) -> None:
    """The township clerk's attendance sheet for the month (before it is computed)."""
    sheet = factories.xlsx(
        [[holder.person.id_number, str(days), "病假", "是" if withheld else ""]],
        ["身份证号", "出勤天数", "备注", "暂停发放"],
    )
    report = attendance_import(township=years.place.town, month=first, source=sheet, actor=years.place.clerk)
    assert report.ok, report.problems
    holder.stints[-1].marks[first] = (days, withheld)


def assess(years: Years, first: dt.date, totals: dict[str, int], share: M) -> None:
    """The clerk scores the month (no village user: the clerk enters every part) and publishes it;
    the scheme (monthly, pass mark 60, `share` withheld on failure) is the county's from May 2022."""
    town = years.place.town
    AssessmentScheme.objects.get_or_create(
        county=years.county,
        valid_from=D(2022, 5, 1),
        defaults={"name": "月度考核", "pass_mark": M(60), "fail_share": share, "exit_after": 3},
    )
    sheet = scores.sheet_for(town, first)
    on_post = {
        h.name: s for h, s in years.stints() if s.on_post <= last_day(first) and (s.exit or first) >= first
    }
    assert set(on_post) == set(totals), "every holder on post is scored"
    entries = []
    for name, total in totals.items():
        village, appraisal = min(total, 30), min(max(total - 30, 0), 20)
        entries.append(
            Entry(
                on_post[name].placement.pk,
                village=M(village),
                appraisal=M(appraisal),
                township=M(total - village - appraisal),
            )
        )
        if total < 60:
            on_post[name].failed[first] = share
    scores.scores_enter(actor=years.place.clerk, sheet=sheet, entries=entries)
    scores.sheet_publish(actor=years.place.clerk, sheet=sheet)


def award_bonus(years: Years, year: int, paid_in: dt.date) -> None:
    """The year's bonus by rank: at most half of those assessed, rank 1 gets 1,000 元 (docs/policy.md
    §9.10), reckoned here from the published totals; HR proposes, finance approves."""
    rule = BonusRule.objects.create(
        county=years.county, valid_from=D(year, 1, 1), basis="rank", share=M("0.50")
    )
    BonusTier.objects.create(rule=rule, name="一等", up_to_rank=1, amount=M("1000.00"))
    totals: dict[int, list[M]] = {}
    for score in Score.objects.filter(sheet__first__year=year, sheet__state="published"):
        assert score.total is not None  # a published sheet's scores are all entered and totalled
        totals.setdefault(score.placement_id, []).append(score.total)
    averages = {pk: sum(t, M(0)) / len(t) for pk, t in totals.items()}
    best = sorted(averages, key=lambda pk: -averages[pk])[: len(averages) // 2]
    years.bonuses[paid_in] = {pk: (M("1000.00"), ZERO, ZERO, M("1000.00")) for pk in best[:1]}
    made = bonus.bonus_propose(actor=years.place.hr, county=years.county, year=year)
    bonus.bonus_approve(actor=years.place.finance, round=made)


def renew(years: Years, holder: Holder, signed_on: dt.date) -> None:
    stint = holder.stints[-1]
    agreement = terms.agreement_renew(placement=stint.placement, signed_on=signed_on, actor=years.place.clerk)
    assert agreement.start_date == stint.agreements[-1][1] + ONE_DAY  # the day after the last one
    stint.agreements.append((agreement.start_date, agreement.end_date))


def come_back(years: Years, holders: list[Holder], on_post: dt.date) -> None:
    """The eight steps again, in 2023: the county's 2023 plan, posts, an announcement, the
    application, the village's review, publicity, county approval, agreement, training, on post."""
    place = years.place
    county, town, clerk = place.county, place.town, place.clerk
    plan_load(
        county=county,
        year=2023,
        title=f"{county.name}2023年城乡公益性岗位开发计划",
        document="2023年1号",
        declared_urban=0,
        declared_rural=len(holders),
        # a plan gives every township of the county a row (docs/policy.md §2.2): the others none
        rows=[PlanRow(t.code, 0, len(holders) if t == town else 0) for t in county.townships.all()],
    )
    village, duty = town.villages.first(), Duty.objects.filter(line="rural").first()
    assert village is not None and duty is not None  # the seed has villages and rural duties
    posts = [post_create(township=town, village=village, line="rural", year=2023, duty=duty) for _ in holders]
    announcement = announcement_publish(
        county=county,
        title=f"{town.name}2023年乡村公益性岗位补充招聘公告",
        deadline=D(2023, 8, 20),
        posts=posts,
        actor=place.hr,
        on=D(2023, 8, 1),
    )
    applications = [
        services.application_create(
            person=h.person, post=post, announcement=announcement, actor=clerk, on=D(2023, 8, 7)
        )
        for h, post in zip(holders, posts, strict=True)
    ]
    services.review_record(
        village=village,
        meeting_date=D(2023, 8, 9),
        participants="村两委成员、党员代表、群众代表",
        minutes_name="评议记录.pdf",
        outcomes=[ReviewOutcome(a, True) for a in applications],
        actor=place.reviewer,
    )
    services.publicity_start(
        applications=applications, start=D(2023, 8, 10), actor=clerk, entered_on=D(2023, 8, 10)
    )
    result = services.approve(applications=applications, actor=place.hr, on=D(2023, 8, 17))
    assert not result.refused, result.refused
    for holder, application in zip(holders, applications, strict=True):
        agreement = services.agreement_sign(
            application=application, start=on_post, signed_on=D(2023, 8, 25), actor=clerk
        )
        services.training_record(
            application=application,
            date=D(2023, 9, 1),
            hours=M(8),
            content="岗位职责与安全",
            actor=clerk,
        )
        placement = services.placement_start(application=application, on_post_date=on_post, actor=clerk)
        holder.stints.append(
            Stint(on_post, [(agreement.start_date, agreement.end_date)], placement=placement)
        )


def minimum_wage_rises(years: Years, valid_from: dt.date, hourly: str) -> list[str]:
    """A new minimum wage row (as the admin saves it), and what saving it says."""
    wage = MinimumWage.objects.create(
        county=years.county,
        valid_from=valid_from,
        monthly=M("1850.00"),
        hourly=M(hourly),
        wage_class=3,
        document="鲁政字〔2023〕试算",
    )
    assert isinstance(years.scheme, Rural)  # only the rural reckoning follows the minimum wage
    years.scheme.wages.append((valid_from, M(hourly)))
    return minimum_wage_saved_warnings(wage)


def paid_by_system(placement: Placement, year: int) -> Money:
    lines = PayrollLine.objects.filter(placement=placement, run__month__year=year)
    total = NOTHING
    for line in lines:
        total = add(total, money(line))
    return total


def lapse_messages(run: PayrollRun) -> list[str]:
    return list(run.findings.filter(kind=Finding.Kind.LAPSED).values_list("message", flat=True))


# --- The tests -------------------------------------------------------------------------------------

Events = dict[dt.date, list[Callable[[], object]]]  # month: what happens before it is computed


def pay_three_years(
    years: Years, events: Events, monkeypatch: pytest.MonkeyPatch
) -> dict[dt.date, PayrollRun]:
    """2022-01 … 2024-12, each month after its events; then what the runs paid, person by person
    and year by year, and per party and year for the county, against the reckoning."""
    runs = {}
    for first in MONTHS:
        for event in events.get(first, []):
            event()
        runs[first] = pay_month(years, first, monkeypatch)
    for run_id, lines in years.locked.items():
        assert snapshot(run_id) == lines, f"the locked run {run_id} changed"
    for holder, stint in years.stints():
        for year in (2022, 2023, 2024):
            expected = years.by_year.get((stint.placement.pk, year), NOTHING)
            assert paid_by_system(stint.placement, year) == expected, (holder.name, stint.on_post, year)
    for year in (2022, 2023, 2024):
        total = NOTHING
        for line in PayrollLine.objects.filter(run__county=years.county, run__month__year=year):
            total = add(total, money(line))
        expected = NOTHING
        for (_, y), amount in years.by_year.items():
            expected = add(expected, amount) if y == year else expected
        assert total == expected, (years.county.name, year)
    return runs


def line_of(stint: Stint, month: dt.date) -> PayrollLine:
    return PayrollLine.objects.get(placement=stint.placement, run__month=month, kind="regular")


def test_three_years_of_dongchangfu_are_paid_as_the_policy_reckons(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    full, back, merged, lapsed = (Holder(n) for n in ("全年在岗", "再次上岗", "新老衔接再上岗", "协议过期"))
    years = Years(place_of(DONGCHANG, cast), [full, back, merged, lapsed], Rural())
    warnings: list[str] = []
    runs = pay_three_years(
        years,
        {
            D(2022, 1, 1): [
                lambda: hire(years, full, D(2022, 1, 1), D(2032, 12, 31)),
                lambda: migrate(years, merged, D(2021, 7, 1), D(2022, 6, 30), merged=18),
            ],
            D(2022, 3, 1): [lambda: hire(years, back, D(2022, 3, 16), D(2032, 12, 31))],
            D(2022, 5, 1): [
                lambda: assess(
                    years, D(2022, 5, 1), {"全年在岗": 52, "再次上岗": 85, "新老衔接再上岗": 70}, M("0.30")
                )
            ],
            D(2022, 6, 1): [
                lambda: hire(years, lapsed, D(2022, 6, 1), D(2023, 5, 31)),
                lambda: leave(years, merged, D(2022, 6, 20)),
            ],
            D(2023, 1, 1): [lambda: award_bonus(years, 2022, D(2023, 1, 1))],
            D(2023, 2, 1): [lambda: leave(years, back, D(2023, 2, 10))],
            D(2023, 8, 1): [lambda: renew(years, lapsed, D(2023, 8, 15))],
            D(2023, 9, 1): [lambda: come_back(years, [back, merged], D(2023, 9, 11))],
            D(2023, 12, 1): [lambda: warnings.extend(minimum_wage_rises(years, D(2023, 10, 1), "18.50"))],
            D(2024, 3, 1): [lambda: record(years, back, D(2024, 3, 1), 15)],
            D(2024, 5, 1): [lambda: renew(years, lapsed, D(2024, 5, 20))],
            D(2024, 8, 1): [lambda: renew(years, back, D(2024, 8, 20))],
        },
        monkeypatch,
    )

    # The figures written out by hand for the holder on post all three years.
    placement = full.stints[0].placement
    # May 2022 failed its assessment (52 < 60): 680 × 70 % = 476.00; May's province 333.34 × 0.7 =
    # 233.34, city 138.66 × 0.7 = 97.06, district 145.60; the year is 204.00 (100.00, 41.60, 62.40) short
    may = line_of(full.stints[0], D(2022, 5, 1))
    assert money(may) == (M("476.00"), M("233.34"), M("97.06"), M("145.60"))
    assert may.note == "考核不合格（52分），扣发30%"
    assert paid_by_system(placement, 2022) == (M("7956.00"), M("3900.00"), M("1622.40"), M("2433.60"))
    # 680 × 9 + 740 × 3 (Oct and Nov paid 680, then 60 each back in December); the city: 1,664's
    # January–September (1,248.00), then 1,952's October–December (488.00)
    assert paid_by_system(placement, 2023) == (M("8340.00"), M("4000.00"), M("1736.00"), M("2604.00"))
    assert paid_by_system(placement, 2024) == (M("8880.00"), M("4000.00"), M("1952.00"), M("2928.00"))
    # the 2022 bonus: only May was assessed, 再次上岗 ranks first (85) of three, half of three is one
    (award,) = runs[D(2023, 1, 1)].lines.filter(kind="bonus")
    assert (award.placement, money(award), award.note) == (
        back.stints[0].placement,
        (M("1000.00"), ZERO, ZERO, M("1000.00")),
        "绩效奖励：2022年度一等",
    )
    december = runs[D(2023, 12, 1)].lines.filter(placement=placement, kind="back_pay")
    assert list(
        december.order_by("corrects_month").values_list("note", "pay", "province", "city", "district")
    ) == [
        ("补发2023年10月", M("60.00"), ZERO, M("24.00"), M("36.00")),
        ("补发2023年11月", M("60.00"), ZERO, M("24.00"), M("36.00")),
    ]
    assert any("2023年10月、2023年11月" in w for w in warnings), warnings

    # The returning holder: the first placement's 12 started months count; 24 months are left.
    first_stint, second_stint = back.stints
    assert second_stint.placement.subsidy_until == D(2025, 9, 10) == subsidy_end(back, second_stint)
    assert line_of(first_stint, D(2022, 3, 1)).pay == M("350.97")  # 16/31
    assert line_of(first_stint, D(2023, 2, 1)).pay == M("242.86")  # 10/28
    assert line_of(second_stint, D(2023, 9, 1)).pay == M("453.33")  # 20/30
    short = line_of(second_stint, D(2024, 3, 1))
    assert money(short) == (M("555.00"), M("250.00"), M("122.00"), M("183.00"))  # 15/20 of 740

    # The 新老衔接 holder: 18 merged months + 12 started months of the imported placement: 6 left,
    # to 2024-03-10 (10 of March's 31 days), none after.
    old, new = merged.stints
    assert new.placement.subsidy_until == D(2024, 3, 10) == subsidy_end(merged, new)
    assert line_of(old, D(2022, 6, 1)).pay == M("453.33")
    assert line_of(new, D(2024, 3, 1)).pay == M("238.71")
    assert not PayrollLine.objects.filter(placement=new.placement, run__month__gt=D(2024, 3, 1)).exists()

    # The lapsed agreement: nothing in June and July 2023, the finding says so; August pays them back.
    held = lapsed.stints[0].placement
    message = "沙镇镇协议过期的协议已于2023年05月31日到期未续签，此后不计发补贴：请续签协议或办理退出"
    for first in (D(2023, 6, 1), D(2023, 7, 1)):
        assert not runs[first].lines.filter(placement=held).exists()
        assert lapse_messages(runs[first]) == [message]
    assert lapse_messages(runs[D(2023, 8, 1)]) == []
    august = runs[D(2023, 8, 1)].lines.filter(placement=held).order_by("kind", "corrects_month")
    assert list(august.values_list("kind", "note", "pay")) == [
        ("back_pay", "补发2023年06月", M("680.00")),
        ("back_pay", "补发2023年07月", M("680.00")),
        ("regular", "", M("680.00")),
    ]
    assert paid_by_system(held, 2023) == (M("8340.00"), M("4000.00"), M("1736.00"), M("2604.00"))


def test_three_years_of_yanzhou_are_paid_as_the_policy_reckons(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    full, back, merged, lapsed = (Holder(n) for n in ("全年在岗", "再次上岗", "新老衔接再上岗", "协议过期"))
    years = Years(
        place_of(YANZHOU, cast), [full, back, merged, lapsed], Annual(), {D(2024, 1, 1), D(2024, 5, 1)}
    )
    runs = pay_three_years(
        years,
        {
            D(2022, 1, 1): [
                lambda: hire(years, full, D(2022, 1, 1), D(2032, 12, 31)),
                lambda: migrate(years, merged, D(2021, 9, 1), D(2022, 8, 31), merged=20),
            ],
            D(2022, 2, 1): [lambda: hire(years, back, D(2022, 2, 8), D(2032, 12, 31))],
            D(2022, 4, 1): [lambda: hire(years, lapsed, D(2022, 4, 1), D(2023, 3, 31))],
            D(2022, 8, 1): [lambda: leave(years, merged, D(2022, 8, 31))],
            D(2023, 6, 1): [lambda: leave(years, back, D(2023, 6, 20))],
            D(2023, 9, 1): [lambda: come_back(years, [back, merged], D(2023, 9, 11))],
            D(2024, 2, 1): [lambda: record(years, back, D(2024, 2, 1), 10)],
            # Both agreements the lapse left out, signed at last in May 2024 (13 months on).
            D(2024, 5, 1): [
                lambda: renew(years, lapsed, D(2024, 5, 10)),
                lambda: renew(years, lapsed, D(2024, 5, 10)),
            ],
        },
        monkeypatch,
    )

    for year in (2022, 2023, 2024):
        assert paid_by_system(full.stints[0].placement, year) == (
            M("10000.00"),
            M("4000.00"),
            M("2000.00"),
            M("4000.00"),
        )

    # The returning holder: February 2022 … June 2023 are 17 started months; 19 left.
    first_stint, second_stint = back.stints
    assert second_stint.placement.subsidy_until == D(2025, 4, 10) == subsidy_end(back, second_stint)
    assert money(line_of(first_stint, D(2022, 2, 1))) == (M("625.01"), M("250.01"), M("125.00"), M("250.00"))
    assert line_of(first_stint, D(2023, 6, 1)).pay == M("555.55")  # 20/30 of 833.33
    short = line_of(second_stint, D(2024, 2, 1))
    assert money(short) == (M("416.67"), M("166.67"), M("83.33"), M("166.67"))  # 10/20

    # The 新老衔接 holder: 20 merged + 12 months of the imported placement; 4 left, to 2024-01-10.
    old, new = merged.stints
    assert new.placement.subsidy_until == D(2024, 1, 10) == subsidy_end(merged, new)
    assert line_of(new, D(2024, 1, 1)).pay == M("268.82")  # 10/31 of 833.33
    assert not PayrollLine.objects.filter(placement=new.placement, run__month__gt=D(2024, 1, 1)).exists()

    # The lapse of April 2023 … April 2024, renewed in May 2024: the 12 months before May are paid
    # back; April 2023 lies beyond the 12 months adjustments reach (docs/policy.md §9.7): never paid.
    held = lapsed.stints[0].placement
    message = (
        f"{years.place.town.name}协议过期的协议已于2023年03月31日到期未续签，"
        "此后不计发补贴：请续签协议或办理退出"
    )
    for first in MONTHS[15:28]:  # 2023-04 … 2024-04
        assert not runs[first].lines.filter(placement=held).exists(), first
        assert lapse_messages(runs[first]) == [message], first
    back_paid = runs[D(2024, 5, 1)].lines.filter(placement=held, kind="back_pay")
    assert sorted(corrected(x) for x in back_paid) == MONTHS[16:28]  # 2023-05 … 2024-04
    assert not PayrollLine.objects.filter(placement=held, corrects_month=D(2023, 4, 1)).exists()
    assert paid_by_system(held, 2023) == (M("2500.00"), M("1000.00"), M("500.00"), M("1000.00"))
    assert paid_by_system(held, 2024) == (M("16666.67"), M("6666.67"), M("3333.33"), M("6666.67"))


def test_three_years_of_dongchangfu_urban_holders_and_their_social_insurance(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Urban holders (1,700 a month) and the social-insurance subsidy of each month (docs/policy.md
    §8.13), reckoned here: the seeded example policy (base 3,500; 16 %, 7 %, 0.7 %, injury 0.4 %;
    the district), then from July 2023 a new one the county records (base 3,800, no injury, the city)."""
    full, part, short = (Holder(n) for n in ("城镇全程", "城镇中途", "城镇缺勤"))
    seeded = (D(2022, 1, 1), M("3500.00"), (M("0.16"), M("0.07"), M("0.007"), M("0.004")), "district")
    insurance = Insurance([seeded])
    years = Years(
        place_of(DONGCHANG, cast),
        [full, part, short],
        Urban(),
        {D(2023, 7, 1)},
        line="urban",
        insurance=insurance,
    )

    def new_policy() -> None:
        rates = (M("0.16"), M("0.07"), M("0.007"), None)
        SocialInsurancePolicy.objects.create(
            county=years.county,
            valid_from=D(2023, 7, 1),
            base=M("3800.00"),
            pension=rates[0],
            medical=rates[1],
            unemployment=rates[2],
            party="city",
            document="试算",
        )
        insurance.policies.append((D(2023, 7, 1), M("3800.00"), rates, "city"))

    pay_three_years(
        years,
        {
            D(2022, 1, 1): [
                lambda: hire(years, full, D(2022, 1, 1), D(2032, 12, 31)),
                lambda: hire(years, short, D(2022, 1, 1), D(2032, 12, 31)),
            ],
            D(2022, 3, 1): [lambda: hire(years, part, D(2022, 3, 16), D(2032, 12, 31))],
            D(2022, 5, 1): [lambda: record(years, short, D(2022, 5, 1), 11)],
            D(2022, 8, 1): [lambda: record(years, short, D(2022, 8, 1), 22, withheld=True)],
            D(2023, 2, 1): [lambda: leave(years, part, D(2023, 2, 10))],
            D(2023, 7, 1): [new_policy],
            D(2024, 3, 1): [lambda: record(years, full, D(2024, 3, 1), 20)],
        },
        monkeypatch,
    )

    # Written out by hand for the holder on post all three years: 843.50 a month to June 2023,
    # then 3,800 × 16 % + 7 % + 0.7 % = 900.60 borne by the city; March 2024 20/22 of it: 818.73.
    rows = SocialInsuranceLine.objects.filter(placement=full.stints[0].placement).order_by("run__month")
    totals = [r.total for r in rows]
    assert totals[:18] == [M("843.50")] * 18 and totals[18:26] == [M("900.60")] * 8
    assert totals[26] == M("818.73") and len(totals) == 36  # 552.73 + 241.82 + 24.18 (20/22; no injury)
    short_rows = {
        r.run.month: r.total for r in SocialInsuranceLine.objects.filter(placement=short.stints[0].placement)
    }
    assert short_rows[D(2022, 5, 1)] == M("421.75") and D(2022, 8, 1) not in short_rows
    # per party and year, as the cost report gives them apart from pay
    from subsidies.selectors import cost_report

    for year in (2022, 2023, 2024):
        report = cost_report(years.county, year)
        for party in ("province", "city", "district"):
            reported = sum((r[f"si_{party}"] for r in report), ZERO)
            assert reported == years.insured.get((party, year), ZERO), (year, party)
