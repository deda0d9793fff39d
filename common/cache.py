"""The one way to keep a computed value in the cache. The cache is an accelerator, never a
dependency: with Redis down the value is computed afresh and the page still answers."""

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

log = logging.getLogger(__name__)
T = TypeVar("T")


def cached(key: str, compute: Callable[[], T], timeout: int) -> T:
    """`compute()`, kept under `key` for `timeout` seconds when the cache is reachable."""
    try:
        value = cache.get(key)
    except Exception as exc:  # Redis unreachable: compute, do not fail the page
        log.warning("cache unavailable (%s): computing %s", exc.__class__.__name__, key)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception as exc:
            log.warning("cache unavailable (%s): not keeping %s", exc.__class__.__name__, key)
    return value
