"""A background export's file goes with the role that may have it, judged again at download
(issue 23): once the user's role is removed, or changed to one the list is not for, the file
answers 404 like any page they may no longer see."""

import pytest
from django.urls import reverse

from common import listing
from common.models import Job
from config.celery import app
from tests import factories
from townships.models import Membership, Role


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setattr(listing, "DIRECT_EXPORT_LIMIT", 1)


def _exported(client, list_url: str, capture) -> str:
    """Export the list in the background; the address of its file."""
    asked = client.get(list_url, {"export": "xlsx"})
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("workspace:export-new"))
    with capture(execute=True):
        client.post(asked["Location"])
    job = Job.objects.get()
    assert job.state == Job.State.DONE, job.error
    return reverse("workspace:job-download", args=[job.pk])


def test_an_export_is_not_downloadable_once_the_role_is_removed(
    cast, eager, django_capture_on_commit_callbacks
) -> None:
    for birth in ("19700101", "19710101"):
        factories.person("371502101", birth=birth)
    client = cast.client(cast.clerk)
    download = _exported(client, reverse("people:person-list"), django_capture_on_commit_callbacks)
    assert client.get(download).status_code == 200
    Membership.objects.filter(user=cast.clerk).delete()
    assert client.get(download).status_code == 404


def test_an_export_is_not_downloadable_once_the_role_no_longer_may_have_the_list(
    cast, eager, django_capture_on_commit_callbacks
) -> None:
    factories.person("371502101")
    factories.person("371502101", birth="19710101")  # two audit entries, above the direct limit of 1
    client = cast.client(cast.auditor)
    download = _exported(client, reverse("audit:county-log"), django_capture_on_commit_callbacks)
    assert client.get(download).status_code == 200
    Membership.objects.filter(user=cast.auditor).update(role=Role.FINANCE)
    assert client.get(download).status_code == 404


def test_an_export_is_not_downloadable_once_the_clerk_moved_to_another_township(
    cast, eager, django_capture_on_commit_callbacks
) -> None:
    """Same role, another township: the file holds the first township's people, which the clerk
    may no longer see."""
    from townships.models import Township

    for birth in ("19700101", "19710101"):
        factories.person("371502101", birth=birth)
    client = cast.client(cast.clerk)
    download = _exported(client, reverse("people:person-list"), django_capture_on_commit_callbacks)
    assert client.get(download).status_code == 200
    Membership.objects.filter(user=cast.clerk).update(township=Township.objects.get(code="371502102"))
    assert client.get(download).status_code == 404
    Membership.objects.filter(user=cast.clerk).update(township=Township.objects.get(code="371502101"))
    assert client.get(download).status_code == 200
