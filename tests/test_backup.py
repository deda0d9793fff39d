"""`make backup` and `make restore` (pg_dump / pg_restore): a backup restored into a fresh
database holds every row of every table."""

import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps
from django.db import connection

from tests import factories
from tests.test_celery_worker import database_url

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.postgres


def counts(url: str) -> dict[str, int]:
    tables = sorted(model._meta.db_table for model in apps.get_models())
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        found = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            found[table] = cursor.fetchone()[0]
    conn.close()
    return found


def test_a_backup_restored_into_a_fresh_database_has_every_row(transactional_db, tmp_path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("backups are PostgreSQL's (pg_dump); CI runs this on PostgreSQL")
    from demo.seed import seed_reference_data

    seed_reference_data()
    factories.placement("371502101")
    source = database_url()
    before = counts(source)
    assert before["placements_placement"] == 1 and before["townships_township"] > 0
    dump = tmp_path / "posts.dump"
    subprocess.run(["make", "-s", "backup", f"DATABASE_URL={source}", f"BACKUP={dump}"], cwd=ROOT, check=True)
    fresh = f"restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(source.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        target = source.rsplit("/", 1)[0] + f"/{fresh}"
        subprocess.run(
            ["make", "-s", "restore", f"DATABASE_URL={target}", f"BACKUP={dump}"], cwd=ROOT, check=True
        )
        assert counts(target) == before
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        admin.close()


def test_restore_without_a_file_says_what_is_missing() -> None:
    result = subprocess.run(
        ["make", "-s", "restore", "DATABASE_URL=postgres://nowhere/none", "BACKUP="],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "请用 BACKUP=文件 指明要恢复的备份" in result.stderr
