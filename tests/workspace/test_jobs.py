"""A list too long to download at once is exported in the background: the page can be left and
found again under 我的任务, shows progress, and offers the file, which holds exactly the list."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from common import listing
from common.models import Job
from config.celery import app
from tests import factories
from workspace import jobs


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setattr(listing, "DIRECT_EXPORT_LIMIT", 1)


def names_in(content: bytes) -> list[str]:
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    return [row[0] for row in rows[3:]]


def test_a_long_list_is_exported_in_the_background_and_found_again(
    cast, eager, django_capture_on_commit_callbacks
):
    for birth, name in (("19700101", "甲"), ("19710101", "乙"), ("19720101", "丙")):
        factories.person("371502101", birth=birth, name=name)
    factories.person("371502102", birth="19730101", name="别镇")
    client = cast.client(cast.clerk)
    asked = client.get(reverse("people:person-list"), {"q": "", "sort": "-id_number", "export": "xlsx"})
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("workspace:export-new"))
    assert "将在后台生成表格" in client.get(asked["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(asked["Location"])
    job = Job.objects.get()
    assert started["Location"] == reverse("workspace:job-detail", args=[job.pk])
    assert (job.state, job.done, job.total) == ("done", 3, 3)
    assert "下载表格" in client.get(started["Location"]).content.decode()
    assert client.get(reverse("workspace:job-progress", args=[job.pk])).json()["finished"] is True
    download = client.get(reverse("workspace:job-download", args=[job.pk]))
    assert names_in(b"".join(download.streaming_content)) == ["丙", "乙", "甲"]
    assert "导出人员名单" in client.get(reverse("workspace:job-list")).content.decode()


def test_nobody_sees_another_users_job(cast, eager, django_capture_on_commit_callbacks) -> None:
    factories.person("371502101")
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.export_start(user=cast.clerk, name="people", data={})
    for user in (cast.other_clerk, cast.hr):
        client = cast.client(user)
        for name in ("workspace:job-detail", "workspace:job-progress", "workspace:job-download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404
        assert "导出人员名单" not in client.get(reverse("workspace:job-list")).content.decode()


def test_the_job_reads_the_list_as_its_owner_sees_it(cast, eager, django_capture_on_commit_callbacks) -> None:
    factories.person("371502101", name="本镇")
    factories.person("371502102", name="别镇", birth="19710101")
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.export_start(user=cast.clerk, name="people", data={"township": "371502102"})
    job.refresh_from_db()
    assert (job.state, job.total) == ("done", 0)


def test_an_unknown_list_or_a_user_without_a_role_gets_404(cast) -> None:
    assert cast.client(cast.clerk).get(reverse("workspace:export-new"), {"list": "users"}).status_code == 404
    assert (
        cast.client(cast.nobody).get(reverse("workspace:export-new"), {"list": "people"}).status_code == 404
    )


def test_a_failing_export_says_why_and_leaves_no_file(
    cast, eager, monkeypatch, django_capture_on_commit_callbacks
):
    factories.person("371502101")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(listing.Listing, "write", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.export_start(user=cast.clerk, name="people", data={})
    job.refresh_from_db()
    assert job.state == "failed" and "导出失败：OSError" in job.error and not job.file
    page = cast.client(cast.clerk).get(reverse("workspace:job-detail", args=[job.pk])).content.decode()
    assert "导出失败" in page


def test_with_the_queue_down_the_job_is_failed_with_the_reason(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(app.conf, "broker_write_url", None)
    monkeypatch.setitem(app.conf, "task_publish_retry", False)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.export_start(user=cast.clerk, name="people", data={})
    job.refresh_from_db()
    assert job.state == "failed" and "任务队列暂时不可用" in job.error
