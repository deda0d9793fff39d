"""The payroll of 2022, month by month in both seeded counties, against an independent reckoning.

The expected lines are computed here from docs/policy.md §8 as written (Decimal, half-up to the fen),
not with subsidies.money, payroll's helpers or payroll_sql. Each month is started and computed
through payroll.compute_run, compared to the fen, approved and locked by finance; then the next
month. A ledger of what each locked month has paid (its regular line and the adjustments made for
it since) gives the 补发 / 扣回 lines that a correction of a locked month must produce
(docs/policy.md §9.7)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.contrib.auth.models import User

from placements import terms
from placements.models import Placement
from subsidies import payroll
from subsidies.attendance import attendance_import
from subsidies.models import PayrollLine, PayrollRun
from tests import factories
from tests.conftest import PASSWORD, Cast
from townships.models import County, Role, Township
from townships.services import user_with_membership_ensure

D = dt.date
M = Decimal
CENT = M("0.01")
ZERO = M("0.00")
DONGCHANG, YANZHOU = "371502", "370812"
TOWNSHIP = {DONGCHANG: "371502101", YANZHOU: "370812001"}  # the cast's clerks work there
LIMIT = 36  # months of subsidy per person (docs/policy.md §7.1)

Money = tuple[Decimal, Decimal, Decimal, Decimal]  # pay, province, city, district
NOTHING: Money = (ZERO, ZERO, ZERO, ZERO)


# --- docs/policy.md §8, reckoned independently ----------------------------------------------------


def fen(value: Decimal) -> Decimal:
    """Half-up to the fen (a wide context: no rounding happens before this one)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def times(amount: Decimal, numerator: int, denominator: int) -> Decimal:
    with localcontext() as context:
        context.prec = 60
        return fen(amount * numerator / denominator)


@dataclass(frozen=True)
class Scheme:
    """A row of the table of docs/policy.md §8.1: the pay (an annual or a monthly amount per
    person), the province's and the city's annual shares (the district takes the rest), and the
    required days of attendance."""

    province: Decimal
    city: Decimal
    required_days: int
    annual: Decimal | None = None
    monthly: Decimal | None = None


DONGCHANG_RURAL_YEAR = M(17) * 2 * 20 * 12  # 17 元/h × 2 h/day × 20 days × 12 = 8,160
SCHEMES = {
    (DONGCHANG, "rural"): Scheme(
        annual=DONGCHANG_RURAL_YEAR,
        province=M(4000),
        city=(DONGCHANG_RURAL_YEAR - 4000) * 40 / 100,  # 40% of the rest: 1,664
        required_days=20,
    ),
    (YANZHOU, "rural"): Scheme(
        # required days: our decision for 兖州区 (docs/policy.md §8.1); 20 is the seeded county setting
        annual=M(10000),
        province=M(10000) * 40 / 100,
        city=M(10000) * 20 / 100,
        required_days=20,
    ),
    (DONGCHANG, "urban"): Scheme(monthly=M(1700), province=M(0), city=M(0), required_days=22),
}


def spread(annual: Decimal, month: int) -> Decimal:
    """Rule 1: round(A·m/12) − round(A·(m−1)/12)."""
    return times(annual, month, 12) - times(annual, month - 1, 12)


def full_month(scheme: Scheme, month: int) -> tuple[Decimal, Decimal, Decimal]:
    if scheme.monthly is not None:
        pay = fen(scheme.monthly)
    else:
        assert scheme.annual is not None  # a scheme is priced by the month or by the year
        pay = spread(scheme.annual, month)
    return pay, spread(scheme.province, month), spread(scheme.city, month)


