"""field__any: the same rows as field__in, for lists of any length, on PostgreSQL and SQLite."""

import datetime as dt

import pytest

from common.bulk import bulk_insert
from people.models import GroupClaim, Person
from tests import factories
from townships.models import Township


@pytest.fixture
def people(seeded) -> list[Person]:
    township = Township.objects.get(code="371502101")
    village = township.villages.first()
    fields = dict(name="王伟", sex="male", birth_date=dt.date(1970, 1, 1), retirement_category="male_60")
    numbers = [factories.id_number() for _ in range(5)]
    bulk_insert(Person, [Person(id_number=n, township=township, village=village, **fields) for n in numbers])
    found = list(Person.objects.filter(id_number__in=numbers).order_by("pk"))
    GroupClaim.objects.bulk_create(GroupClaim(person=p, group="poverty") for p in found[:3])
    return found


def test_it_finds_the_same_rows_as_in(people) -> None:
    numbers = [p.id_number for p in people[1:4]]
    found = set(Person.objects.filter(id_number__any=numbers).values_list("pk", flat=True))
    assert found == set(Person.objects.filter(id_number__in=numbers).values_list("pk", flat=True))
    assert found == {p.pk for p in people[1:4]}


def test_it_takes_keys_of_related_rows(people) -> None:
    claims = GroupClaim.objects.filter(person_id__any=[people[0].pk, people[4].pk])
    assert list(claims.values_list("person_id", flat=True)) == [people[0].pk]


def test_an_empty_list_finds_nothing(people) -> None:
    assert not Person.objects.filter(id_number__any=[]).exists()


def test_a_list_longer_than_any_parameter_limit_is_one_parameter(people) -> None:
    numbers = [f"{n:018d}" for n in range(70_000)] + [people[2].id_number]  # SQLite allows 32,766
    assert list(Person.objects.filter(id_number__any=numbers).values_list("pk", flat=True)) == [people[2].pk]
