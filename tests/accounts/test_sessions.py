"""Sessions with Redis (accounts.sessions): pages read them from the cache and a request that
only moves the idle expiry writes no database row; Redis down, hung or emptied logs nobody out."""

import datetime as dt
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import sessions
from tests.conftest import PASSWORD
from tests.security.test_redis_down import DEAD
from tests.security.test_redis_hung import hung_redis  # noqa: F401 (fixture)

PAGES = [reverse("home"), reverse("people:person-list"), reverse("placements:alerts")]


@pytest.fixture(autouse=True)
def cached_sessions(settings) -> None:
    """The engine production uses with REDIS_URL, on this run's cache (Redis in CI)."""
    settings.SESSION_ENGINE = "accounts.sessions"


def logged_in(username: str = "clerk") -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


def session_statements(client: Client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        for page in PAGES:
            assert client.get(page).status_code == 200, page
    return [q["sql"] for q in queries if "django_session" in q["sql"]]


def test_pages_neither_read_nor_write_the_session_table(cast) -> None:
    client = logged_in()
    assert session_statements(client) == []


def test_the_database_copy_is_brought_along_now_and_then(cast, monkeypatch) -> None:
    client = logged_in()
    monkeypatch.setattr(sessions, "DB_REFRESH_SECONDS", 0)  # as if the last write were long ago
    written = session_statements(client)
    assert len([sql for sql in written if sql.startswith("UPDATE")]) == len(PAGES)


def test_an_emptied_cache_logs_nobody_out(cast) -> None:
    from django.core.cache import cache

    client = logged_in()
    cache.clear()
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("people:person-list")).status_code == 200


def test_with_redis_down_users_log_in_and_stay_logged_in(cast, settings) -> None:
    client = logged_in()  # a session made while Redis was up
    settings.CACHES = DEAD
    for page in PAGES:
        assert client.get(page).status_code == 200, page
    fresh = logged_in("hr")
    assert fresh.get(reverse("home")).status_code == 200
    fresh.post(reverse("logout"))
    assert fresh.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_with_redis_hung_the_pages_answer_in_seconds(cast, settings, hung_redis) -> None:  # noqa: F811
    client = logged_in()
    timeout = settings.CACHE_TIMEOUT_SECONDS
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"{hung_redis}/1",
            "OPTIONS": {"socket_timeout": timeout, "socket_connect_timeout": timeout},
        }
    }
    began = time.monotonic()
    for page in PAGES:
        assert client.get(page).status_code == 200, page
    assert logged_in("hr").get(reverse("home")).status_code == 200
    # one call waits out the socket timeout; then the cache is left alone (common.cache)
    assert time.monotonic() - began < 3 * timeout + 3


def test_the_idle_expiry_moves_on_in_redis_and_an_idle_session_ends(cast, settings) -> None:
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.utils import timezone

    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set (CI sets it)")
    client = logged_in()
    key = cache.make_and_validate_key(sessions.SessionStore.cache_key_prefix + client.session.session_key)
    redis = cache._cache.get_client(key)  # type: ignore[attr-defined]  # RedisCache's client: private, not in the stubs
    redis.expire(key, 60)  # as if idle for 29 minutes
    assert client.get(reverse("home")).status_code == 200
    assert 29 * 60 < redis.ttl(key) <= 30 * 60  # the request moved the expiry on
    redis.delete(key)  # idle for 30 minutes: gone from Redis, and the database copy expired
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_a_cached_copy_the_logout_could_not_remove_ends_with_the_refresh_period(cast, monkeypatch) -> None:
    """Redis unreachable at the logout: its copy is trusted only while its database copy is
    recent (DB_REFRESH_SECONDS); then the database, which no longer has it, is asked."""
    from django.core.cache import cache

    from common import cache as site_cache

    client = logged_in()
    old_cookie = client.cookies["sessionid"].value

    def unreachable(*args, **kwargs):
        raise ConnectionError("redis unreachable")

    from django.conf import settings
    from django.core.cache import caches

    monkeypatch.setattr(type(caches[settings.SESSION_CACHE_ALIAS]), "delete", unreachable)
    client.post(reverse("logout"))
    monkeypatch.undo()
    key = sessions.SessionStore.cache_key_prefix + old_cookie
    kept = cache.get(key)
    assert kept is not None  # the outage left it in Redis
    kept[sessions.WRITTEN] -= sessions.DB_REFRESH_SECONDS + 1
    cache.set(key, kept, 600)
    monkeypatch.setattr(site_cache, "_resting_until", 0.0)  # the cache is asked again
    again = Client()
    again.cookies["sessionid"] = old_cookie
    assert again.get(reverse("home")).status_code == 302
    assert cache.get(key) is None