def last_day(first: dt.date) -> dt.date:
    following = D(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def months_later(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    target = D(index // 12, index % 12 + 1, 1)
    assert day.day <= last_day(target).day, "the scenarios keep month arithmetic free of clamping"
    return target.replace(day=day.day)


@dataclass
class Worker:
    """One placement as the test knows it; the helpers below change it and the database together."""

    name: str
    county: str
    line: str = "rural"
    on_post: dt.date = D(2022, 1, 1)
    prior_months: int = 0
    earlier: tuple[dt.date, dt.date] | None = None  # an ended placement of the same person
    exit: dt.date | None = None
    extended_until: dt.date | None = None
    marks: dict[dt.date, tuple[int, bool]] = field(default_factory=dict)  # month: (days, withheld)
    again: "Worker | None" = None  # the same person's earlier placement, itself paid in 2022
    held: Placement | None = None  # the placement hire() makes

    @property
    def placement(self) -> Placement:
        assert self.held is not None, f"{self.name}: hire() places every worker before the year is paid"
        return self.held

    @property
    def scheme(self) -> Scheme:
        return SCHEMES[(self.county, self.line)]


def subsidy_end(worker: Worker) -> dt.date:
    """docs/policy.md §7.1: 36 months less the months used before (merged months, earlier placements), or the
    recorded extension."""
    if worker.extended_until is not None:
        return worker.extended_until
    used = worker.prior_months
    if worker.earlier is not None:
        start, end = worker.earlier
        assert start.day == 1 and end == last_day(end.replace(day=1)), "whole months only"
        used += (end.year - start.year) * 12 + end.month - start.month + 1
    return months_later(worker.on_post, LIMIT - used) - dt.timedelta(days=1)


def owed(worker: Worker, first: dt.date) -> tuple[int, Money] | None:
    """The month's regular line as rules 1–3 give it: (calendar days on post, money), or None."""
    last = last_day(first)
    start = max(first, worker.on_post)
    end = min(last, worker.exit or last, subsidy_end(worker))
    if end < start:
        return None
    days = (end - start).days + 1
    numerator, denominator = days, last.day
    mark = worker.marks.get(first)
    if mark is not None and mark[1]:
        return days, NOTHING  # 暂停发放
    if mark is not None and mark[0] < worker.scheme.required_days:
        numerator, denominator = mark[0], worker.scheme.required_days
    pay, province, city = full_month(worker.scheme, first.month)
    if numerator != denominator:
        pay, province, city = (times(a, numerator, denominator) for a in (pay, province, city))
    return days, (pay, province, city, pay - province - city)


def owed_money(worker: Worker, first: dt.date) -> Money:
    line = owed(worker, first)
    return NOTHING if line is None else line[1]


# --- The monthly cycle through the system -------------------------------------------------------


@dataclass
class Year:
    county: County
    workers: list[Worker]
    finance: User  # computes each month
    checker: User  # a second finance user: approves and locks it
    paid: dict[tuple[str, dt.date], Money] = field(default_factory=dict)  # the ledger, per month paid for
    locked: dict[int, list[tuple]] = field(default_factory=dict)  # run id: its lines when locked


def money(line: PayrollLine) -> Money:
    return (line.pay, line.province, line.city, line.district)


def corrected(line: PayrollLine) -> dt.date:
    """The month an adjustment line (back pay, recovery) corrects: such a line always names it."""
    assert line.corrects_month is not None, line
    return line.corrects_month


def snapshot(run_id: int) -> list[tuple]:
    lines = PayrollLine.objects.filter(run_id=run_id).order_by("id")
    return list(
        lines.values_list(
            "id", "placement_id", "kind", "corrects_month", "pay", "province", "city", "district", "note"
        )
    )


def expected_adjustments(year: Year, first: dt.date) -> dict[tuple[str, dt.date], tuple[str, str, Money]]:
    """Per worker and earlier locked month: what today's facts give it less what it has been paid."""
    found = {}
    for month in range(1, first.month):
        earlier = D(first.year, month, 1)
        for worker in year.workers:
            now = owed_money(worker, earlier)
            before = year.paid.get((worker.name, earlier), NOTHING)
            diff: Money = tuple(a - b for a, b in zip(now, before, strict=True))  # type: ignore[assignment]
            if any(diff):
                kind, label = ("back_pay", "补发") if diff[0] >= 0 else ("recovery", "扣回")
                found[(worker.name, earlier)] = (kind, f"{label}{earlier:%Y年%m月}", diff)
    return found


def check_run(year: Year, run: PayrollRun) -> dict[tuple[str, dt.date], tuple[str, str, Money]]:
    """Every line of the run against the reckoning; returns the adjustments it carries."""
    names = {w.placement.pk: w.name for w in year.workers}
    lines = list(run.lines.all())
    for line in lines:
        assert line.province + line.city + line.district == line.pay, line
    regular = {names[x.placement_id]: (x.days_on_post, money(x)) for x in lines if x.kind == "regular"}
    wanted = {w.name: v for w in year.workers if (v := owed(w, run.month)) is not None}
    assert regular == wanted, f"{year.county.name} {run.month:%Y-%m} regular lines"
    adjusted = {
        (names[x.placement_id], corrected(x)): (x.kind, x.note, money(x))
        for x in lines
        if x.kind != "regular"
    }
    assert adjusted == expected_adjustments(year, run.month), (
        f"{year.county.name} {run.month:%Y-%m} adjustments"
    )
    assert len(adjusted) == len(lines) - len(regular)  # one line per placement and corrected month
    return adjusted


Events = dict[int, list[Callable[[], None]]]  # month: what happens before it is computed


def pay_the_year(year: Year, events: Events | None = None, twice: bool = False) -> None:
    """Months 1–12 of 2022: the month's events (attendance, exits, corrections), start and compute
    the run, compare it, approve and lock it; every month locked before stays as it was."""
    for month in range(1, 13):
        first = D(2022, month, 1)
        for event in (events or {}).get(month, []):
            event()
        run = payroll.compute_run(payroll.run_for(year.county, first), year.finance)
        assert run.state == PayrollRun.State.COMPUTED, run.error
        if twice:  # a re-run of an unlocked month gives the same lines, never duplicates
            before = snapshot(run.pk)
            run = payroll.compute_run(run, year.finance)
            assert snapshot(run.pk) == before
        adjusted = check_run(year, run)
        payroll.lock(payroll.approve(run, year.checker), year.checker)  # two people: computed ≠ approved
        for worker in year.workers:
            if (line := owed(worker, first)) is not None:
                year.paid[(worker.name, first)] = line[1]
        for key, (_, _, diff) in adjusted.items():
            year.paid[key] = tuple(a + b for a, b in zip(year.paid.get(key, NOTHING), diff, strict=True))  # type: ignore[assignment]
        year.locked[run.pk] = snapshot(run.pk)
        for run_id, lines in year.locked.items():
            assert snapshot(run_id) == lines, f"the locked run {run_id} changed"


def paid_in_2022(worker: Worker) -> Money:
    """What the system paid the placement in 2022's runs, all kinds of line."""
    lines = PayrollLine.objects.filter(placement=worker.placement, run__month__year=2022)
    total = [ZERO] * 4
    for line in lines:
        total = [a + b for a, b in zip(total, money(line), strict=True)]
    return tuple(total)  # type: ignore[return-value]


def finance_of(county: str, cast: Cast, second: bool = False) -> User:
    if county == DONGCHANG:
        return cast.finance2 if second else cast.finance
    return user_with_membership_ensure(
        username="finance2_yz" if second else "finance_yz",
        password=PASSWORD,
        role=Role.FINANCE,
        county=County.objects.get(code=county),
    )


def hire(*workers: Worker) -> list[Worker]:
    for w in workers:
        town = TOWNSHIP[w.county]
        who = None
        if w.again is not None:
            who = w.again.placement.person
        elif w.earlier is not None:
            old = factories.placement(town, on_post=w.earlier[0], exit_date=w.earlier[1], name=w.name)
            who = old.person
        w.held = factories.placement(
            town,
            line=w.line,
            on_post=w.on_post,
            exit_date=w.exit,
            prior_months=w.prior_months,
            name=w.name,
            who=who,
        )
    return list(workers)


def year_of(county: str, cast: Cast, *workers: Worker) -> Year:
    finance, checker = finance_of(county, cast), finance_of(county, cast, second=True)
    return Year(County.objects.get(code=county), hire(*workers), finance, checker)


def clerk_of(worker: Worker, cast: Cast) -> User:
    return cast.clerk if worker.county == DONGCHANG else cast.clerk_other_county


def record(
    cast: Cast, worker: Worker, first: dt.date, days: int, withheld: bool = False, note: str = ""
) -> None:
    """The township clerk's attendance sheet for the month (before it is computed)."""
    sheet = factories.xlsx(
        [[worker.placement.person.id_number, str(days), note, "是" if withheld else ""]],
        ["身份证号", "出勤天数", "备注", "暂停发放"],
    )
    town = Township.objects.get(code=TOWNSHIP[worker.county])
    report = attendance_import(township=town, month=first, source=sheet, actor=clerk_of(worker, cast))
    assert report.ok, report.problems
    worker.marks[first] = (days, withheld)


def correct(cast: Cast, worker: Worker, first: dt.date, days: int, withheld: bool = False) -> None:
    """A correction of a locked month's attendance through the clerk's sheet: refused without a
    reason, taken with one (the month stays as paid; a later month settles the difference)."""
    number = worker.placement.person.id_number
    headers = ["身份证号", "出勤天数", "备注", "暂停发放"]
    town = Township.objects.get(code=TOWNSHIP[worker.county])
    clerk = clerk_of(worker, cast)
    unexplained = factories.xlsx([[number, str(days), "", "是" if withheld else ""]], headers)
    refused = attendance_import(township=town, month=first, source=unexplained, actor=clerk)
    assert [p.column for p in refused.problems] == ["备注"], refused.problems
    sheet = factories.xlsx([[number, str(days), "更正", "是" if withheld else ""]], headers)
    report = attendance_import(township=town, month=first, source=sheet, actor=clerk)
    assert report.ok and report.corrections == 1, report.problems
    worker.marks[first] = (days, withheld)


def leave(cast: Cast, worker: Worker, exit_date: dt.date) -> None:
    """退出 through the service, on the day it is recorded (possibly a day of a locked month)."""
    hr = cast.hr if worker.county == DONGCHANG else cast.hr_other_county
    terms.placement_exit(
        placement=worker.placement,
        exit_date=exit_date,
        reason="other",
        referral="none",
        note="离岗",
        actor=hr,
    )
    worker.exit = exit_date


def extend(cast: Cast, worker: Worker, until: dt.date) -> None:
    hr = cast.hr if worker.county == DONGCHANG else cast.hr_other_county
    terms.extension_grant(placement=worker.placement, until=until, document="区人社局批复", actor=hr)
    worker.extended_until = until


# --- The reckoning itself reproduces the worked figures of docs/policy.md §8.10 ------------------------


def test_the_independent_reckoning_gives_domain_md_worked_example() -> None:
    dongchang = [full_month(SCHEMES[(DONGCHANG, "rural")], m) for m in range(1, 13)]
    assert {pay for pay, _, _ in dongchang} == {M("680.00")}
    assert [p for _, p, _ in dongchang[:3]] == [M("333.33"), M("333.34"), M("333.33")]
    assert [c for _, _, c in dongchang[:3]] == [M("138.67"), M("138.66"), M("138.67")]
    assert {pay - p - c for pay, p, c in dongchang} == {M("208.00")}
    assert [sum(x[i] for x in dongchang) for i in range(3)] == [M("8160.00"), M("4000.00"), M("1664.00")]
    yanzhou = [full_month(SCHEMES[(YANZHOU, "rural")], m) for m in range(1, 13)]
    assert [pay for pay, _, _ in yanzhou[:3]] == [M("833.33"), M("833.34"), M("833.33")]
    assert [sum(x[i] for x in yanzhou) for i in range(3)] == [M("10000.00"), M("4000.00"), M("2000.00")]
    assert times(M("333.33"), 1, 2) == M("166.67")  # half-up, not half-even


# --- The year through the system ----------------------------------------------------------------


def test_it_pays_a_dongchangfu_rural_year_exactly_as_the_worked_example(cast: Cast) -> None:
    year = year_of(DONGCHANG, cast, Worker("全年在岗", DONGCHANG))
    pay_the_year(year)
    lines = PayrollLine.objects.filter(placement=year.workers[0].placement).order_by("run__month")
    got = [money(line) for line in lines]
    assert {g[0] for g in got} == {M("680.00")} and {g[3] for g in got} == {M("208.00")}
    assert [g[1] for g in got] == [M("333.33"), M("333.34"), M("333.33")] * 4
    assert [g[2] for g in got] == [M("138.67"), M("138.66"), M("138.67")] * 4
    assert paid_in_2022(year.workers[0]) == (M("8160.00"), M("4000.00"), M("1664.00"), M("2496.00"))


def test_it_pays_a_yanzhou_rural_year_of_ten_thousand(cast: Cast) -> None:
    year = year_of(YANZHOU, cast, Worker("全年在岗", YANZHOU))
    pay_the_year(year)
    first = PayrollLine.objects.filter(placement=year.workers[0].placement).order_by("run__month")[:3]
    assert [line.pay for line in first] == [M("833.33"), M("833.34"), M("833.33")]
    assert paid_in_2022(year.workers[0]) == (M("10000.00"), M("4000.00"), M("2000.00"), M("4000.00"))


def test_a_start_or_an_exit_inside_a_month_pays_its_calendar_days_in_both_counties(cast: Cast) -> None:
    dc = year_of(
        DONGCHANG,
        cast,
        Worker("三月十六日上岗", DONGCHANG, on_post=D(2022, 3, 16)),  # 16/31
        Worker("一月末上岗", DONGCHANG, on_post=D(2022, 1, 31)),  # 1/31
        Worker("九月十日离岗", DONGCHANG),  # 10/30
        Worker("五月内上岗离岗", DONGCHANG, on_post=D(2022, 5, 10)),  # 16/31
    )
    sep, may = dc.workers[2], dc.workers[3]
    pay_the_year(
        dc, {5: [lambda: leave(cast, may, D(2022, 5, 25))], 9: [lambda: leave(cast, sep, D(2022, 9, 10))]}
    )
    assert PayrollLine.objects.get(placement=sep.placement, run__month=D(2022, 9, 1)).pay == M("226.67")
    assert paid_in_2022(sep) == (M("5666.67"), M("2777.78"), M("1155.55"), M("1733.34"))
    yz = year_of(
        YANZHOU,
        cast,
        Worker("二月八日上岗", YANZHOU, on_post=D(2022, 2, 8)),  # 21/28
        Worker("十一月二十日离岗", YANZHOU),  # 20/30
        Worker("年末最后一天离岗", YANZHOU),  # the exit day counts: all of December
        Worker("六月末上岗", YANZHOU, on_post=D(2022, 6, 30)),  # 1/30
    )
    nov, dec = yz.workers[1], yz.workers[2]
    pay_the_year(
        yz, {11: [lambda: leave(cast, nov, D(2022, 11, 20))], 12: [lambda: leave(cast, dec, D(2022, 12, 31))]}
    )
    assert paid_in_2022(dec) == (M("10000.00"), M("4000.00"), M("2000.00"), M("4000.00"))


def line_of(worker: Worker, month: int, kind: str = "regular") -> PayrollLine:
    return PayrollLine.objects.get(placement=worker.placement, run__month=D(2022, month, 1), kind=kind)


def test_short_attendance_pays_attended_over_required_days_and_a_withheld_month_nothing(cast: Cast) -> None:
    short = Worker("缺勤", DONGCHANG)
    late = Worker("月中上岗缺勤", DONGCHANG, on_post=D(2022, 6, 16))
    dc = year_of(DONGCHANG, cast, short, late)
    pay_the_year(
        dc,
        {
            3: [lambda: record(cast, short, D(2022, 3, 1), 10)],  # 10/20: every share a half-fen tie
            4: [lambda: record(cast, short, D(2022, 4, 1), 0, withheld=True, note="外出未到岗")],
            5: [lambda: record(cast, short, D(2022, 5, 1), 25)],  # above the required days: the full month
            6: [lambda: record(cast, late, D(2022, 6, 1), 5)],  # recorded attendance instead of 15/30
            7: [lambda: record(cast, late, D(2022, 7, 1), 20)],
            8: [lambda: record(cast, short, D(2022, 8, 1), 19)],
            9: [lambda: record(cast, short, D(2022, 9, 1), 0)],  # no day attended, not withheld
        },
    )
    assert money(line_of(short, 3)) == (M("340.00"), M("166.67"), M("69.34"), M("103.99"))
    april = line_of(short, 4)
    assert money(april) == (ZERO, ZERO, ZERO, ZERO) and april.withheld and april.note == "外出未到岗"
    assert money(line_of(short, 8)) == (M("646.00"), M("316.67"), M("131.73"), M("197.60"))
    assert money(line_of(late, 6)) == (M("170.00"), M("83.33"), M("34.67"), M("52.00"))
    held = Worker("缺勤", YANZHOU)
    yz = year_of(YANZHOU, cast, held)
    pay_the_year(
        yz,
        {
            1: [lambda: record(cast, held, D(2022, 1, 1), 10)],
            6: [lambda: record(cast, held, D(2022, 6, 1), 0, withheld=True, note="未履职")],
            10: [lambda: record(cast, held, D(2022, 10, 1), 13)],
        },
    )
    assert money(line_of(held, 1)) == (M("416.67"), M("166.67"), M("83.34"), M("166.66"))
    assert money(line_of(held, 10)) == (M("541.66"), M("216.66"), M("108.34"), M("216.66"))  # 13/20


def test_merged_months_end_the_subsidy_period_inside_2022_and_an_extension_continues_it(cast: Cast) -> None:
    ends = Worker("合并月数到期", DONGCHANG, on_post=D(2021, 6, 16), prior_months=24)  # to 2022-06-15
    renewed = Worker(  # 24 months in an ended placement: to 2022-04-30, extended in April
        "先前岗位到期前延期", DONGCHANG, on_post=D(2021, 5, 1), earlier=(D(2019, 1, 1), D(2020, 12, 31))
    )
    # 30 months to 28 February 2022 (paid in 2022 too), back on 1 April: 6 months left, to 30 September
    before = Worker("再次上岗前岗", DONGCHANG, on_post=D(2019, 9, 1), exit=D(2022, 2, 28))
    back = Worker(
        "再次上岗后岗",
        DONGCHANG,
        on_post=D(2022, 4, 1),
        earlier=(D(2019, 9, 1), D(2022, 2, 28)),
        again=before,
    )
    dc = year_of(DONGCHANG, cast, ends, renewed, before, back)
    pay_the_year(dc, {4: [lambda: extend(cast, renewed, D(2022, 12, 31))]})
    assert PayrollLine.objects.filter(placement=back.placement).count() == 6
    assert paid_in_2022(before)[0] + paid_in_2022(back)[0] == M("680.00") * 8
    assert money(line_of(ends, 6)) == (M("340.00"), M("166.67"), M("69.34"), M("103.99"))
    assert not PayrollLine.objects.filter(placement=ends.placement, run__month__gt=D(2022, 6, 1)).exists()
    assert paid_in_2022(ends) == (M("3740.00"), M("1833.34"), M("762.67"), M("1143.99"))
    assert paid_in_2022(renewed) == (M("8160.00"), M("4000.00"), M("1664.00"), M("2496.00"))
    late = Worker("到期后延期", YANZHOU, on_post=D(2021, 10, 1), prior_months=30)  # to 2022-03-31
    earlier = Worker(
        "先前岗位到期", YANZHOU, on_post=D(2021, 8, 1), earlier=(D(2019, 7, 1), D(2021, 6, 30))
    )  # to 2022-07-31
    yz = year_of(YANZHOU, cast, late, earlier)
    # The extension to 15 October is recorded in June: April and May, locked unpaid, are paid back.
    pay_the_year(yz, {6: [lambda: extend(cast, late, D(2022, 10, 15))]})
    paid_back = PayrollLine.objects.filter(
        placement=late.placement, run__month=D(2022, 6, 1), kind="back_pay"
    )
    assert sorted(paid_back.values_list("corrects_month", "note", "pay")) == [
        (D(2022, 4, 1), "补发2022年04月", M("833.33")),
        (D(2022, 5, 1), "补发2022年05月", M("833.34")),
    ]
    assert not PayrollLine.objects.filter(placement=late.placement, run__month__gt=D(2022, 10, 1)).exists()
    assert paid_in_2022(earlier) == (M("5833.33"), M("2333.33"), M("1166.67"), M("2333.33"))


def test_an_urban_dongchangfu_worker_is_paid_1700_a_month_booked_to_the_district(cast: Cast) -> None:
    year_round = Worker("城镇全年", DONGCHANG, line="urban")
    starts = Worker("城镇二月八日上岗", DONGCHANG, line="urban", on_post=D(2022, 2, 8))
    leaves = Worker("城镇十月二十日离岗", DONGCHANG, line="urban")
    dc = year_of(DONGCHANG, cast, year_round, starts, leaves)
    pay_the_year(dc, {10: [lambda: leave(cast, leaves, D(2022, 10, 20))]})
    assert paid_in_2022(year_round) == (M("20400.00"), ZERO, ZERO, M("20400.00"))
    assert money(line_of(starts, 2)) == (M("1275.00"), ZERO, ZERO, M("1275.00"))
    assert money(line_of(leaves, 10)) == (M("1096.77"), ZERO, ZERO, M("1096.77"))


def test_corrections_of_locked_months_are_paid_as_adjustments_naming_the_month(cast: Cast) -> None:
    march = Worker("三月改出勤", DONGCHANG)
    august = Worker("八月迟报离岗", DONGCHANG)
    april = Worker("四月出勤补录", DONGCHANG)
    dc = year_of(DONGCHANG, cast, march, august, april)
    pay_the_year(
        dc,
        {
            4: [lambda: record(cast, april, D(2022, 4, 1), 10)],
            5: [lambda: correct(cast, march, D(2022, 3, 1), 12)],
            6: [lambda: correct(cast, april, D(2022, 4, 1), 18)],
            7: [lambda: correct(cast, march, D(2022, 3, 1), 20)],  # and back again: all of March is due
            9: [lambda: leave(cast, august, D(2022, 8, 14))],  # the exit of 14 August recorded in September
        },
        twice=True,
    )
    recovery = line_of(march, 5, "recovery")
    assert (recovery.corrects_month, recovery.note) == (D(2022, 3, 1), "扣回2022年03月")
    assert money(recovery) == (M("-272.00"), M("-133.33"), M("-55.47"), M("-83.20"))  # 12/20 of March
    assert money(line_of(march, 7, "back_pay")) == (M("272.00"), M("133.33"), M("55.47"), M("83.20"))
    assert money(line_of(april, 6, "back_pay")) == (M("272.00"), M("133.33"), M("55.46"), M("83.21"))
    exit_line = line_of(august, 9, "recovery")
    assert (exit_line.corrects_month, exit_line.note) == (D(2022, 8, 1), "扣回2022年08月")
    assert money(exit_line) == (M("-372.90"), M("-182.80"), M("-76.04"), M("-114.06"))  # 17 of 31 days
    assert money(line_of(august, 8)) == (M("680.00"), M("333.34"), M("138.66"), M("208.00"))  # as locked
    assert paid_in_2022(march) == (M("8160.00"), M("4000.00"), M("1664.00"), M("2496.00"))
    lifted = Worker("撤销暂停", YANZHOU)
    moved = Worker("离岗日期更正", YANZHOU)
    yz = year_of(YANZHOU, cast, lifted, moved)

    def exit_corrected() -> None:  # the service records one exit; its date is corrected in the row
        Placement.objects.filter(pk=moved.placement.pk).update(exit_date=D(2022, 5, 20))
        moved.exit = D(2022, 5, 20)

    pay_the_year(
        yz,
        {
            2: [lambda: record(cast, lifted, D(2022, 2, 1), 0, withheld=True, note="未到岗")],
            4: [lambda: correct(cast, lifted, D(2022, 2, 1), 20)],
            5: [lambda: leave(cast, moved, D(2022, 5, 31))],
            7: [exit_corrected],
        },
        twice=True,
    )
    assert money(line_of(lifted, 4, "back_pay")) == (M("833.34"), M("333.34"), M("166.66"), M("333.34"))
    assert paid_in_2022(lifted) == (M("10000.00"), M("4000.00"), M("2000.00"), M("4000.00"))
    assert money(line_of(moved, 7, "recovery")) == (M("-295.70"), M("-118.28"), M("-59.14"), M("-118.28"))
