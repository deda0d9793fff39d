"""Login: lock-out by username and IP together, a strict content-security policy, sessions that
end after inactivity, and production settings that pass Django's deployment checks."""

import datetime as dt
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent.parent


def login(username: str, password: str, ip: str = "10.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    return client, client.post(reverse("login"), {"username": username, "password": password})


def test_five_wrong_passwords_lock_that_user_at_that_address_only(cast, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _, response = login("clerk", "wrong-password")
        assert response.status_code == 200 and "请输入一个正确的" in response.content.decode()
    assert login("clerk", "wrong-password")[1].status_code == 429  # the fifth locks
    _, locked = login("clerk", PASSWORD)
    assert locked.status_code == 429 and "登录已暂停" in locked.content.decode()
    _, colleague = login("clerk2", PASSWORD)  # same government network address, other user
    assert colleague.status_code == 302
    _, elsewhere = login("clerk", PASSWORD, ip="10.0.0.2")
    assert elsewhere.status_code == 302


def test_a_right_password_before_the_limit_resets_the_count(cast, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login("hr", "wrong-password")
    assert login("hr", PASSWORD)[1].status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login("hr", "wrong-password")
    assert login("hr", PASSWORD)[1].status_code == 302


def test_pages_carry_a_content_security_policy_without_inline_script(cast) -> None:
    response = cast.client(cast.hr).get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy


def test_a_session_ends_after_thirty_idle_minutes(cast, settings) -> None:
    settings.SESSION_ENGINE = (
        "django.contrib.sessions.backends.db"  # Redis's: tests/accounts/test_sessions.py
    )
    client, response = login("finance", PASSWORD)
    assert response.status_code == 302
    session = Session.objects.get()
    assert dt.timedelta(minutes=29) < session.expire_date - timezone.now() <= dt.timedelta(minutes=30)
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    assert client.get(reverse("home")).status_code == 200  # a request moves the expiry on
    assert Session.objects.get().expire_date - timezone.now() > dt.timedelta(minutes=29)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_a_weak_password_is_refused(cast) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("12345678901", "short1", "password123"):
        try:
            validate_password(weak, user=cast.clerk)
        except ValidationError:
            continue
        raise AssertionError(f"{weak} was accepted")


def test_production_settings_pass_the_deployment_checks() -> None:
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="posts.example.gov.cn",
        DATABASE_URL="sqlite:///unused.sqlite3",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
