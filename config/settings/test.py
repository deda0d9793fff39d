"""Test settings: fast hashing; PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set.

`make test` runs the suite in parallel (pytest-xdist): each worker process ("gw0", "gw1", …) gets
its own test database (pytest-django adds the suffix), its own Redis databases and its own media
folder, so that no worker empties another's cache or queue, or counts another's files."""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

REDIS_DATABASES = 16  # Redis's default number of databases (0-15)


def _redis_of_this_worker() -> None:
    """Under pytest-xdist, worker N takes two Redis databases: REDIS_URL's database + 2N for the
    queue and the next one for the cache (worker gw0 of REDIS_URL=…/0: 0 and 1, as a serial run).
    Written back to the environment, so that the gunicorn and Celery processes a test starts use
    them too; TEST_REDIS_WORKER marks it done for those processes, which import these settings
    again with the same PYTEST_XDIST_WORKER."""
    environ.Env.read_env(Path(__file__).resolve().parents[2] / ".env", overwrite=False)  # as base.py
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = os.environ.get("REDIS_URL", "")
    if not worker or not url or os.environ.get("TEST_REDIS_WORKER") == worker:
        return
    server, _, database = url.rpartition("/")
    queue = int(database or 0) + 2 * int(worker.removeprefix("gw"))
    if queue + 1 >= REDIS_DATABASES:
        raise ImproperlyConfigured(
            f"{worker} would need Redis databases {queue} and {queue + 1}: lower REDIS_URL's database "
            f"or the number of test workers (make test TEST_WORKERS=…)"
        )
    os.environ.update(
        REDIS_URL=f"{server}/{queue}", CACHE_URL=f"{server}/{queue + 1}", TEST_REDIS_WORKER=worker
    )


_redis_of_this_worker()

from .base import *  # noqa: E402, F403
from .base import BASE_DIR, DATABASES, env  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ARTIFACTS = BASE_DIR / "test-artifacts"
ARTIFACTS.mkdir(exist_ok=True)
# TEST_MEDIA_ROOT: a worker started by a test gets a folder of its own (tests/test_storage.py), so
# that no file can pass from web to worker through a shared local path; each xdist worker too.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
MEDIA_ROOT = env.path(
    "TEST_MEDIA_ROOT", default=str(ARTIFACTS / (f"media-{_WORKER}" if _WORKER else "media"))
)

# A file-backed SQLite test database, so a separate worker process can open it too;
# one per test process so that two runs on one machine do not collide. A test database need not
# survive a power cut: no fsync at each commit (synchronous=OFF) and the rollback journal kept
# between transactions instead of created and deleted each time (PERSIST); both stay safe when a
# test kills a worker process mid-transaction. A transactional test's flush (which names ~1,000
# permissions in Chinese, one commit each) went from 6-10 s to 0.5-0.7 s on this busy machine.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(ARTIFACTS / f"test-db-{os.getpid()}.sqlite3")}
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA synchronous=OFF; PRAGMA journal_mode=PERSIST"
    )
# PostgreSQL (CI): a commit does not wait for its WAL to reach the disk (synchronous_commit=off;
# a server crash may lose the last commits, never corrupts). 1,000 single-row commits, as a
# transactional test's flush makes: 2.9-5.0 s -> 0.4-2.0 s on this busy machine.
if "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"]["OPTIONS"]["options"] += " -c synchronous_commit=off"
