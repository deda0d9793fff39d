"""The money rules of docs/policy.md §8.5, §8.6, §8.7, §8.9, as pure functions on Decimal
(yuan, half-up to the fen).

1. A full month m (1–12) of an annual amount A pays round(A·m/12) − round(A·(m−1)/12): twelve
   full months add up to A exactly.
2. The province's and the city's annual amounts are spread the same way; the district takes the
   rest, so the three shares always add up to the pay.
3. A part month pays the full-month amounts × f (each share rounded), f = days on post ÷ days in
   the month, or attended ÷ required days when attendance fell short.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def r2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def half_up(value: Decimal) -> int:
    """`value` rounded half-up to a whole number (四舍五入; Python's round() rounds halves to even)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def month_share(annual: Decimal, month: int) -> Decimal:
    """The full-month amount of `annual` for calendar month `month` (1–12)."""
    return r2(annual * month / 12) - r2(annual * (month - 1) / 12)


@dataclass(frozen=True)
class Annuals:
    """Per person and year: the pay and the province's and the city's shares of it."""

    pay: Decimal
    province: Decimal
    city: Decimal


def policy_annuals(policy, minimum_hourly: Decimal | None = None) -> Annuals:
    """The annual amounts a SubsidyPolicy gives (see its Basis and Split); a policy paid by the
    minimum hourly wage takes the one in force (`minimum_hourly`) as its hourly rate."""
    from .models import SubsidyPolicy as P

    if policy.basis in (P.Basis.HOURLY, P.Basis.MINIMUM_HOURLY):
        hourly = policy.hourly_rate if policy.basis == P.Basis.HOURLY else minimum_hourly
        if hourly is None:
            raise ValueError("按最低工资计发的补贴标准须给出当月的小时最低工资")
        pay = r2(hourly * policy.hours_per_day * policy.required_days) * 12
    elif policy.basis == P.Basis.MONTHLY:
        pay = policy.monthly_amount * 12
    else:
        pay = policy.annual_amount
    if policy.split == P.Split.FIXED_PROVINCE:
        province = policy.province_annual
        city = r2((pay - province) * policy.city_percent / HUNDRED)
    elif policy.split == P.Split.PERCENTAGES:
        province = r2(pay * policy.province_percent / HUNDRED)
        city = r2(pay * policy.city_percent / HUNDRED)
    else:
        province = city = ZERO
    return Annuals(pay=r2(pay), province=r2(province), city=r2(city))


@dataclass(frozen=True)
class Shares:
    pay: Decimal
    province: Decimal
    city: Decimal
    district: Decimal


def full_month(annuals: Annuals, month: int) -> Shares:
    pay, province, city = (month_share(a, month) for a in (annuals.pay, annuals.province, annuals.city))
    return Shares(pay, province, city, pay - province - city)


def part_month(full: Shares, numerator: int, denominator: int) -> Shares:
    """The full month × numerator/denominator, each share rounded, the district taking the rest."""
    if numerator >= denominator:
        return full
    pay, province, city = (r2(a * numerator / denominator) for a in (full.pay, full.province, full.city))
    return Shares(pay, province, city, pay - province - city)
