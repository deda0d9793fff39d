"""A database error in the middle of an import leaves nothing behind: no person, no claim, no
audit entry, and a message the clerk can act on (the database's own text, which may quote an
ID number, is not shown). The error here is real: another session registers one of the file's
people a moment before the import writes, and the database's unique index refuses the write."""

import copy

import pytest
from django.urls import reverse

from audit.models import Entry
from common import bulk
from common.models import Job
from people.imports import COLUMNS, applicants_import
from people.models import GroupClaim, Person
from tests import factories
from townships.models import Township


def rows() -> list[list[str]]:
    return [
        ["甲", factories.id_number("19700101"), "", "沙镇东村", "", "", "脱贫享受政策人口", "", "", ""],
        ["乙", factories.id_number("19710101"), "", "沙镇东村", "", "", "低收入人口", "", "", ""],
    ]


def people_entries():
    return Entry.objects.filter(content_type__model__in=["person", "groupclaim"])


@pytest.fixture
def registered_meanwhile(monkeypatch):
    """Just before the import inserts its people, the first of them is registered (as by a
    colleague's form in another session): the insert meets the unique index on the ID number."""

    def insert(model, objs):
        twin = copy.copy(objs[0])
        twin.save()
        bulk.bulk_insert(model, objs)

    monkeypatch.setattr("people.imports.bulk_insert", insert)


def test_a_database_error_while_writing_leaves_nothing_and_says_so(cast, registered_meanwhile) -> None:
    town = Township.objects.get(code="371502101")
    report = applicants_import(township=town, source=factories.xlsx(rows(), COLUMNS), dry_run=False)
    assert not report.imported
    messages = [p.message for p in report.problems]
    assert any("数据库写入失败，未导入任何数据" in m for m in messages)
    assert not any(rows()[0][1] in m for m in messages)
    assert not Person.objects.exists() and not GroupClaim.objects.exists() and not people_entries().exists()


def test_the_background_import_job_fails_with_nothing_imported(
    cast, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    upload = factories.xlsx(rows(), COLUMNS)
    upload.name = "applicants.xlsx"
    client = cast.client(cast.clerk)
    with django_capture_on_commit_callbacks(execute=True):  # the check, in the background
        uploaded = client.post(reverse("people:import-upload"), {"file": upload})
    preview = client.get(uploaded["Location"])
    token = preview.context["token"]
    assert preview.context["result"]["ok"]
    # between the check and the import; the fixture's own function (pytest keeps it in __wrapped__)
    registered_meanwhile.__wrapped__(monkeypatch)  # type: ignore[attr-defined]  # not in pytest's types
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:import-confirm", args=[token]))
    job = Job.objects.get(kind=Job.Kind.APPLICANT_IMPORT)
    assert job.state == Job.State.FAILED and "未导入任何数据" in job.error
    assert not Person.objects.exists() and not GroupClaim.objects.exists()
    assert not people_entries().exists()
