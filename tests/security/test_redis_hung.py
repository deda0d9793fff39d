"""A Redis that accepts connections and never answers (a hung server, a full network buffer)
must not hold the pages: the queue and the cache give up within seconds, the page says the
queue is unavailable, and the run or job it started is failed and can be started again.

The hung server is a real socket started here; the clients are the real Redis clients of
Celery (kombu) and of Django's cache, with the timeouts of config/settings/base.py."""

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from common.models import Job
from config.celery import app
from subsidies.models import PayrollRun
from tests import factories
from workspace import jobs

# A page that queues a task subscribes to its result and publishes it, each a try and one retry
# bounded by the socket timeout; far from the 60 s after which gunicorn would kill the worker.
QUEUE_BOUND = 4 * django_settings.QUEUE_TIMEOUT_SECONDS + 2


@pytest.fixture
def hung_redis() -> Iterator[str]:
    """redis://… of a server that accepts every connection and never reads or answers."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:  # closed at the end of the test
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for connection in held:
        connection.close()


@pytest.fixture
def hung_queue(hung_redis: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Celery's broker and result backend on the hung server, with the settings' timeouts."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", f"{hung_redis}/0")
    monkeypatch.setitem(app.conf, "broker_write_url", None)
    monkeypatch.setitem(app.conf, "result_backend", f"{hung_redis}/0")
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    monkeypatch.setattr(app._local, "backend", None, raising=False)
    return hung_redis


def test_the_queue_and_cache_timeouts_are_short(settings) -> None:
    assert app.conf.broker_transport_options["socket_timeout"] == settings.QUEUE_TIMEOUT_SECONDS <= 2
    assert app.conf.broker_transport_options["socket_connect_timeout"] <= 2
    assert app.conf.task_publish_retry_policy["max_retries"] <= 1
    assert app.conf.result_backend_transport_options["retry_policy"]["max_retries"] <= 1
    assert app.conf.redis_socket_timeout <= 2 and app.conf.redis_socket_connect_timeout <= 2
    if settings.CACHE_URL:  # the Redis cache, as configured
        options = settings.CACHES["default"]["OPTIONS"]
        assert (
            options["socket_timeout"]
            == options["socket_connect_timeout"]
            == settings.CACHE_TIMEOUT_SECONDS
            <= 1
        )


def test_with_the_queue_hung_starting_a_month_answers_in_seconds_and_can_be_started_again(
    cast, hung_queue
) -> None:
    factories.placement("371502101")
    client = cast.client(cast.finance)
    began = time.monotonic()
    page = client.post(reverse("subsidies:run-start"), {"month": "2022-03"}, follow=True)
    took = time.monotonic() - began
    assert page.status_code == 200 and took < QUEUE_BOUND, took
    assert "计算任务未能提交：任务队列暂时不可用，请稍后重试。" in page.content.decode()
    run = PayrollRun.objects.get()
    assert run.state == PayrollRun.State.FAILED and "任务队列不可用" in run.error
    # failed, not 计算中: finance may start it again at once (and is told the same while Redis hangs)
    again = client.post(reverse("subsidies:run-start"), {"month": "2022-03"}, follow=True)
    assert "任务队列暂时不可用" in again.content.decode()
    assert PayrollRun.objects.get().attempt == run.attempt + 1


def test_with_the_queue_hung_a_job_fails_in_seconds_with_the_reason(
    cast, hung_queue, django_capture_on_commit_callbacks
) -> None:
    factories.person("371502101")
    began = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.export_start(user=cast.clerk, name="people", data={})
    assert time.monotonic() - began < QUEUE_BOUND
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "任务队列暂时不可用" in job.error
    page = cast.client(cast.clerk).get(reverse("workspace:job-detail", args=[job.pk]))
    assert "任务队列暂时不可用" in page.content.decode()


def test_with_the_cache_hung_the_pages_answer_in_seconds(cast, hung_redis, settings) -> None:
    from subsidies import payroll
    from townships.models import County

    factories.placement("371502101", on_post=dt.date(2019, 1, 1))
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), dt.date(2022, 2, 1)))
    timeout = django_settings.CACHE_TIMEOUT_SECONDS
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"{hung_redis}/1",
            "OPTIONS": {"socket_timeout": timeout, "socket_connect_timeout": timeout},
        }
    }
    pages = [(cast.clerk, reverse("home")), (cast.hr, reverse("home")), (cast.finance, reverse("home"))]
    pages += [(cast.clerk, reverse("placements:alerts"))]
    pages += [(cast.finance, reverse("subsidies:run-detail", args=[run.pk]))]
    began = time.monotonic()
    for user, url in pages:
        assert cast.client(user).get(url).status_code == 200, url
    # one read waits out the socket timeout; the rest do not ask the hung cache again
    assert time.monotonic() - began < 3 * timeout + 3
