"""The expiry alerts (placements.selectors, behind the alert page and the landing pages' counts,
read from the dates stored on each placement) are exactly those an independent reading of
docs/policy.md §7.6 and §7.8 finds from the facts: the same kinds, dates, messages and order, for
every kind, both lines, the three retirement categories around the 2025 reform, days a month does
not have (born on the 29th of February or a 31st), legacy terms, later agreements, exited holders,
two counties with their own alert period and age flag, and a horizon across the new year."""

import calendar
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
    D(1964, 2, 29),
    D(1966, 1, 31),
    D(1965, 5, 31),
    D(1975, 8, 31),
    D(1972, 2, 29),
    D(1960, 12, 31),
    D(1967, 1, 1),
    D(1970, 6, 15),
    D(1962, 3, 31),
    D(1974, 12, 31),
    D(1969, 10, 31),
    D(1976, 2, 29),
    D(1957, 7, 7),
    D(1963, 11, 30),
    D(1971, 4, 30),
    D(1968, 8, 1),
]
CATEGORIES = ["male_60", "female_55", "female_50"]
DAYS = [D(2022, 5, 1), D(2024, 11, 15), D(2025, 12, 20), D(2027, 6, 30)]


@pytest.fixture
def holders(cast) -> None:
    County.objects.filter(code="370812").update(alert_days=90, rural_flag_age=55)
    for i in range(48):
        township = "371502101" if i % 4 else "370812001"
        on_post = D(2019, 1, 1) + dt.timedelta(days=53 * i)
        name = f"提醒{'甲乙丙丁戊己庚辛'[i % 8]}{chr(65 + i // 8)}"  # no digits in a name
        placement = factories.placement(
            township,
            line="urban" if i % 3 == 0 else "rural",
            name=name,
            on_post=on_post,
            prior_months=i % 7,
            agreement_until=on_post + dt.timedelta(days=365 + 40 * i),
            exit_date=on_post + dt.timedelta(days=400) if i % 11 == 5 else None,
        )
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
            terms.stored_terms_refresh(person_ids=[placement.person_id])
    # the birth dates and categories written above, as a corrected ID number's edit refreshes them
    terms.stored_terms_refresh(person_ids=Person.objects.values("pk"))
    assert Agreement.objects.filter(number=2).exists()


RANK = {"subsidy": 0, "retirement": 1, "agreement": 2, "age": 3}  # a placement's alerts of one day


def retirement(birth: dt.date, category: str) -> dt.date:
    """The statutory retirement day read from the 2025 reform's table, independently of
    common.retirement: the old age, and from 2025-01 one month more per 4 (men) or 2 (women)
    months of the original retirement month's distance from 2025-01, up to 36 (men, women 55)
    or 60 months (women 50)."""
    table = {"male_60": (60, 4, 36), "female_55": (55, 4, 36), "female_50": (50, 2, 60)}
    old_age, step, cap = table[category]
    old = D(birth.year + old_age, birth.month, 1)
    distance = (old.year - 2025) * 12 + old.month - 1
    delay = 0 if distance < 0 else min(cap, distance // step + 1)
    months = old_age * 12 + delay
    year, month = birth.year + (birth.month - 1 + months) // 12, (birth.month - 1 + months) % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return D(year, month, min(birth.day, last))


def age(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def expected(user, day: dt.date) -> list[tuple]:
    """Every active placement in the user's scope, read as the policy says: its subsidy end, its
    last agreement's end, and the year of its rural age limit (the day before the birthday at
    the county's flag + 1) or statutory retirement (urban), within today + the county's alert
    period (the birthdays: in that day's year, dated the 31st of December)."""
    found = []
    for p in selectors.active_placements(user=user).select_related("person", "township__county"):
        county, person = p.township.county, p.person
        horizon = day + dt.timedelta(days=county.alert_days)
        last = p.application.agreements.order_by("-number").first()
        assert p.subsidy_until is not None  # stored for every placement (terms.stored_terms_refresh)
        if p.subsidy_until <= horizon:
            found.append(("subsidy", p.subsidy_until, f"{person.name}：补贴期限届满（{p.subsidy_until}）", p))
        if last is not None and last.end_date <= horizon:
            found.append(("agreement", last.end_date, f"{person.name}：协议到期（{last.end_date}）", p))
        born = person.birth_date
        if p.line == "rural":  # the day before the birthday at flag + 1: still flag years old
            kind, label, years = "age", "达到乡村岗位年龄上限", county.rural_flag_age
            year = born.year + years + (0 if (born.month, born.day) == (1, 1) else 1)
        else:
            kind, label = "retirement", "达到法定退休年龄"
            when = retirement(born, person.retirement_category)
            year, years = when.year, age(born, when)
        if year <= horizon.year:
            found.append((kind, D(year, 12, 31), f"{person.name}：{year}年内{label}（届时{years}周岁）", p))
    found.sort(key=lambda a: (a[1], a[3].pk, RANK[a[0]]))
    return [(kind, due, message, p.application_id) for kind, due, message, p in found]


@pytest.mark.parametrize("day", DAYS)
def test_the_alerts_are_exactly_those_the_policy_gives(cast, holders, day) -> None:
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


def test_every_kind_is_compared(cast, holders) -> None:
    kinds = Counter(kind for day in DAYS for kind, *_ in expected(cast.county_admin, day))
    assert set(kinds) == set(terms.ALERT_KINDS), kinds


def test_a_corrected_birth_date_and_a_new_age_flag_move_the_age_alert(cast) -> None:
    """The age alert is stored on the placement: the person's edit (a corrected ID number) and
    the county administrator's new age flag refresh it."""
    from django.urls import reverse

    from people.services import PersonData, person_update

    placement = factories.placement("371502101", line="rural", birth="19700315", name="改号人")
    assert placement.age_alert_on == D(2036, 12, 31)  # 65 + 1: the day before the 66th birthday
    person = placement.person
    data = PersonData(
        name=person.name,
        id_number=factories.id_number("19580315"),
        village=person.village.name,
        groups=["rural_older"],
        retirement_category=person.retirement_category,
        bank_account=person.bank_account,
        bank_name=person.bank_name,
    )
    person_update(person=person, data=data, actor=cast.clerk)
    placement.refresh_from_db()
    assert placement.age_alert_on == D(2024, 12, 31)
    assert [a.message for a in selectors.alerts(user=cast.clerk, today=D(2024, 6, 1), kind="age")] == [
        "改号人：2024年内达到乡村岗位年龄上限（届时65周岁）"
    ]
    county = County.objects.get(code="371502")
    url = reverse("admin:townships_county_change", args=[county.pk])
    form = cast.client(cast.county_admin).get(url).context["adminform"].form
    initial = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    initial |= {"city": county.city_id, "rural_flag_age": 60}
    posted = {k: ("on" if v is True else v) for k, v in initial.items() if v is not False}
    response = cast.client(cast.county_admin).post(url, posted)
    assert response.status_code == 302, response.content.decode()[:2000]
    placement.refresh_from_db()
    assert placement.age_alert_on == D(2019, 12, 31)
