"""The health report (/health/, /health/web/): JSON per part for this machine only, and the
compose file's own probe commands run against real gunicorn (production settings), a real
Celery worker and the real Redis."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from tests.production import production
from tests.proxy import Browser, free_port
from tests.test_celery_worker import database_url, worker  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def report(client: Client, path: str = "/health/web/") -> tuple[int, dict[str, str]]:
    """The report as a prober gets it, asked from a thread of its own: a browser test earlier in
    the same process leaves an event loop in this thread, where the health checks cannot run."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def ask():
        try:
            return client.get(path)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        response = pool.submit(ask).result()
    return response.status_code, {part.split("(")[0]: state for part, state in response.json().items()}


def test_it_reports_each_part_to_this_machine_in_json(db) -> None:
    status, parts = report(Client(REMOTE_ADDR="127.0.0.1"))
    assert status == 200
    assert parts == {"Database": "OK", "Storage": "OK", "Migrations": "OK"}


def test_from_elsewhere_it_is_an_unknown_page_with_no_detail(db) -> None:
    for address in ("192.0.2.10", "172.30.0.10"):  # any client; the TLS proxy too
        response = Client(REMOTE_ADDR=address).get("/health/")
        assert response.status_code == 404
        assert b"Database" not in response.content and b"Migrations" not in response.content


def test_a_migration_not_applied_makes_the_report_fail(transactional_db) -> None:
    # committed (the checks run in threads with their own connections), then put back
    applied = MigrationRecorder.Migration.objects.filter(app="audit").order_by("-id").first()
    assert applied is not None  # the test database has the audit app's migrations applied
    applied.delete()
    try:
        status, parts = report(Client(REMOTE_ADDR="127.0.0.1"))
    finally:
        MigrationRecorder.Migration.objects.create(
            app=applied.app, name=applied.name, applied=applied.applied
        )
    assert status == 500
    assert parts["Migrations"].startswith("Unavailable: 1 migrations not applied: audit.")
    assert parts["Database"] == "OK"


def probe(service: str, **env: str) -> subprocess.CompletedProcess:
    """The compose file's health check of `service`, run here as Docker would run it."""
    test = COMPOSE["services"][service]["healthcheck"]["test"]
    command = ["sh", "-c", test[1].replace("$$", "$")] if test[0] == "CMD-SHELL" else test[1:]
    environment = dict(os.environ, DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="config.settings.test")
    # `python` and `celery` of the image: this virtualenv's
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    environment.update(env)
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def healthy(service: str, **env: str) -> subprocess.CompletedProcess:
    """The probe as Docker judges it: the service is unhealthy only after `retries` failures in a
    row (a busy machine may miss one ping's 10 s), so it is run up to that many times."""
    retries = COMPOSE["services"][service]["healthcheck"].get("retries", 3)
    for _ in range(retries - 1):
        result = probe(service, **env)
        if result.returncode == 0:
            return result
    return probe(service, **env)


@pytest.mark.worker
def test_the_compose_probes_pass_against_real_gunicorn_worker_and_broker(worker, tmp_path, static) -> None:  # noqa: F811
    queue = worker
    # ALLOWED_HOSTS names the public host only and HTTPS is required: the probe still gets in
    with production(
        tmp_path, static, ALLOWED_HOSTS="gongyi.example.cn", TRUSTED_PROXIES="", CELERY_QUEUE=queue
    ) as port:
        bind = f"127.0.0.1:{port}"
        web = healthy("web", GUNICORN_BIND=bind)
        assert web.returncode == 0, web.stderr
        pinged = healthy("worker", HOSTNAME=socket.gethostname())
        assert pinged.returncode == 0, pinged.stderr
        assert healthy("beat").returncode == 0
        status, body = Browser(port, "127.0.0.1", tls=False).request("GET", "/health/")
        assert status == 200, body
        parts = {part.split("(")[0]: state for part, state in json.loads(body).items()}
        assert parts == {name: "OK" for name in ("Database", "Cache", "Storage", "Migrations", "CeleryPing")}
        # the pages themselves are still refused to a host that is not the site's
        assert Browser(port, "127.0.0.1", tls=False).request("GET", "/login/")[0] == 400


@pytest.mark.worker
def test_the_probes_fail_without_a_worker_or_broker(transactional_db, tmp_path, static, settings) -> None:
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker (CI sets it)")
    with production(tmp_path, static, CELERY_QUEUE="no-worker-reads-this") as port:
        status, body = Browser(port, "127.0.0.1", tls=False).request("GET", "/health/")
        assert status == 500, body
        parts = {part.split("(")[0]: state for part, state in json.loads(body).items()}
        assert parts["CeleryPing"] == "Unavailable: Celery workers unavailable"
        assert parts["Database"] == parts["Migrations"] == "OK"
        assert probe("web", GUNICORN_BIND=f"127.0.0.1:{port}").returncode == 0  # pages can be served
    assert probe("worker", HOSTNAME="no-such-worker-here").returncode != 0
    assert probe("beat", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0").returncode != 0
    assert probe("web", GUNICORN_BIND=f"127.0.0.1:{port}").returncode != 0  # gunicorn stopped
