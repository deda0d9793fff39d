"""Uploads kept for a background job and the jobs' workbooks go through the storage API, so that a
web machine and a worker machine share them through an S3-compatible bucket. Tested against a
real S3-compatible server (moto's, a process of its own on loopback, started once per session):
the web and a real Celery worker are given two separate media folders, so that no shared local
path can carry a file from one to the other; and with the local default a worker on another
folder indeed cannot see the web's upload."""

import io
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from common import uploads
from common.models import Job
from common.uploads import UploadRefused
from config.celery import app
from people.imports import COLUMNS
from people.models import Person
from tests import factories
from tests.people.test_import import row
from tests.proxy import free_port
from tests.test_celery_worker import database_url, worker_command
from tests.test_health import report

ROOT = Path(__file__).resolve().parent.parent
KEY, SECRET, REGION = "storage-test-key", "storage-test-secret", "us-east-1"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3-compatible server on a free loopback port for the whole session; its address."""
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=KEY, aws_secret_access_key=SECRET, region_name=REGION
    )
    for _ in range(200):
        try:
            client.list_buckets()
            break
        except Exception:  # not listening yet
            if process.poll() is not None:
                raise RuntimeError(f"moto's server ended: {log.name}") from None
            time.sleep(0.1)
    yield endpoint
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@dataclass
class Bucket:
    endpoint: str
    name: str

    @property
    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
            region_name=REGION,
        )

    def objects(self) -> set[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return {item["Key"] for item in listed.get("Contents", [])}

    def env(self) -> dict[str, str]:
        """What a machine's environment says to use this bucket (config/settings/base.py)."""
        return {
            "STORAGE_S3_BUCKET": self.name,
            "STORAGE_S3_ENDPOINT_URL": self.endpoint,
            "STORAGE_S3_REGION": REGION,
            "AWS_ACCESS_KEY_ID": KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET,
        }


@pytest.fixture
def bucket(s3_server: str) -> Bucket:
    """A new, empty bucket of the server."""
    made = Bucket(s3_server, f"gongyi-{uuid.uuid4().hex[:12]}")
    made.client.create_bucket(Bucket=made.name)
    return made


@pytest.fixture
def web_media(settings, tmp_path: Path) -> Path:
    """The web's (this process's) own media folder."""
    settings.MEDIA_ROOT = tmp_path / "web-media"
    return settings.MEDIA_ROOT


@pytest.fixture
def s3(settings, bucket: Bucket, web_media: Path) -> Bucket:
    """This process (the web) stores in `bucket`, as a machine whose environment names it."""
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(bucket)}
    return bucket


def s3_storage(bucket: Bucket) -> dict:
    """settings.STORAGES["default"] as config/settings/base.py makes it from Bucket.env()."""
    return storage_from(bucket.env())


