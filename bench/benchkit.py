"""Shared set-up for benchmarks: a Django environment on the database DATABASE_URL names
(default: a PostgreSQL database `bench` on 127.0.0.1), migrated and seeded."""

import io
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/bench")
os.environ.setdefault("DEBUG", "false")


def setup() -> None:
    import django
    from django.core.management import call_command

    _ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--password", "bench-password-1", stdout=io.StringIO())


def _ensure_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg2

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def valid_id(rng: random.Random, serial: int) -> str:
    from common.idcard import check_character

    year = rng.randint(1955, 2000)
    first17 = f"371502{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{serial % 1000:03d}"
    return first17 + check_character(first17)


def unique_ids(n: int, seed: int, taken: set[str] | None = None) -> list[str]:
    rng = random.Random(seed)
    seen = set(taken or ())
    out: list[str] = []
    while len(out) < n:
        number = valid_id(rng, rng.randint(0, 999))
        if number not in seen:
            seen.add(number)
            out.append(number)
    return out


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥建国志强春梅海燕"


def chinese_name(i: int) -> str:
    a, b = divmod(i, len(SURNAMES))
    c, d = divmod(a, len(GIVEN))
    return SURNAMES[b] + GIVEN[d] + GIVEN[c % len(GIVEN)]


def timed(func: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(label: str, times_ms: list[float]) -> str:
    ordered = sorted(times_ms)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return f"{label:<46} n={len(ordered):<4} median={statistics.median(ordered):7.1f} ms  p95={p95:7.1f} ms"
