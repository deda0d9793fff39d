"""Statutory retirement age under the NPC Standing Committee decision of 2024-09-13 (in force 2025-01-01).

Everyone is in one of three categories with an original retirement age. Let R0 be the month the
person reaches it (birth year + original age, birth month). If R0 is before 2025-01 nothing changes;
otherwise retirement is delayed by one month for every `step` months from 2025-01 up to R0, the
starting month counting as one step, with at most `cap` months of delay:

    delay = min(cap, (months from 2025-01 to R0) // step + 1)

Men: 60, one month per 4, at most 36 (age 63). Women in the 55 category (cadres): 55, one per 4, at
most 36 (age 58). Women in the 50 category (workers): 50, one per 2, at most 60 (age 55).
"""

import calendar
import datetime as dt
from enum import StrEnum
from typing import NamedTuple


class RetirementCategory(StrEnum):
    MALE_60 = "male_60"
    FEMALE_55 = "female_55"
    FEMALE_50 = "female_50"


class _Rule(NamedTuple):
    original_age: int  # years
    step: int  # months from 2025-01 per month of delay
    cap: int  # most months of delay


_RULES = {
    RetirementCategory.MALE_60: _Rule(original_age=60, step=4, cap=36),
    RetirementCategory.FEMALE_55: _Rule(original_age=55, step=4, cap=36),
    RetirementCategory.FEMALE_50: _Rule(original_age=50, step=2, cap=60),
}
REFORM_START = dt.date(2025, 1, 1)


def _month_index(year: int, month: int) -> int:
    """Months since year 0 month 1, so that month differences are plain subtraction."""
    return year * 12 + month - 1


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved `months` (>= 0) months later, clamped to the last day of the target month."""
    year, month0 = divmod(_month_index(day.year, day.month) + months, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last_day))


def default_category(sex: str) -> RetirementCategory:
    """The usual category for `sex` ("male" or "female"): men 60, women 55 (cadre posts).

    Women in worker posts belong to FEMALE_50; that cannot be told from sex and must be chosen.
    Raises ValueError for any other `sex`.
    """
    if sex == "male":
        return RetirementCategory.MALE_60
    if sex == "female":
        return RetirementCategory.FEMALE_55
    raise ValueError(f"unknown sex {sex!r}; expected 'male' or 'female'")


def retirement_delay_months(birth_date: dt.date, category: RetirementCategory) -> int:
    """Months (0 to the category's cap) by which retirement is delayed beyond the original age."""
    rule = _RULES[category]
    reaches_original_age = _month_index(birth_date.year + rule.original_age, birth_date.month)
    months_since_start = reaches_original_age - _month_index(REFORM_START.year, REFORM_START.month)
    if months_since_start < 0:
        return 0
    return min(rule.cap, months_since_start // rule.step + 1)


def retirement_date(birth_date: dt.date, category: RetirementCategory) -> dt.date:
    """The day of retirement: birth date + original age in years + the delay in months.

    The day of month is kept, clamped to the month's last day (born on the 31st, or on Feb 29).
    """
    rule = _RULES[category]
    months = rule.original_age * 12 + retirement_delay_months(birth_date, category)
    return add_months(birth_date, months)


def latest_birth_retired_by(category: RetirementCategory, day: dt.date) -> dt.date:
    """The latest birth date whose retirement falls on or before `day` (retirement dates never
    go down as birth dates go up, so a binary search finds it): lets a query select, by birth
    date alone, the people who retire by `day`."""
    low = day.toordinal() - 100 * 366  # surely retired by `day`
    high = day.toordinal()  # surely not (born on `day`)
    while high - low > 1:
        middle = (low + high) // 2
        if retirement_date(dt.date.fromordinal(middle), category) <= day:
            low = middle
        else:
            high = middle
    return dt.date.fromordinal(low)


def retirement_age(birth_date: dt.date, category: RetirementCategory) -> tuple[int, int]:
    """The statutory retirement age as (years, months), e.g. (60, 1) or (63, 0)."""
    delay = retirement_delay_months(birth_date, category)
    extra_years, months = divmod(delay, 12)
    return _RULES[category].original_age + extra_years, months


def has_retired(birth_date: dt.date, category: RetirementCategory, on: dt.date) -> bool:
    """Whether the person has reached retirement on the day `on` (the retirement day itself counts)."""
    return on >= retirement_date(birth_date, category)


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Completed years of age (周岁) on the day `on`; the birthday itself counts as reached.

    Someone born on Feb 29 gains a year on Mar 1 in non-leap years. Raises ValueError when `on` is
    before `birth_date`.
    """
    if on < birth_date:
        raise ValueError(f"{on} is before the birth date {birth_date}")
    birthday_not_reached = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(birthday_not_reached)
