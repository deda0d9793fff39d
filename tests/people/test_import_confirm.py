"""A confirmation submitted twice at the same moment (a double click reaching two web workers)
starts one import: the user's row is locked while the file's job is looked for. On PostgreSQL,
with two real connections; SQLite writes one at a time anyway."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from common.models import Job
from people.imports import COLUMNS
from people.models import Person
from tests import factories
from tests.people.test_import import row


@pytest.fixture
def eager(monkeypatch):
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_the_same_moment_start_one_import(cast, eager) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL")
    client = cast.client(cast.clerk)
    upload = factories.xlsx([row(), row(name="王五")], COLUMNS)
    upload.name = "applicants.xlsx"
    uploaded = client.post(reverse("people:import-upload"), {"file": upload})  # the check runs on commit
    token = uploaded["Location"].rstrip("/").rsplit("/", 1)[1]
    assert client.get(uploaded["Location"]).context["result"]["ok"]
    start = threading.Barrier(3)
    answers: list[int] = []

    def confirm() -> None:
        try:
            start.wait()
            answers.append(client.post(reverse("people:import-confirm", args=[token])).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [302, 302, 302]
    assert Job.objects.filter(kind=Job.Kind.APPLICANT_IMPORT).count() == 1
    assert Person.objects.count() == 2
