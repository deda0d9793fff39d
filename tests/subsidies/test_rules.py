"""The payroll's rules as pure functions (subsidies/payroll/rules.py), no database: each rule of
docs/policy.md §7.1, §8.7, §8.8, §8.11, §8.12 and §9.7 on plain facts, to the fen."""

import datetime as dt
from decimal import Decimal

from subsidies.money import Shares
from subsidies.payroll import rules

D, M = dt.date, Decimal
MARCH = rules.Month(D(2022, 3, 1), D(2022, 3, 31))
# 东昌府区's rural month: 680.00, province 250.00, city 100.00, district the rest
TERMS = rules.Terms(Shares(M("680.00"), M("250.00"), M("100.00"), M("330.00")), required=20)


def placed(**given: object) -> rules.Placed:
    facts: dict[str, object] = {
        "pk": 7,
        "township_id": 3,
        "line": "rural",
        "on_post": D(2021, 1, 1),
        "exit": None,
        "subsidy_end": D(2023, 12, 31),
        "legacy_pay": None,
        "agreed_from": D(2021, 1, 1),
        "agreed_until": D(2023, 12, 31),
        "imported_at": None,
    }
    return rules.Placed(**(facts | given))  # type: ignore[arg-type]


def money(line: rules.Line | None) -> tuple[Decimal, ...] | None:
    return None if line is None else line.money()


def test_a_full_month_pays_the_full_amounts() -> None:
    line = rules.regular(placed(), MARCH, TERMS, None)
    assert line is not None
    assert money(line) == (M("680.00"), M("250.00"), M("100.00"), M("330.00"))
    assert (line.days_on_post, line.days_attended, line.fraction, line.kind) == (
        31,
        20,
        M("1.000000"),
        "regular",
    )


def test_a_part_month_pays_days_on_post_over_days_in_the_month() -> None:
    # on post from the 16th: 16 of 31 days; each share rounded half-up, the district the rest
    line = rules.regular(placed(on_post=D(2022, 3, 16)), MARCH, TERMS, None)
    assert line is not None
    assert money(line) == (M("350.97"), M("129.03"), M("51.61"), M("170.33"))
    assert (line.days_on_post, line.days_attended, line.fraction) == (16, 10, M("0.516129"))


def test_short_attendance_pays_attended_over_required() -> None:
    line = rules.regular(placed(), MARCH, TERMS, rules.Mark(15, False, "病假"))
    assert line is not None and line.note == "病假" and not line.withheld
    assert money(line) == (M("510.00"), M("187.50"), M("75.00"), M("247.50"))
    # attendance at or above the required days pays in full
    full = rules.regular(placed(), MARCH, TERMS, rules.Mark(22, False, ""))
    assert money(full) == money(rules.regular(placed(), MARCH, TERMS, None))


def test_a_withheld_month_keeps_its_line_with_nothing_paid_and_the_reason() -> None:
    line = rules.regular(placed(), MARCH, TERMS, rules.Mark(0, True, "外出未到岗"))
    assert line is not None and line.withheld and line.note == "外出未到岗"
    assert money(line) == (M("0.00"),) * 4 and line.fraction == 0


def test_no_agreement_no_pay_and_a_lapse_ends_the_paid_days() -> None:
    assert rules.regular(placed(agreed_from=None, agreed_until=None), MARCH, TERMS, None) is None
    lapsed = rules.regular(placed(agreed_until=D(2022, 3, 20)), MARCH, TERMS, None)
    assert lapsed is not None and lapsed.days_on_post == 20
    assert money(lapsed) == (M("438.71"), M("161.29"), M("64.52"), M("212.90"))


def test_the_subsidy_period_and_the_exit_end_the_paid_days() -> None:
    assert rules.regular(placed(subsidy_end=None), MARCH, TERMS, None) is None  # never stored: no day
    assert rules.regular(placed(subsidy_end=D(2022, 2, 28)), MARCH, TERMS, None) is None
    ended = rules.regular(placed(subsidy_end=D(2022, 3, 10)), MARCH, TERMS, None)
    left = rules.regular(placed(exit=D(2022, 3, 10)), MARCH, TERMS, None)
    assert ended is not None and left is not None and ended.days_on_post == left.days_on_post == 10
    assert money(ended) == money(left) == (M("219.35"), M("80.65"), M("32.26"), M("106.44"))


def test_old_terms_pay_the_old_monthly_amount_all_the_districts() -> None:
    line = rules.regular(placed(legacy_pay=M("500.00")), MARCH, TERMS, None)
    assert money(line) == (M("500.00"), M("0.00"), M("0.00"), M("500.00"))


def test_an_adjustment_is_the_difference_per_share() -> None:
    now = rules.regular(placed(), MARCH, TERMS, None)
    paid_less = (3, "rural", [M("510.00"), M("187.50"), M("75.00"), M("247.50")])
    back = rules.adjustment(7, now, paid_less, MARCH.first)
    assert back is not None and back.kind == "back_pay" and back.note == "补发2022年03月"
    assert (back.corrects_month, money(back)) == (
        MARCH.first,
        (M("170.00"), M("62.50"), M("25.00"), M("82.50")),
    )
    paid_all = (3, "rural", [M("680.00"), M("250.00"), M("100.00"), M("330.00")])
    assert rules.adjustment(7, now, paid_all, MARCH.first) is None  # nothing to settle
    gone = rules.adjustment(7, None, paid_all, MARCH.first)  # no day of the month is owed now
    assert gone is not None and gone.kind == "recovery" and gone.note == "扣回2022年03月"
    assert (gone.placement_id, gone.township_id, money(gone)) == (
        7,
        3,
        (M("-680.00"), M("-250.00"), M("-100.00"), M("-330.00")),
    )


def test_a_holder_imported_after_a_lock_is_not_settled_for_that_month() -> None:
    locked_at = dt.datetime(2022, 4, 5, tzinfo=dt.UTC)
    assert rules.settles(placed(), locked_at)
    assert rules.settles(placed(imported_at=dt.datetime(2022, 4, 1, tzinfo=dt.UTC)), locked_at)
    assert not rules.settles(placed(imported_at=dt.datetime(2022, 5, 1, tzinfo=dt.UTC)), locked_at)
