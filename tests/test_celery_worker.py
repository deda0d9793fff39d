"""A real Celery worker process, started against the real Redis, runs a task of ours
reading the real test database, and its result comes back through Redis."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from demo.seed import seed_reference_data

if TYPE_CHECKING:
    from subsidies.models import PayrollRun

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.worker


def worker_command(queue: str) -> list[str]:
    """A real Celery worker of this project taking the tasks of `queue` (one process, quiet)."""
    quiet = ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"]
    return [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue, *quiet]


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker for a real worker (CI sets it)")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="config.settings.test")
    process = subprocess.Popen(
        worker_command(queue),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_a_real_worker_runs_plan_summary_against_the_database(worker) -> None:
    seed_reference_data()
    result = app.send_task("posts.tasks.plan_summary", args=["371502", 2022], queue=worker)
    assert result.get(timeout=90) == {"total": 3310, "urban": 760, "rural": 2550, "filled": 0}


def test_beat_schedules_a_task_that_exists() -> None:
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_a_real_worker_computes_a_payroll_month(worker) -> None:
    import datetime as dt
    from decimal import Decimal

    from subsidies import payroll
    from subsidies.models import PayrollRun
    from tests import factories
    from townships.models import County

    seed_reference_data()
    factories.placement("371502101")
    factories.placement("370812101", name="兖州人")
    run = payroll.start(payroll.run_for(County.objects.get(code="371502"), dt.date(2022, 2, 1)))
    result = app.send_task("subsidies.compute_payroll", args=[run.pk], queue=worker)
    assert result.get(timeout=90) == 1
    run = PayrollRun.objects.get(pk=run.pk)
    assert run.state == "computed"
    assert list(run.lines.values_list("pay", "province", "city", "district")) == [
        (Decimal("680.00"), Decimal("333.34"), Decimal("138.66"), Decimal("208.00"))
    ]


def test_a_real_worker_records_its_changes_under_the_user_who_queued_the_task(worker) -> None:
    import datetime as dt

    from audit.context import acting_as
    from audit.models import Entry
    from subsidies import payroll
    from townships.models import County, Role
    from townships.services import user_with_membership_ensure

    seed_reference_data()
    county = County.objects.get(code="371502")
    officer = user_with_membership_ensure(
        username="finance", password="x" * 12, role=Role.FINANCE, county=county, township=None
    )
    run = payroll.start(payroll.run_for(county, dt.date(2022, 2, 1)))
    with acting_as(officer, "网页"):  # as a request of the finance officer queues it
        result = app.send_task("subsidies.compute_payroll", args=[run.pk], queue=worker)
    result.get(timeout=90)
    entry = Entry.objects.get(
        subject=f"subsidies.payrollrun:{run.pk}", changes__state=["computing", "computed"]
    )
    assert entry.actor == officer and entry.via == "后台任务 subsidies.compute_payroll"


def test_a_split_run_gives_the_lines_of_a_single_task_run(worker) -> None:
    import datetime as dt

    from subsidies import payroll
    from subsidies.models import PayrollRun
    from subsidies.tasks import compute_split
    from tests import factories
    from townships.models import County

    seed_reference_data()
    for code in ("371502101", "371502102", "371502103"):
        factories.placement(code, name="在岗人")
    factories.placement("371502104", on_post=dt.date(2022, 3, 16), name="月中人")
    county = County.objects.get(code="371502")
    single = payroll.compute_run(payroll.run_for(county, dt.date(2022, 3, 1)))
    expected = sorted(single.lines.values_list("placement_id", "pay", "province", "city", "district"))
    PayrollRun.objects.filter(pk=single.pk).update(state="draft")
    run = payroll.start(PayrollRun.objects.get(pk=single.pk))
    assert compute_split(run, queue=worker).get(timeout=120) == 4
    run = PayrollRun.objects.get(pk=run.pk)
    assert (run.state, run.progress_done, run.progress_total) == ("computed", 14, 14)
    assert sorted(run.lines.values_list("placement_id", "pay", "province", "city", "district")) == expected


def start_worker(queue: str) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="config.settings.test")
    return subprocess.Popen(
        worker_command(queue),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_worker_killed_during_a_run_leaves_it_resumable_with_the_same_lines(
    transactional_db, settings
) -> None:
    """Kill -9 the worker while (or before) it computes: the run is computed or still 计算中;
    once silent it starts again as a new attempt, the old attempt's task (sent again) does
    nothing, and a new worker computes exactly the lines of an uninterrupted run."""
    import datetime as dt
    import signal
    import time

    from django.utils import timezone

    from common.models import Job
    from subsidies import payroll
    from subsidies.models import PayrollLine, PayrollRun
    from tests import factories
    from townships.models import County

    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker for a real worker (CI sets it)")
    seed_reference_data()
    for i, town in enumerate(["371502101", "371502102", "371502103", "371502104"]):
        factories.placement(town, name="甲乙丙丁"[i] + "某", on_post=dt.date(2022, 1, 5 + i))
    run = payroll.run_for(County.objects.get(code="371502"), dt.date(2022, 3, 1))

    def lines() -> list[tuple]:
        rows = PayrollLine.objects.filter(run=run).values_list(
            "placement_id", "pay", "province", "city", "district"
        )
        return sorted(rows)

    expected = lines() if payroll.compute_run(run) else []
    assert len(expected) == 4
    queue = f"test-{uuid.uuid4().hex[:8]}"
    first = start_worker(queue)
    started = payroll.start(PayrollRun.objects.get(pk=run.pk))
    app.send_task("subsidies.compute_payroll", args=[run.pk, started.attempt], queue=queue)
    time.sleep(1.0)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=20)
    state = PayrollRun.objects.get(pk=run.pk).state
    assert state in ("computing", "computed")
    quiet = timezone.now() - dt.timedelta(minutes=settings.PAYROLL_STALE_MINUTES + 1)
    job_id = PayrollRun.objects.get(pk=run.pk).job_id
    assert job_id is not None  # a started run is tracked by its job
    Job.objects.filter(pk=job_id).update(heartbeat_at=quiet)
    again = payroll.start(PayrollRun.objects.get(pk=run.pk))
    second = start_worker(queue)
    try:
        app.send_task("subsidies.compute_payroll", args=[run.pk, started.attempt], queue=queue)  # redelivered
        result = app.send_task("subsidies.compute_payroll", args=[run.pk, again.attempt], queue=queue)
        assert result.get(timeout=90) == 4
    finally:
        second.terminate()
        second.wait(timeout=20)
    assert PayrollRun.objects.get(pk=run.pk).state == "computed"
    assert lines() == expected


@pytest.fixture
def default_queue_worker(transactional_db):
    """A real worker whose default queue is its own: tasks that other tasks or commands queue
    without naming a queue (the beat job's, compute_subsidies') reach it and no other worker."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker for a real worker (CI sets it)")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="config.settings.test")
    env["CELERY_QUEUE"] = queue
    process = subprocess.Popen(
        worker_command(queue),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue  # what this test process queues goes there too
    yield queue
    app.conf.task_default_queue = previous
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _wait_computed(run_id: int) -> "PayrollRun":
    import time

    from subsidies.models import PayrollRun

    for _ in range(180):
        run = PayrollRun.objects.get(pk=run_id)
        if run.state != "computing":
            return run
        time.sleep(0.5)
    return PayrollRun.objects.get(pk=run_id)


def test_the_beat_job_computes_the_current_month_in_a_real_worker(default_queue_worker) -> None:
    """The scheduled job (as beat sends it) starts the month and the computation it queues
    carries the started attempt: the run ends 已计算 with its line, not 计算中 with none."""
    import datetime as dt

    from subsidies.models import PayrollRun
    from tests import factories

    seed_reference_data()
    month = dt.date(2022, 3, 1)  # the beat job as it ran on 2022-03-25
    factories.placement("371502101", on_post=month - dt.timedelta(days=40))
    result = app.send_task("subsidies.compute_current_month", args=["2022-03-25"], queue=default_queue_worker)
    started = result.get(timeout=90)
    run = PayrollRun.objects.get(county__code="371502", month=month)
    assert run.pk in started
    run = _wait_computed(run.pk)
    assert (run.state, run.attempt, run.lines.count()) == ("computed", 1, 1)


def test_compute_subsidies_without_sync_is_computed_by_a_real_worker(default_queue_worker) -> None:
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command

    from subsidies.models import PayrollRun
    from tests import factories

    seed_reference_data()
    factories.placement("371502101")
    call_command("compute_subsidies", county="371502", month="2022-02")
    run = _wait_computed(PayrollRun.objects.get(county__code="371502", month=dt.date(2022, 2, 1)).pk)
    assert run.state == "computed"
    assert list(run.lines.values_list("pay", flat=True)) == [Decimal("680.00")]
    call_command("compute_subsidies", county="371502", month="2022-02")  # again: a second attempt
    run = _wait_computed(run.pk)
    assert (run.state, run.attempt) == ("computed", 2)
