"""gunicorn under config.settings.production on loopback, as the image runs it: static files
collected as the Dockerfile does (the `static` fixture of tests/conftest.py), the client
taken for the TLS proxy (TRUSTED_PROXIES=127.0.0.1, X-Forwarded-Proto: https) unless a test says
otherwise. Used by tests/test_static.py, test_health.py and test_errors.py."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.proxy import Browser
from tests.test_gunicorn import PRODUCTION, gunicorn

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def production(directory: Path, static: Path, **env: str) -> Iterator[int]:
    """One production gunicorn worker; its port. The peer 127.0.0.1 is the trusted proxy."""
    settings = dict(PRODUCTION, STATIC_ROOT=str(static), TRUSTED_PROXIES="127.0.0.1")
    settings.update(env)
    with gunicorn(directory, **settings) as port:
        yield port


def production_user(settings, **membership: object):
    """A user whose password the production settings can check (not the tests' fast MD5 hash)."""
    from django.conf import global_settings

    from townships.services import user_with_membership_ensure

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    return user_with_membership_ensure(**membership)  # type: ignore[arg-type]


def browser(port: int, source: str = "127.0.0.1") -> Browser:
    """A client behind the TLS proxy: HTTPS as the proxy says, same-origin for CSRF."""
    headers = {"X-Forwarded-Proto": "https", "Origin": f"https://127.0.0.1:{port}"}
    return Browser(port, source, tls=False, headers=headers)
