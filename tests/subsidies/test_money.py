"""The money rules of docs/policy.md §8.5, §8.6, §8.7 to the fen, on the worked figures of §8.10."""

from decimal import Decimal as M

from subsidies.models import SubsidyPolicy
from subsidies.money import Annuals, full_month, month_share, part_month, policy_annuals


def test_twelve_full_months_add_up_to_the_annual_amount() -> None:
    assert [month_share(M("10000"), m) for m in range(1, 4)] == [M("833.33"), M("833.34"), M("833.33")]
    for annual in (M("10000"), M("8160"), M("4000"), M("1664"), M("2000"), M("1234.57")):
        assert sum(month_share(annual, m) for m in range(1, 13)) == annual


def test_dongchangfu_rural_worked_example() -> None:
    policy = SubsidyPolicy(
        basis="hourly",
        hourly_rate=M("17"),
        hours_per_day=M("2"),
        required_days=20,
        split="fixed_province",
        province_annual=M("4000"),
        city_percent=M("40"),
    )
    annuals = policy_annuals(policy)
    assert annuals == Annuals(pay=M("8160.00"), province=M("4000.00"), city=M("1664.00"))
    months = [full_month(annuals, m) for m in range(1, 13)]
    assert {s.pay for s in months} == {M("680.00")}
    assert [s.province for s in months[:3]] == [M("333.33"), M("333.34"), M("333.33")]
    assert [s.city for s in months[:3]] == [M("138.67"), M("138.66"), M("138.67")]
    assert {s.district for s in months} == {M("208.00")}
    assert sum(s.province for s in months) == M("4000.00") and sum(s.city for s in months) == M("1664.00")
    assert sum(s.district for s in months) == M("2496.00")


def test_yanzhou_rural_year_splits_forty_twenty_forty() -> None:
    policy = SubsidyPolicy(
        basis="annual",
        annual_amount=M("10000"),
        required_days=20,
        split="percentages",
        province_percent=M("40"),
        city_percent=M("20"),
    )
    months = [full_month(policy_annuals(policy), m) for m in range(1, 13)]
    totals = [sum(getattr(s, k) for s in months) for k in ("pay", "province", "city", "district")]
    assert totals == [M("10000.00"), M("4000.00"), M("2000.00"), M("4000.00")]


def test_a_part_month_rounds_each_share_and_the_district_takes_the_rest() -> None:
    full = full_month(Annuals(M("8160"), M("4000"), M("1664")), 3)  # 680 = 333.33 + 138.67 + 208.00
    half = part_month(full, 16, 31)  # on post 16 of March's 31 days
    assert (half.pay, half.province, half.city) == (M("350.97"), M("172.04"), M("71.57"))
    assert half.district == M("107.36") and half.pay == half.province + half.city + half.district
    short = part_month(full, 15, 20)  # attended 15 of 20 required days
    assert (short.pay, short.province, short.city, short.district) == (
        M("510.00"),
        M("250.00"),
        M("104.00"),
        M("156.00"),
    )
