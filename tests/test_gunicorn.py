"""Real gunicorn with config/gunicorn.py (as docker-compose.yml and the Dockerfile start it): its
access log holds no ID number, it believes X-Forwarded-Proto only from the trusted proxy, and a
kept database connection that PostgreSQL closed costs no request."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from tests.proxy import Browser, free_port, wait_for_port
from tests.test_celery_worker import database_url

ROOT = Path(__file__).resolve().parent.parent
NUMBER = "371502197003120011"


@contextmanager
def gunicorn(directory: Path, **env: str) -> Iterator[int]:
    """One gunicorn worker on a free port of 127.0.0.1, its access log in directory/access.log."""
    port = free_port()
    environment = dict(os.environ, DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="config.settings.test")
    environment.update(GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", **env)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.py",
            "--access-logfile",
            str(directory / "access.log"),
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, seconds=30)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def read_log(path: Path) -> str:
    for _ in range(50):  # gunicorn writes the line after the answer
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.1)
    return ""


def test_the_access_log_holds_no_id_number_typed_into_an_address(transactional_db, tmp_path) -> None:
    with gunicorn(tmp_path) as port:
        status, _ = Browser(port, "127.0.0.1", tls=False).request("GET", f"/people/?q={NUMBER}")
        assert status == 302  # to the login page
        log = read_log(tmp_path / "access.log")
    assert '"GET /people/ HTTP/1.1" 302' in log
    assert NUMBER not in log and NUMBER[-4:] not in log and "q=" not in log


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1",
}


def collectstatic(directory: Path) -> Path:
    """`manage.py collectstatic` under the production settings (the Dockerfile's build step): the
    folder to give gunicorn as STATIC_ROOT. Production pages name the collected files."""
    static = directory / "staticfiles"
    environment = dict(os.environ, **PRODUCTION, DATABASE_URL="sqlite:///:memory:", STATIC_ROOT=str(static))
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return static


@pytest.mark.parametrize(
    ("trusted", "answer"), [("", 301), ("127.0.0.1", 200)], ids=["from a client", "from the proxy"]
)
def test_x_forwarded_proto_is_believed_from_the_trusted_proxy_only(
    transactional_db, tmp_path, static, trusted, answer
) -> None:
    """Under production settings a plain request is sent to HTTPS; saying "https" in the header
    helps only when the peer is the proxy (TRUSTED_PROXIES, gunicorn's --forwarded-allow-ips)."""
    with gunicorn(tmp_path, TRUSTED_PROXIES=trusted, STATIC_ROOT=str(static), **PRODUCTION) as port:
        browser = Browser(port, "127.0.0.1", tls=False, headers={"X-Forwarded-Proto": "https"})
        assert browser.request("GET", "/login/")[0] == answer


@pytest.mark.postgres
def test_a_connection_closed_by_postgresql_costs_no_request(transactional_db, tmp_path) -> None:
    """Production keeps connections (CONN_MAX_AGE); a PostgreSQL restart closes them under the
    workers. The next request replaces the dead connection instead of answering 500."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (DATABASE_URL)")
    with gunicorn(tmp_path, CONN_MAX_AGE="600") as port:
        browser = Browser(port, "127.0.0.1", tls=False)
        assert browser.login("nobody-here", "wrong-password") == 200  # reads users and lock-outs
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchall(), "the worker kept no connection"
        assert browser.login("nobody-here", "wrong-password") == 200
