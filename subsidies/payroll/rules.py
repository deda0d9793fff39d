"""The payroll's rules (docs/policy.md §8, §9) as pure functions over plain facts: no database.

`regular` gives one placement's line of a month; `adjustment` the 补发/扣回 line that brings a
locked month to what the rules give it now. payroll.facts reads what they need, payroll.store
writes what they give. Everything else about money (the month's amounts of an annual sum, the
shares, half-up rounding) is subsidies.money's."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from subsidies.money import ZERO, Shares, half_up, part_month, r2

ONE_DAY = dt.timedelta(days=1)
FRACTION = Decimal("0.000001")
WHOLE = Decimal("1.000000")
NOTHING = Decimal("0.000000")
REGULAR, BACK_PAY, RECOVERY, BONUS = "regular", "back_pay", "recovery", "bonus"
NOTE_LENGTH = 200  # PayrollLine.note


@dataclass(frozen=True, slots=True)
class Placed:
    """One placement's facts."""

    pk: int
    township_id: int
    line: str
    on_post: dt.date
    exit: dt.date | None
    subsidy_end: dt.date | None  # Placement.subsidy_until; None (never stored) pays no day
    legacy_pay: Decimal | None  # old terms (新老衔接): this monthly amount, all the district's
    agreed_from: dt.date | None  # the first agreement's start; None: no agreement, no day paid
    agreed_until: dt.date | None  # the last agreement's end (renewals follow on: no gaps)
    imported_at: dt.datetime | None  # a 新老衔接 placement: when it was imported


class Mark(NamedTuple):
    """A month's attendance record of a placement (none: full attendance)."""

    days: int
    withheld: bool
    note: str


class Verdict(NamedTuple):
    """A published assessment result of the period ending in a month (docs/policy.md §8.14)."""

    total: Decimal
    pass_mark: Decimal
    share: Decimal  # of the month's pay withheld on failure (0: none)


@dataclass(frozen=True, slots=True)
class Terms:
    """A line's (城乡) policy in force in a month: its full-month amounts and required days."""

    full: Shares
    required: int


@dataclass(frozen=True, slots=True)
class Month:
    first: dt.date
    last: dt.date


