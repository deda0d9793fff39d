"""The bulk writers used by imports: the same rows and values as the ORM would write, on
PostgreSQL (COPY + one INSERT … ON CONFLICT) and on SQLite (bulk_create)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from common.bulk import bulk_insert, bulk_upsert, insert_rows
from people.models import GroupClaim, Person
from tests import factories
from townships.models import Township


def make(township: Township, number: str, **values) -> Person:
    village = township.villages.first()
    fields = dict(name="王伟", sex="male", birth_date=dt.date(1970, 1, 1), retirement_category="male_60")
    fields.update(values)
    return Person(id_number=number, township=township, village=village, **fields)


@pytest.fixture
def shazhen(seeded) -> Township:
    return Township.objects.get(code="371502101")


def test_insert_keeps_awkward_text_exactly_and_stamps_times(shazhen) -> None:
    awkward = "制表\t符\n换行\\反斜杠\r回车 \\N"
    first, second = factories.id_number(), factories.id_number()
    bulk_insert(Person, [make(shazhen, first, note=awkward), make(shazhen, second, phone="")])
    stored = Person.objects.get(id_number=first)
    assert stored.note == awkward
    assert stored.created_at is not None and stored.updated_at is not None
    assert Person.objects.get(id_number=second).phone == ""


def test_upsert_updates_named_fields_only_and_adds_new_rows(shazhen) -> None:
    kept = factories.id_number()
    bulk_insert(Person, [make(shazhen, kept, name="旧名", note="原备注")])
    before = Person.objects.get(id_number=kept)
    fresh = factories.id_number()
    bulk_upsert(
        Person,
        [make(shazhen, kept, name="新名", note="不应写入"), make(shazhen, fresh, name="新人")],
        unique_fields=["id_number"],
        update_fields=["name"],
    )
    after = Person.objects.get(id_number=kept)
    assert (after.pk, after.name, after.note, after.created_at) == (
        before.pk,
        "新名",
        "原备注",
        before.created_at,
    )
    assert Person.objects.get(id_number=fresh).name == "新人"
    assert Person.objects.count() == 2


def test_insert_rows_fills_defaults_and_nulls(shazhen) -> None:
    person = factories.person()
    GroupClaim.objects.filter(person=person).delete()
    insert_rows(
        GroupClaim, ["person_id", "group", "status", "roster_id"], [(person.pk, "poverty", "pending", None)]
    )
    claim = GroupClaim.objects.get(person=person)
    assert (claim.group, claim.status, claim.roster_id, claim.evidence, claim.decided_at) == (
        "poverty",
        "pending",
        None,
        "",
        None,
    )


def test_a_duplicate_is_refused_by_the_database(shazhen) -> None:
    number = factories.id_number()
    bulk_insert(Person, [make(shazhen, number)])
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(Person, [make(shazhen, number)])
    assert Person.objects.filter(id_number=number).count() == 1
