"""The assessment's and the bonus's payroll rules (docs/policy.md §8.14, §9.10) as pure functions."""

from decimal import Decimal as M

from subsidies.payroll.rules import BONUS, NOTHING, REGULAR, Line, Verdict, assessed, bonus_lines


def full_month(note: str = "") -> Line:
    return Line(
        1,
        7,
        "rural",
        REGULAR,
        None,
        31,
        20,
        M("1.000000"),
        M("680.00"),
        M("333.33"),
        M("138.67"),
        M("208.00"),
        False,
        note,
    )


def test_a_failing_total_withholds_the_schemes_share_of_each_amount_to_the_fen() -> None:
    line = assessed(full_month(), Verdict(M("62.0"), M("65"), M("0.30")))
    # 680 × 0.7 = 476.00; 333.33 × 0.7 = 233.331 → 233.33; 138.67 × 0.7 = 97.069 → 97.07; the rest
    assert (line.pay, line.province, line.city, line.district) == (
        M("476.00"),
        M("233.33"),
        M("97.07"),
        M("145.60"),
    )
    assert line.note == "考核不合格（62分），扣发30%"


def test_the_reason_follows_the_attendance_note() -> None:
    line = assessed(full_month("病假"), Verdict(M("58.5"), M("60"), M("0.25")))
    assert line.note == "病假；考核不合格（58.5分），扣发25%"
    assert line.pay == M("510.00")


def test_a_pass_no_result_or_no_share_leaves_the_line() -> None:
    line = full_month()
    assert assessed(line, None) == line
    assert assessed(line, Verdict(M("60"), M("60"), M("0.30"))) == line
    assert assessed(line, Verdict(M("10"), M("60"), M("0"))) == line


def test_a_bonus_is_its_own_line_all_the_districts_one_per_holder() -> None:
    lines = bonus_lines(
        [
            (5, 7, "rural", M("800.00"), "2022年度一等"),
            (5, 7, "rural", M("200.00"), "2022年第4季度优秀"),
            (6, 7, "urban", M("500.00"), "2022年度二等"),
        ]
    )
    first, second = lines
    assert (first.kind, first.pay, first.province, first.city, first.district) == (
        BONUS,
        M("1000.00"),
        0,
        0,
        M("1000.00"),
    )
    assert first.note == "绩效奖励：2022年度一等；2022年第4季度优秀"
    assert (second.placement_id, second.line, second.pay, second.fraction) == (
        6,
        "urban",
        M("500.00"),
        NOTHING,
    )
