"""The alerts the database finds (placements.alert_sql, behind the alert page and the landing
pages' counts) are exactly terms.alerts': the same kinds, dates, messages and order, for every
kind, both lines, the three retirement categories around the 2025 reform, days a month does not
have (born on the 29th of February or a 31st), legacy terms, later agreements, exited holders,
two counties with their own alert period and age flag, and a horizon across the new year."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from people.models import Person
from placements import selectors, terms
from placements.models import Agreement, Placement
from tests import factories
from townships.models import County

D = dt.date
BIRTHS = [
    D(1964, 2, 29), D(1966, 1, 31), D(1965, 5, 31), D(1975, 8, 31), D(1972, 2, 29), D(1960, 12, 31),
    D(1967, 1, 1), D(1970, 6, 15), D(1962, 3, 31), D(1974, 12, 31), D(1969, 10, 31), D(1976, 2, 29),
    D(1957, 7, 7), D(1963, 11, 30), D(1971, 4, 30), D(1968, 8, 1),
]  # fmt: skip
CATEGORIES = ["male_60", "female_55", "female_50"]
DAYS = [D(2022, 5, 1), D(2024, 11, 15), D(2025, 12, 20), D(2027, 6, 30)]


@pytest.fixture
def holders(cast) -> None:  # type: ignore[no-untyped-def]
    County.objects.filter(code="370812").update(alert_days=90, rural_flag_age=55)
    for i in range(48):
        township = "371502101" if i % 4 else "370812001"
        on_post = D(2019, 1, 1) + dt.timedelta(days=53 * i)
        name = f"提醒{'甲乙丙丁戊己庚辛'[i % 8]}{chr(65 + i // 8)}"  # no digits in a name
        placement = factories.placement(
            township, line="urban" if i % 3 == 0 else "rural", name=name, on_post=on_post, prior_months=i % 7,
            agreement_until=on_post + dt.timedelta(days=365 + 40 * i),
            exit_date=on_post + dt.timedelta(days=400) if i % 11 == 5 else None,
        )  # fmt: skip
        Person.objects.filter(pk=placement.person_id).update(
            birth_date=BIRTHS[i % len(BIRTHS)], retirement_category=CATEGORIES[i % 3]
        )
        if i % 5 == 1:  # renewed: the second agreement is the one that ends
            first = placement.application.agreements.get()
            start, end = first.end_date + dt.timedelta(days=1), first.end_date + dt.timedelta(days=200)
            factories.agreement_for(placement.application, start, end, number=2)
        if i % 9 == 2:
            Placement.objects.filter(pk=placement.pk).update(
                legacy_terms=True, legacy_pay=Decimal("1200.00"), legacy_until=on_post + dt.timedelta(700)
            )
            terms.subsidy_until_refresh(person_ids=[placement.person_id])
    assert Agreement.objects.filter(number=2).exists()


def expected(user, day: dt.date) -> list[tuple]:  # type: ignore[no-untyped-def]
    found = terms.alerts(placements=selectors.active_placements(user=user), today=day)
    return [(a.kind, a.due, a.message, a.placement.application_id) for a in found]


@pytest.mark.parametrize("day", DAYS)
def test_the_database_finds_exactly_the_alerts_of_terms(cast, holders, day) -> None:  # type: ignore[no-untyped-def]
    for user in (cast.county_admin, cast.hr, cast.clerk, cast.hr_other_county):
        want = expected(user, day)
        found = selectors.alerts(user=user, today=day)
        assert [(a.kind, a.due, a.message, a.application_id) for a in found] == want, user.username
        assert len(found) == len(want)
        assert selectors.alert_counts(user=user, today=day) == dict(Counter(kind for kind, *_ in want))
        for kind in terms.ALERT_KINDS:
            of_kind = [row for row in want if row[0] == kind]
            page = selectors.alerts(user=user, today=day, kind=kind)
            assert page.count() == len(of_kind)
            assert [(a.kind, a.due, a.message, a.application_id) for a in page[2:5]] == of_kind[2:5]
    assert expected(cast.county_admin, day), "the data gives alerts on every day tested"


def test_every_kind_is_compared(cast, holders) -> None:  # type: ignore[no-untyped-def]
    kinds = Counter(kind for day in DAYS for kind, *_ in expected(cast.county_admin, day))
    assert set(kinds) == set(terms.ALERT_KINDS), kinds