class Line(NamedTuple):
    """A payroll line as it is stored (PayrollLine's fields, run aside)."""

    placement_id: int
    township_id: int
    line: str
    kind: str
    corrects_month: dt.date | None
    days_on_post: int
    days_attended: int
    fraction: Decimal
    pay: Decimal
    province: Decimal
    city: Decimal
    district: Decimal
    withheld: bool
    note: str

    def money(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        return (self.pay, self.province, self.city, self.district)


def legacy_month(pay: Decimal) -> Shares:
    """An old agreement's full month: its monthly amount, borne by the district (existing channels)."""
    return Shares(pay, ZERO, ZERO, pay)


def regular(placed: Placed, month: Month, terms: Terms, mark: Mark | None) -> Line | None:
    """The placement's line for the month, or None when no day of it is paid: a day is paid
    while on post, within the subsidy period (docs/policy.md §7.1) and covered by an agreement
    (§8.11). A part month pays the days on post ÷ days in the month; attendance short of the
    required days pays attended ÷ required (§8.7); a withheld month pays nothing (§8.8)."""
    first, last = month.first, month.last
    before = first - ONE_DAY
    start = max(first, placed.on_post, placed.agreed_from or first)
    end = min(last, placed.exit or last, placed.subsidy_end or before, placed.agreed_until or before)
    if end < start:
        return None
    days_in_month = last.day
    days_on = (end - start).days + 1
    full = terms.full if placed.legacy_pay is None else legacy_month(placed.legacy_pay)
    head = (placed.pk, placed.township_id, placed.line, REGULAR, None, days_on)
    if mark is None:
        if days_on == days_in_month:
            return Line(*head, terms.required, WHOLE, *_shares(full), False, "")
        attended = half_up(Decimal(terms.required * days_on) / days_in_month)
        numerator, denominator, note = days_on, days_in_month, ""
    else:
        attended, withheld, note = mark
        if withheld:
            return Line(*head, attended, NOTHING, ZERO, ZERO, ZERO, ZERO, True, note)
        numerator, denominator = days_on, days_in_month
        if attended < terms.required:
            numerator, denominator = attended, terms.required
    if numerator >= denominator:
        return Line(*head, attended, WHOLE, *_shares(full), False, note)
    fraction = (Decimal(numerator) / Decimal(denominator)).quantize(FRACTION)
    return Line(*head, attended, fraction, *_shares(part_month(full, numerator, denominator)), False, note)


def assessed(line: Line, verdict: Verdict | None) -> Line:
    """The month's line after its assessment (docs/policy.md §8.14): a total below the pass mark
    withholds `share` of the pay, each share kept at (1 − share) of itself, rounded half-up to the
    fen, the district taking the rest, and says so on the line (考核不合格（62分），扣发30%). A
    passing total, no result, or a scheme that withholds nothing leaves the line as it is."""
    if verdict is None or verdict.total >= verdict.pass_mark or verdict.share <= 0:
        return line
    kept = 1 - verdict.share
    pay, province, city = (r2(amount * kept) for amount in (line.pay, line.province, line.city))
    said = f"考核不合格（{verdict.total.normalize():f}分），扣发{(verdict.share * 100).normalize():f}%"
    note = f"{line.note}；{said}" if line.note else said
    return line._replace(
        pay=pay, province=province, city=city, district=pay - province - city, note=note[:NOTE_LENGTH]
    )


def bonus_lines(awards: list[tuple[int, int, str, Decimal, str]]) -> list[Line]:
    """The 绩效奖励 lines of a run's awards (placement, township, line, amount, what for): one per
    placement, its awards added, booked 100 % to the district (docs/policy.md §9.10)."""
    made: dict[int, Line] = {}
    for placement_id, township_id, kind_of_post, amount, label in awards:
        known = made.get(placement_id)
        if known is not None:
            amount, label = known.pay + amount, f"{known.note}；{label}"
        note = label if known is not None else f"绩效奖励：{label}"
        made[placement_id] = Line(
            placement_id,
            township_id,
            kind_of_post,
            BONUS,
            None,
            0,
            0,
            NOTHING,
            amount,
            ZERO,
            ZERO,
            amount,
            False,
            note[:NOTE_LENGTH],
        )
    return list(made.values())


def _shares(shares: Shares) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    return (shares.pay, shares.province, shares.city, shares.district)


def settles(placed: Placed | None, locked_at: dt.datetime | None) -> bool:
    """Whether a locked month is settled for the placement: a 新老衔接 holder imported after the
    month was locked was paid it by the old system, so gets no 补发 for it (docs/policy.md §7.7, §9.7)."""
    return (
        placed is None or placed.imported_at is None or locked_at is None or placed.imported_at <= locked_at
    )


def adjustment(
    placement_id: int, now: Line | None, paid: tuple[int, str, list[Decimal]], corrects: dt.date
) -> Line | None:
    """The 补发 (owed more) or 扣回 (paid too much) line that brings what a locked month paid a
    placement (`paid`: its township, its line and the sums of the month's line and the
    adjustments already locked) to what the rules give it now (`now`; None: nothing), or None
    when they agree (docs/policy.md §9.7)."""
    township_id, kind_of_post, sums = paid
    target = now.money() if now is not None else (ZERO, ZERO, ZERO, ZERO)
    diff = [a - b for a, b in zip(target, sums, strict=True)]
    if not any(diff):
        return None
    pay, province, city, district = diff
    kind, label = (BACK_PAY, "补发") if pay >= 0 else (RECOVERY, "扣回")
    if now is not None:
        township_id, kind_of_post = now.township_id, now.line
    return Line(
        placement_id,
        township_id,
        kind_of_post,
        kind,
        corrects,
        0,
        0,
        NOTHING,
        pay,
        province,
        city,
        district,
        False,
        f"{label}{corrects:%Y年%m月}",
    )
