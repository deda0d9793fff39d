"""A migrated SQLite test database kept between runs, so a test process copies it instead of
applying every migration again (on this busy 2-core machine the migrations took 40-80 s of each
process's start, a copy well under a second).

The copy is test-artifacts/template-<key>.sqlite3; the key hashes every installed app's migration
files and Django's version, so a new or changed migration builds a new one (and the old ones are
removed). One process builds it while the others wait on a lock (test-artifacts/template.lock),
then each copies it; `migrate` still runs on the copy (nothing to apply) and so does its
post_migrate (the permissions' Chinese names). PostgreSQL (CI) creates its test databases as
before. TEST_DB_TEMPLATE=0 turns it off."""

import fcntl
import hashlib
import os
import shutil
import sqlite3
from pathlib import Path
from typing import IO

PREFIX = "template-"


def migrations_key() -> str:
    """A digest of every installed app's migration files (names and contents) and Django's version."""
    import django
    from django.apps import apps

    digest = hashlib.sha256(django.get_version().encode())
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        for path in sorted((Path(config.path) / "migrations").glob("*.py")):
            digest.update(f"{config.label}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class Template:
    """prepare() before the test database is created: True when it was copied from the template
    (then it is kept: `keepdb`); otherwise this process builds the template, which save() writes
    once the database is migrated. remove() deletes this process's database and journal at the end."""

    def __init__(self) -> None:
        self.name: Path | None = None  # this process's test database
        self.path: Path | None = None  # the template
        self.lock: IO[str] | None = None
        self.cloned = False

    def prepare(self) -> bool:
        from django.conf import settings

        database = settings.DATABASES["default"]
        name = database.get("TEST", {}).get("NAME")
        if not database["ENGINE"].endswith("sqlite3") or not name or name == ":memory:":
            return False
        if os.environ.get("TEST_DB_TEMPLATE") == "0":
            return False
        self.name = Path(name)
        self.path = self.name.parent / f"{PREFIX}{migrations_key()}.sqlite3"
        self.lock = open(self.name.parent / "template.lock", "w")  # noqa: SIM115 (held until save())
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        if self.path.exists():
            shutil.copyfile(self.path, self.name)
            self._release()
            self.cloned = True
        return self.cloned

    def save(self) -> None:
        """Write the migrated database as the template (when this process built it), remove older
        templates, let the waiting processes go on."""
        if self.lock is None or self.path is None:
            return
        from django.db import connection

        building = self.path.with_suffix(f".{os.getpid()}.tmp")
        connection.ensure_connection()
        target = sqlite3.connect(building)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        os.replace(building, self.path)
        for old in self.path.parent.glob(f"{PREFIX}*.sqlite3"):
            if old != self.path:
                old.unlink(missing_ok=True)
        self._release()

    def remove(self) -> None:
        """This process's database when it was copied (Django removes the ones it creates), and the
        rollback journal that journal_mode=PERSIST leaves beside it."""
        if self.name is None:
            return
        if self.cloned:
            self.name.unlink(missing_ok=True)
        Path(f"{self.name}-journal").unlink(missing_ok=True)

    def _release(self) -> None:
        if self.lock is not None:
            fcntl.flock(self.lock, fcntl.LOCK_UN)
            self.lock.close()
            self.lock = None
