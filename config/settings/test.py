"""Test settings: fast hashing; PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ARTIFACTS = BASE_DIR / "test-artifacts"
ARTIFACTS.mkdir(exist_ok=True)
# TEST_MEDIA_ROOT: a worker started by a test gets a folder of its own (tests/test_storage.py), so
# that no file can pass from web to worker through a shared local path
MEDIA_ROOT = env.path("TEST_MEDIA_ROOT", default=str(ARTIFACTS / "media"))

# A file-backed SQLite test database, so a separate worker process can open it too;
# one per test process so that two runs on one machine do not collide.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(ARTIFACTS / f"test-db-{os.getpid()}.sqlite3")}
