import datetime as dt

import pytest

from common.retirement import (
    RetirementCategory,
    age_on,
    default_category,
    has_retired,
    retirement_age,
    retirement_date,
    retirement_delay_months,
)

MALE = RetirementCategory.MALE_60
F55 = RetirementCategory.FEMALE_55
F50 = RetirementCategory.FEMALE_50
ORIGINAL_AGE = {MALE: 60, F55: 55, F50: 50}


def test_it_has_the_three_categories_with_their_string_values() -> None:
    assert [str(c) for c in RetirementCategory] == ["male_60", "female_55", "female_50"]
    assert RetirementCategory("female_50") is F50


def test_it_picks_the_default_category_from_sex() -> None:
    assert default_category("male") is MALE
    assert default_category("female") is F55


def test_it_rejects_an_unknown_sex() -> None:
    with pytest.raises(ValueError):
        default_category("unknown")


@pytest.mark.parametrize(
    ("category", "born", "retires", "age"),
    [
        (MALE, dt.date(1965, 1, 15), dt.date(2025, 2, 15), (60, 1)),
        (MALE, dt.date(1964, 12, 15), dt.date(2024, 12, 15), (60, 0)),
        (MALE, dt.date(1976, 8, 15), dt.date(2039, 7, 15), (62, 11)),
        (MALE, dt.date(1976, 9, 15), dt.date(2039, 9, 15), (63, 0)),
        (MALE, dt.date(1990, 5, 15), dt.date(2053, 5, 15), (63, 0)),
        (F55, dt.date(1969, 12, 15), dt.date(2024, 12, 15), (55, 0)),
        (F55, dt.date(1970, 1, 15), dt.date(2025, 2, 15), (55, 1)),
        (F55, dt.date(1981, 8, 15), dt.date(2039, 7, 15), (57, 11)),
        (F55, dt.date(1981, 9, 15), dt.date(2039, 9, 15), (58, 0)),
        (F55, dt.date(1995, 3, 15), dt.date(2053, 3, 15), (58, 0)),
        (F50, dt.date(1974, 12, 15), dt.date(2024, 12, 15), (50, 0)),
        (F50, dt.date(1975, 1, 15), dt.date(2025, 2, 15), (50, 1)),
        (F50, dt.date(1975, 2, 15), dt.date(2025, 3, 15), (50, 1)),
        (F50, dt.date(1975, 3, 15), dt.date(2025, 5, 15), (50, 2)),
        (F50, dt.date(1984, 10, 15), dt.date(2039, 9, 15), (54, 11)),
        (F50, dt.date(1984, 11, 15), dt.date(2039, 11, 15), (55, 0)),
        (F50, dt.date(2000, 6, 15), dt.date(2055, 6, 15), (55, 0)),
    ],
)
def test_it_meets_the_anchor_cases(
    category: RetirementCategory, born: dt.date, retires: dt.date, age: tuple[int, int]
) -> None:
    assert retirement_date(born, category) == retires
    assert retirement_age(born, category) == age
    assert retirement_delay_months(born, category) == (age[0] - ORIGINAL_AGE[category]) * 12 + age[1]


def test_it_does_not_delay_anyone_reaching_the_original_age_before_2025() -> None:
    assert retirement_delay_months(dt.date(1964, 12, 31), MALE) == 0
    assert retirement_delay_months(dt.date(1950, 1, 1), F50) == 0
    assert retirement_date(dt.date(1950, 1, 1), F50) == dt.date(2000, 1, 1)


def test_it_adds_one_month_per_step_starting_with_the_first_month_of_2025() -> None:
    male_delays = [retirement_delay_months(dt.date(1965, m, 1), MALE) for m in range(1, 13)]
    assert male_delays == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]
    f50_delays = [retirement_delay_months(dt.date(1975, m, 1), F50) for m in range(1, 13)]
    assert f50_delays == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]


def test_it_never_delays_more_than_the_cap() -> None:
    for year in range(1960, 2010):
        assert retirement_delay_months(dt.date(year, 6, 1), MALE) <= 36
        assert retirement_delay_months(dt.date(year, 6, 1), F55) <= 36
        assert retirement_delay_months(dt.date(year, 6, 1), F50) <= 60


def test_it_never_retires_a_younger_person_earlier() -> None:
    for category in RetirementCategory:
        born = dt.date(1960, 1, 1)
        previous = retirement_date(born, category)
        while born < dt.date(1995, 1, 1):
            born += dt.timedelta(days=17)
            current = retirement_date(born, category)
            assert current >= previous
            previous = current


def test_it_clamps_the_retirement_day_to_the_end_of_the_month() -> None:
    assert retirement_date(dt.date(1965, 1, 31), MALE) == dt.date(2025, 2, 28)
    assert retirement_date(dt.date(1975, 3, 31), F50) == dt.date(2025, 5, 31)
    assert retirement_date(dt.date(1975, 5, 31), F50) == dt.date(2025, 8, 31)
    assert retirement_date(dt.date(1975, 6, 30), F50) == dt.date(2025, 9, 30)
    assert retirement_date(dt.date(1975, 7, 31), F50) == dt.date(2025, 11, 30)


def test_it_handles_a_feb_29_birthday() -> None:
    assert retirement_date(dt.date(1964, 2, 29), MALE) == dt.date(2024, 2, 29)
    assert retirement_date(dt.date(1968, 2, 29), MALE) == dt.date(2028, 12, 29)
    assert retirement_date(dt.date(1972, 2, 29), F50) == dt.date(2022, 2, 28)


def test_it_counts_retirement_from_the_retirement_day_itself() -> None:
    born = dt.date(1965, 1, 15)
    assert not has_retired(born, MALE, dt.date(2025, 2, 14))
    assert has_retired(born, MALE, dt.date(2025, 2, 15))
    assert has_retired(born, MALE, dt.date(2030, 1, 1))
    assert not has_retired(born, MALE, dt.date(2025, 1, 15))  # the original age alone is no longer enough


def test_it_counts_completed_years_of_age() -> None:
    born = dt.date(1980, 6, 15)
    assert age_on(born, born) == 0
    assert age_on(born, dt.date(2025, 6, 14)) == 44
    assert age_on(born, dt.date(2025, 6, 15)) == 45
    assert age_on(born, dt.date(2025, 12, 31)) == 45
    assert age_on(dt.date(1980, 12, 31), dt.date(2025, 1, 1)) == 44


def test_it_ages_a_feb_29_birthday_on_mar_1_in_non_leap_years() -> None:
    born = dt.date(2000, 2, 29)
    assert age_on(born, dt.date(2023, 2, 28)) == 22
    assert age_on(born, dt.date(2023, 3, 1)) == 23
    assert age_on(born, dt.date(2024, 2, 28)) == 23
    assert age_on(born, dt.date(2024, 2, 29)) == 24


def test_it_refuses_an_age_before_birth() -> None:
    with pytest.raises(ValueError):
        age_on(dt.date(2000, 1, 2), dt.date(2000, 1, 1))


def test_the_latest_birth_retired_by_a_day_is_exact_for_every_category() -> None:
    import datetime as dt

    from common.retirement import RetirementCategory, latest_birth_retired_by, retirement_date

    for category in RetirementCategory:
        for day in (dt.date(2022, 3, 1), dt.date(2025, 1, 31), dt.date(2030, 12, 31), dt.date(2040, 2, 29)):
            born = latest_birth_retired_by(category, day)
            assert (
                retirement_date(born, category)
                <= day
                < retirement_date(born + dt.timedelta(days=1), category)
            )
