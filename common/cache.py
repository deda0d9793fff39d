"""The one way to keep a computed value in the cache. The cache is an accelerator, never a
dependency: with Redis down or hung the value is computed afresh and the page still answers.

A hung Redis costs one read its socket timeout (CACHE_TIMEOUT_SECONDS); after a failure this
process leaves the cache alone for RESTING_SECONDS, so a page with many cached values does not
wait once per value."""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver

log = logging.getLogger(__name__)
T = TypeVar("T")
RESTING_SECONDS = 30.0
_resting_until = 0.0


def cached(key: str, compute: Callable[[], T], timeout: int) -> T:
    """`compute()`, kept under `key` for `timeout` seconds when the cache is reachable."""
    if time.monotonic() < _resting_until:
        return compute()
    try:
        value = cache.get(key)
    except Exception as exc:  # Redis unreachable or not answering: compute, do not fail the page
        _rest(exc, f"computing {key}")
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception as exc:
            _rest(exc, f"not keeping {key}")
    return value


def call(what: str, ask: Callable[[], T], fallback: T) -> T:
    """`ask()` of the cache, or `fallback` while the cache rests or when it fails now (then it
    rests): every direct use of the cache goes through here or `cached`."""
    if not available():
        return fallback
    try:
        return ask()
    except Exception as exc:
        _rest(exc, what)
        return fallback


def available() -> bool:
    """False while this process leaves the cache alone after a failure (other users of the
    cache, the sessions of accounts/sessions.py, ask here first)."""
    return time.monotonic() >= _resting_until


def failed(exc: Exception, what: str) -> None:
    """Report a failed cache call: the cache is left alone for RESTING_SECONDS."""
    _rest(exc, what)


def _rest(exc: Exception, what: str) -> None:
    global _resting_until
    _resting_until = time.monotonic() + RESTING_SECONDS
    log.warning(
        "cache unavailable (%s): %s; not asked again for %.0f s",
        exc.__class__.__name__,
        what,
        RESTING_SECONDS,
    )


@receiver(setting_changed)
def cache_resume(*, setting: str = "CACHES", **kwargs: object) -> None:
    """Ask the cache again at once: another cache is configured (tests change CACHES)."""
    global _resting_until
    if setting != "CACHES":
        return
    _resting_until = 0.0
