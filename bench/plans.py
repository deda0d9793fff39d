"""Benchmark: plans across years (docs/policy.md §2.5, §2.6).

    DATABASE_URL=postgres://root@127.0.0.1:5432/h_plans .venv/bin/python bench/plans.py

Builds 兖州区's plans for 2023–2025 (each adjusted three times) beside the seeded 2022 plan and
POSTS regular posts a year over its ten townships (90 % filled), then measures, against floors
measured in the same run on the same data:
- the quota read of every approval and post opening (townships.plans.quota_in_force, locking the
  township's rows of the year) against the bare one-statement SQL read of a quota row by township
  and year, and against the ORM read it replaced (one statement, no versions);
- the five-year report page and a plan's versions page: the cold first request and the warm p95,
  against the bare SQL of the five-year page's rows."""

import datetime as dt
import statistics
import sys
import time

from benchkit import setup

setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from townships import plans  # noqa: E402
from townships.models import County, Plan, Quota, Role, Township  # noqa: E402
from townships.services import PlanRow, user_with_membership_ensure  # noqa: E402

POSTS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000  # a year, the county
YEARS = range(2022, 2026)
COUNTY = "370812"


def build() -> None:
    county = County.objects.get(code=COUNTY)
    towns = list(county.townships.order_by("code"))
    each = POSTS // len(towns)
    for year in YEARS:
        if not Plan.objects.filter(county=county, year=year).exists():
            rows = [PlanRow(t.code, each // 4, each - each // 4) for t in towns]
            plans.plan_enter(
                county=county,
                year=year,
                title=f"{year}年兖州区计划",
                document="",
                declared_urban=sum(r.urban for r in rows),
                declared_rural=sum(r.rural for r in rows),
                rows=rows,
                actor=None,
            )
        plan = Plan.objects.get(county=county, year=year)
        for month in (4, 7, 10):
            if plan.versions.filter(effective_from=dt.date(year, month, 1)).exists():
                continue
            version = plans.latest_version(plan)
            quotas = version.quotas.select_related("township")  # type: ignore[union-attr]  # it has versions
            rows = [PlanRow(q.township.code, q.urban, q.rural + 1) for q in quotas]
            plans.plan_adjust(
                plan=plan,
                effective_from=dt.date(year, month, 1),
                document=f"兖人社字〔{year}〕{month}号",
                reason="动态调整",
                declared_urban=sum(r.urban for r in rows),
                declared_rural=sum(r.rural for r in rows),
                rows=rows,
                actor=None,
            )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM posts_post WHERE code LIKE 'BP%%'")
        if cursor.fetchone()[0]:
            return
        cursor.execute(
            """
            INSERT INTO posts_post (code, year, line, status, duty_id, township_id, village_id,
                                    department, kind, working_time)
            SELECT 'BP' || t.code || y || lpad(i::text, 5, '0'), y,
                   CASE WHEN i %% 4 = 0 THEN 'urban' ELSE 'rural' END,
                   CASE WHEN i %% 10 = 0 THEN 'vacant' ELSE 'filled' END,
                   (SELECT id FROM posts_duty d
                    WHERE d.line = CASE WHEN i %% 4 = 0 THEN 'urban' ELSE 'rural' END ORDER BY id LIMIT 1),
                   t.id,
                   (SELECT v.id FROM townships_village v WHERE v.township_id = t.id ORDER BY v.id LIMIT 1),
                   '', 'regular', '每天工作2小时，每月20天'
            FROM townships_township t CROSS JOIN generate_series(1, %s) AS i
            CROSS JOIN generate_series(2022, 2025) AS y
            WHERE t.county_id = %s
            """,
            [POSTS // len(towns), county.pk],
        )
        cursor.execute("ANALYZE posts_post")


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def timed(func, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return times


def quota_reads() -> None:
    towns = list(Township.objects.filter(county__code=COUNTY).order_by("code"))
    days = [dt.date(2024, 1 + i % 12, 1 + i % 28) for i in range(1000)]

    def ours() -> None:
        with transaction.atomic():
            for i, day in enumerate(days):
                plans.quota_in_force(township_id=towns[i % len(towns)].pk, year=2024, day=day, lock=True)

    def bare() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for i, _ in enumerate(days):
                cursor.execute(
                    "SELECT q.* FROM townships_quota q JOIN townships_plan p ON p.id = q.plan_id "
                    "WHERE q.township_id = %s AND p.year = %s LIMIT 1 FOR UPDATE OF q",
                    [towns[i % len(towns)].pk, 2024],
                )
                cursor.fetchall()

    def before() -> None:  # the read this replaced: the ORM's one statement, no versions
        with transaction.atomic():
            for i, _ in enumerate(days):
                Quota.objects.select_for_update().filter(
                    plan__county__code=COUNTY, plan__year=2024, township_id=towns[i % len(towns)].pk
                ).first()

    ours()  # warmed
    bare()
    before()
    floor, mine = statistics.median(timed(bare, 5)), statistics.median(timed(ours, 5))
    old = statistics.median(timed(before, 5))
    print(f"1,000 quota reads (locked), the read before versions (one ORM statement): {old:.1f} ms")
    print(f"1,000 quota reads (locked): quota_in_force {mine:.1f} ms, bare one-statement read {floor:.1f} ms")
    print(f"  ratio to the bare read {mine / floor:.2f}, to the read before versions {mine / old:.2f}")


FLOOR_SQL = [
    "SELECT township_id, year, count(*) FILTER (WHERE status = 'filled'), "
    "count(*) FILTER (WHERE status = 'vacant') "
    "FROM posts_post WHERE year BETWEEN 2021 AND 2025 AND kind = 'regular' AND township_id IN "
    "(SELECT id FROM townships_township WHERE county_id = %s) GROUP BY 1, 2",
    "SELECT q.township_id, v.plan_id, q.urban, q.rural FROM townships_quota q "
    "JOIN townships_planversion v ON v.id = q.version_id "
    "JOIN townships_plan p ON p.id = v.plan_id WHERE p.county_id = %s",
]


def pages() -> None:
    county = County.objects.get(code=COUNTY)
    user_with_membership_ensure(
        username="bench_hr_yz", password="bench-password-1", role=Role.HR, county=county
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="bench_hr_yz"))

    def bare() -> None:
        with connection.cursor() as cursor:
            for sql in FLOOR_SQL:
                cursor.execute(sql, [county.pk])
                cursor.fetchall()

    floor = p95(timed(bare, 20))
    print(f"floor (bare SQL of the five-year page's rows, 2 statements), p95: {floor:.1f} ms")
    for label, url in [
        ("five-year report page", reverse("townships:five-year-detail", args=[COUNTY, 2021])),
        ("five-year report xlsx", reverse("townships:five-year-download", args=[COUNTY, 2021])),
        ("2024 plan's versions page", reverse("townships:plan-versions", args=[COUNTY, 2024])),
        ("2024 plan report page", reverse("posts:plan-detail", args=[COUNTY, 2024])),
    ]:
        cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        cold = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (label, response.status_code)
        warm = timed(lambda url=url: client.get(url), 20)
        ratio = p95(warm) / floor
        print(f"{label}: cold {cold:.1f} ms, warm p95 {p95(warm):.1f} ms, ratio to the floor {ratio:.2f}")


def main() -> None:
    started = time.perf_counter()
    build()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM posts_post WHERE year BETWEEN 2022 AND 2025")
        posts = cursor.fetchone()[0]
    took = time.perf_counter() - started
    print(f"built in {took:.1f} s: 兖州区 plans 2022–2025 (4 versions each but 2022), {posts:,} posts")
    quota_reads()
    pages()


if __name__ == "__main__":
    main()