def storage_from(variables: dict[str, str]) -> dict:
    """settings.STORAGES["default"] of a machine whose environment has `variables`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STORAGE_S3_", "AWS_"))}
    env.update(variables, DJANGO_SETTINGS_MODULE="config.settings.test")
    code = "from django.conf import settings; print(json.dumps(settings.STORAGES['default']))"
    out = subprocess.run(
        [sys.executable, "-c", f"import django, json; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def xlsx_upload(rows: list[list]) -> io.BytesIO:
    upload = factories.xlsx(rows, COLUMNS)
    upload.name = "applicants.xlsx"
    return upload


# In this process, tasks run eagerly: the storage itself is what is tested here.


@pytest.fixture
def eager(monkeypatch) -> None:
    monkeypatch.setitem(app.conf, "task_always_eager", True)


def test_the_environment_selects_the_s3_storage_of_its_bucket(bucket: Bucket) -> None:
    options = s3_storage(bucket)
    assert options["BACKEND"] == "storages.backends.s3.S3Storage"
    assert {k: options["OPTIONS"][k] for k in ("bucket_name", "endpoint_url", "access_key")} == {
        "bucket_name": bucket.name,
        "endpoint_url": bucket.endpoint,
        "access_key": KEY,
    }


def test_empty_variables_as_docker_compose_passes_them_keep_the_local_default() -> None:
    empty = dict.fromkeys(("STORAGE_S3_BUCKET", "STORAGE_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID"), "")
    assert storage_from(empty)["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    options = storage_from({"STORAGE_S3_BUCKET": "b", "STORAGE_S3_ENDPOINT_URL": ""})["OPTIONS"]
    assert options["endpoint_url"] is None and options["addressing_style"] == "path"


def test_a_kept_upload_is_in_the_bucket_not_on_the_disk_and_removed_by_its_token(s3, web_media) -> None:
    data = xlsx_upload([row()]).getvalue()
    token = uploads.keep(io.BytesIO(data))
    assert s3.objects() == {f"imports/{token}.xlsx"}
    with uploads.kept_open(token) as kept:
        assert kept.read() == data
    uploads.kept_remove(token)
    assert s3.objects() == set() and not uploads.kept_exists(token)
    assert files_under(web_media) == []


def test_a_token_names_only_its_own_file(s3) -> None:
    token = uploads.keep(io.BytesIO(b"PK whole numbers"))
    for forged in (f"../{token}", f"{token}/../../x", "imports/" + token, token.upper()):
        assert not uploads.kept_exists(forged)
        assert uploads.kept_name(forged) == f"imports/{'0' * 32}.xlsx"
    assert uploads.kept_exists(token)


def test_an_oversize_upload_is_refused_before_anything_reaches_the_bucket(s3, settings) -> None:
    settings.UPLOAD_MAX_MB = 1
    with pytest.raises(UploadRefused):
        uploads.keep(io.BytesIO(bytes(uploads.MB + 1)))
    assert s3.objects() == set()


def test_the_nightly_task_removes_uploads_left_in_the_bucket(s3, settings) -> None:
    from people.tasks import remove_stale_uploads

    tokens = [uploads.keep(xlsx_upload([row()])) for _ in range(2)]
    assert remove_stale_uploads() == 0  # a day has not passed
    assert all(uploads.kept_exists(t) for t in tokens)
    settings.IMPORT_UPLOAD_HOURS = 0  # the files' day is over
    time.sleep(1.1)  # S3 keeps times to the second
    assert remove_stale_uploads() == 2
    assert s3.objects() == set()


def test_the_import_journey_and_its_error_report_go_through_the_bucket(
    cast, eager, s3, web_media, django_capture_on_commit_callbacks
) -> None:
    client = cast.client(cast.clerk)
    bad = xlsx_upload([row(number="110105194902310021")])
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = client.post(reverse("people:import-upload"), {"file": bad})
    refused = client.get(uploaded["Location"])
    token = refused.context["token"]
    assert "出生日期19490231不是有效日期" in refused.content.decode() and not uploads.kept_exists(token)
    job = Job.objects.get(kind=Job.Kind.APPLICANT_PREVIEW)
    assert s3.objects() == {job.file.name} and job.file.name.startswith("jobs/")  # the problems' workbook
    report_file = client.get(reverse("people:import-errors", args=[token]))
    sheet = load_workbook(io.BytesIO(b"".join(report_file.streaming_content))).active
    assert "出生日期19490231不是有效日期" in str(list(sheet.iter_rows(values_only=True)))
    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post(reverse("people:import-upload"), {"file": xlsx_upload([row()])})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(checked["Location"] + "confirm/")
    assert Person.objects.filter(township__code="371502101").count() == 1
    assert not any(key.startswith("imports/") for key in s3.objects())  # imported: removed
    assert files_under(web_media) == []


def test_a_background_export_is_written_to_the_bucket_and_downloaded_by_its_owner_only(
    cast, eager, s3, web_media, django_capture_on_commit_callbacks
) -> None:
    from workspace import jobs

    factories.person("371502101", name="导出人")
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.export_start(user=cast.clerk, name="people", data={})
    job.refresh_from_db()
    assert job.state == Job.State.DONE and s3.objects() == {job.file.name}
    answer = cast.client(cast.clerk).get(reverse("workspace:job-download", args=[job.pk]))
    assert "导出人" in names(b"".join(answer.streaming_content))
    assert (
        cast.client(cast.other_clerk).get(reverse("workspace:job-download", args=[job.pk])).status_code == 404
    )
    assert files_under(web_media) == []


def names(content: bytes) -> list[str]:
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    return [r[0] for r in rows[3:]]


def test_the_local_default_keeps_files_under_media_root(settings, web_media) -> None:
    from common.jobs import workbook_store

    assert settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    token = uploads.keep(xlsx_upload([row()]))
    name = workbook_store(lambda path: Path(path).write_bytes(b"PK workbook"))
    assert sorted(p.relative_to(web_media).as_posix() for p in files_under(web_media)) == sorted(
        [f"imports/{token}.xlsx", name]
    )
    uploads.kept_remove(token)
    assert not (web_media / "imports" / f"{token}.xlsx").exists()


def test_a_workbook_that_fails_to_be_written_leaves_nothing_in_the_bucket(s3) -> None:
    from common.jobs import workbook_store

    def broken(path: str) -> None:
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        workbook_store(broken)
    assert s3.objects() == set()


# The health report's storage part checks the storage configured (writes, reads, removes a file).


def test_the_health_report_checks_the_bucket(db, s3) -> None:
    from django.test import Client

    _, parts = report(Client(REMOTE_ADDR="127.0.0.1"))
    assert parts["Storage"] == "OK"
    assert s3.objects() == set()  # its test file removed


def test_the_health_report_fails_when_the_bucket_is_gone(db, s3) -> None:
    from django.test import Client

    s3.client.delete_bucket(Bucket=s3.name)
    status, parts = report(Client(REMOTE_ADDR="127.0.0.1"))
    assert status == 500 and parts["Storage"] != "OK"


# A real worker process: its own media folder, the web's storage settings from its environment.


@pytest.fixture
def start_worker(transactional_db, tmp_path: Path) -> Iterator:
    """Starts a real worker (default queue of its own, media folder of its own, `env` added);
    what this process queues goes to it."""
    from django.conf import settings

    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker for a real worker (CI sets it)")
    started: list[subprocess.Popen] = []
    previous = app.conf.task_default_queue

    def start(extra: dict[str, str]) -> Path:
        queue = f"test-{uuid.uuid4().hex[:8]}"
        media = tmp_path / "worker-media"
        env = {k: v for k, v in os.environ.items() if k != "STORAGE_S3_BUCKET"}  # only what `extra` says
        env.update(
            DATABASE_URL=database_url(),
            DJANGO_SETTINGS_MODULE="config.settings.test",
            CELERY_QUEUE=queue,
            TEST_MEDIA_ROOT=str(media),
            **extra,
        )
        started.append(
            subprocess.Popen(
                worker_command(queue),
                cwd=ROOT,
                env=env,
                stdout=(tmp_path / "worker.log").open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        app.conf.task_default_queue = queue
        return media

    yield start
    app.conf.task_default_queue = previous
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def finished(job_id: int, seconds: float = 120) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.finished:
            return job
        time.sleep(0.3)
    return Job.objects.get(pk=job_id)


def upload_on_the_web(client, rows: list[list]) -> tuple[str, Job]:
    answer = client.post(reverse("people:import-upload"), {"file": xlsx_upload(rows)})
    assert answer.status_code == 302
    token = answer["Location"].rstrip("/").rsplit("/", 1)[1]
    preview = finished(Job.objects.get(kind=Job.Kind.APPLICANT_PREVIEW, params__token=token).pk)
    return token, preview


@pytest.mark.worker
def test_an_upload_confirmed_on_the_web_is_imported_by_a_worker_on_another_machine(
    cast, s3, web_media, start_worker
) -> None:
    worker_media = start_worker(s3.env())
    client = cast.client(cast.clerk)
    token, preview = upload_on_the_web(
        client, [row(), row(name="王五", number=factories.id_number("19710101"))]
    )
    assert preview.state == Job.State.DONE, preview.error  # the worker read the web's upload
    assert (
        "全部通过检查：新增 2 人"
        in client.get(reverse("people:import-preview", args=[token])).content.decode()
    )
    assert s3.objects() == {f"imports/{token}.xlsx"}
    confirmed = client.post(reverse("people:import-confirm", args=[token]))
    job = finished(int(confirmed["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert job.state == Job.State.DONE, job.error
    assert sorted(Person.objects.values_list("name", flat=True)) == ["李四", "王五"]
    assert s3.objects() == set()  # imported: its whole numbers are not kept
    bad, refused = upload_on_the_web(client, [row(number="110105194902310021")])
    assert refused.state == Job.State.DONE and refused.file.name in s3.objects()  # written by the worker
    errors = client.get(reverse("people:import-errors", args=[bad]))  # read by the web
    sheet = load_workbook(io.BytesIO(b"".join(errors.streaming_content))).active
    assert "出生日期19490231不是有效日期" in str(list(sheet.iter_rows(values_only=True)))
    assert files_under(web_media) == [] and files_under(worker_media) == []


@pytest.mark.worker
def test_an_export_written_by_a_worker_on_another_machine_is_downloaded_from_the_web(
    cast, s3, web_media, start_worker
) -> None:
    worker_media = start_worker(s3.env())
    factories.person("371502101", name="甲")
    factories.person("371502101", birth="19710101", name="乙")
    client = cast.client(cast.clerk)
    started = client.post(reverse("workspace:export-new") + "?list=people")
    job = finished(int(started["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert job.state == Job.State.DONE, job.error
    assert s3.objects() == {job.file.name}
    answer = client.get(reverse("workspace:job-download", args=[job.pk]))
    assert sorted(names(b"".join(answer.streaming_content))) == ["乙", "甲"]
    assert files_under(web_media) == [] and files_under(worker_media) == []


@pytest.mark.worker
def test_with_the_local_default_a_worker_on_another_folder_cannot_see_the_upload(
    cast, web_media, start_worker
) -> None:
    """What S3 is for: two machines' local folders are not one (and these tests' folders are
    indeed separate, so the tests above cannot pass through a shared path)."""
    worker_media = start_worker({})
    token, preview = upload_on_the_web(cast.client(cast.clerk), [row()])
    assert preview.state == Job.State.FAILED and preview.error == "导入文件不存在或已过期，请重新上传"
    assert (web_media / "imports" / f"{token}.xlsx").exists() and files_under(worker_media) == []
    uploads.kept_remove(token)


def test_the_nightly_task_removes_job_files_past_their_days_from_the_bucket(cast, s3, settings) -> None:
    """An export's or an import report's file holds names and ID numbers: kept JOB_FILE_DAYS,
    then removed from the storage; the job stays listed and its download answers 404."""
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.urls import reverse
    from django.utils import timezone

    from common.models import Job
    from townships.access import membership_of
    from workspace.jobs import SCOPE, scope_key
    from workspace.tasks import remove_old_job_files

    def finished(days_ago: int) -> Job:
        job = Job.objects.create(
            user=cast.hr,
            kind=Job.Kind.EXPORT,
            state=Job.State.DONE,
            listing="people",
            params={SCOPE: scope_key(membership_of(cast.hr))},
        )
        job.file.save(f"export-{days_ago}.xlsx", ContentFile(b"PK fake workbook"), save=False)
        Job.objects.filter(pk=job.pk).update(
            file=job.file.name, finished_at=timezone.now() - dt.timedelta(days=days_ago)
        )
        return Job.objects.get(pk=job.pk)

    old, recent = finished(31), finished(29)
    assert len(s3.objects()) == 2
    assert remove_old_job_files() == 1
    assert s3.objects() == {recent.file.name}
    old.refresh_from_db()
    assert (old.file.name, old.message) == ("", "结果文件已超过保存期限，已删除")
    client = cast.client(cast.hr)
    assert client.get(reverse("workspace:job-download", args=[old.pk])).status_code == 404
    assert client.get(reverse("workspace:job-download", args=[recent.pk])).status_code == 200
