"""Benchmark: the city and province pages at province scale (issue 22; docs/policy.md §1.4, §9.12).

    DATABASE_URL=postgres://root@127.0.0.1:5432/h_city .venv/bin/python bench/supervision_pages.py

Builds (once; each step skipped when its data is there) 136 counties of 12 townships (the seed's
two counties among them) in 18 cities (the seed's 2 and 16 more), each county with a plan of YEAR
and 9,191 regular posts of YEAR (1.25 million, 90 % filled), and a year of locked months: 12 runs a
county and their stored aggregates per township and line (39,168 rows, with the posts filled at the
lock), all written by SQL. Then, through the Django stack, the province page, a city page and a
county page: the cold first request (cache emptied) and the warm p95 of 40 requests, each beside
the floor measured in the same run on the same data: the bare SQL of the province page's rows
(the counties, the plan versions, the year's locked runs with their stored sums, the latest
month's aggregates by county and line, the group tally), p95 of 40; and the ratio. The county page
also reads its live plan report (its 9,191 posts) and its year of aggregates."""

# ruff: noqa: E501 (SQL statements read better unbroken)

import datetime as dt
import statistics
import time

import benchkit  # noqa: F401  (the Django environment on DATABASE_URL)


def setup() -> None:
    """Migrated, with the reference data; no demo users (seed_demo would make three a township of
    136 counties, hashing each password)."""
    import django
    from django.core.management import call_command

    benchkit._ensure_database(benchkit.os.environ["DATABASE_URL"])
    django.setup()
    call_command("migrate", verbosity=0)
    from demo.seed import seed_reference_data
    from townships.models import County

    if not County.objects.filter(code="371502").exists():
        seed_reference_data()


setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from townships.models import City, County, Role, Township, Village  # noqa: E402
from townships.services import PlanRow, plan_load, user_with_membership_ensure  # noqa: E402

YEAR = 2025
CITIES, COUNTIES, TOWNSHIPS, POSTS = 16, 136, 12, 9191
WARM = 40  # warm requests a page (and runs of the floor)


def step(label: str):
    class Step:
        def __enter__(self) -> None:
            self.started = time.perf_counter()

        def __exit__(self, *exc: object) -> None:
            print(f"  {label}: {time.perf_counter() - self.started:.1f} s", flush=True)

    return Step()


@transaction.atomic
def organisation() -> None:
    """Cities 3701…, counties 3701xx of 12 townships with a village each, to CITIES and COUNTIES."""
    existing = County.objects.count()
    serial = 0
    while County.objects.count() < COUNTIES:
        city_no = serial % CITIES
        city, _ = City.objects.get_or_create(code=f"{3750 + city_no}", defaults={"name": f"测试{city_no}市"})
        code = f"{3750 + city_no}{serial // CITIES:02d}"
        serial += 1
        if County.objects.filter(code=code).exists():
            continue
        county = County.objects.create(code=code, name=f"测试{code}区", city=city)
        towns = Township.objects.bulk_create(
            [
                Township(code=f"{code}{t:03d}", name=f"{code}镇{t}", kind="town", county=county)
                for t in range(1, TOWNSHIPS + 1)
            ]
        )
        Village.objects.bulk_create([Village(township=t, name="一村") for t in towns])
    print(f"  counties: {existing} → {County.objects.count()}")


def plans() -> None:
    for county in County.objects.exclude(plans__year=YEAR):
        towns = list(county.townships.order_by("code"))
        each = POSTS // len(towns)
        rows = [PlanRow(township_code=t.code, urban=each // 4, rural=each - each // 4) for t in towns]
        plan_load(
            county=county,
            year=YEAR,
            title=f"{county.name}{YEAR}年计划",
            document="",
            declared_urban=sum(r.urban for r in rows),
            declared_rural=sum(r.rural for r in rows),
            rows=rows,
        )


def posts() -> None:
    """POSTS regular posts of YEAR a county over its townships, a quarter urban, 90 % filled."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM posts_post WHERE year = %s", [YEAR])
        if cursor.fetchone()[0]:
            return
        cursor.execute(
            """
            INSERT INTO posts_post (code, year, line, status, duty_id, township_id, village_id, department, kind, working_time)
            SELECT 'B' || t.code || lpad(i::text, 5, '0'), %s,
                   CASE WHEN i %% 4 = 0 THEN 'urban' ELSE 'rural' END,
                   CASE WHEN i %% 10 = 0 THEN 'vacant' ELSE 'filled' END,
                   (SELECT id FROM posts_duty d WHERE d.line = CASE WHEN i %% 4 = 0 THEN 'urban' ELSE 'rural' END ORDER BY id LIMIT 1),
                   t.id, (SELECT v.id FROM townships_village v WHERE v.township_id = t.id ORDER BY v.id LIMIT 1), '', 'regular', '每天工作2小时，每月20天'
            FROM townships_township t CROSS JOIN generate_series(1, %s) AS i
            """,
            [YEAR, POSTS // TOWNSHIPS],
        )


def aggregates() -> None:
    """12 locked months a county, and their aggregate rows per township and line."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM subsidies_monthaggregate WHERE month >= %s", [dt.date(YEAR, 1, 1)]
        )
        if cursor.fetchone()[0]:
            return
        cursor.execute(
            """
            INSERT INTO subsidies_payrollrun (county_id, month, state, attempt)
            SELECT c.id, make_date(%s, m, 1), 'locked', 1 FROM townships_county c CROSS JOIN generate_series(1, 12) AS m
            ON CONFLICT DO NOTHING
            """,
            [YEAR],
        )
        cursor.execute(
            """
            INSERT INTO subsidies_monthaggregate (run_id, county_id, month, township_id, line, people, pay, province, city, district,
                adjustment_pay, adjustment_province, adjustment_city, adjustment_district, bonus,
                social_total, social_province, social_city, social_district)
            SELECT r.id, r.county_id, r.month, t.id, l.line, 500 + t.id %% 50, 340000.00, 166670.00, 69330.00, 104000.00,
                   -340.00, -166.67, -69.33, -104.00, 0, CASE WHEN l.line = 'urban' THEN 1234.56 ELSE 0 END, 0, 0,
                   CASE WHEN l.line = 'urban' THEN 1234.56 ELSE 0 END
            FROM subsidies_payrollrun r JOIN townships_township t ON t.county_id = r.county_id
            CROSS JOIN (VALUES ('urban'), ('rural')) AS l(line)
            WHERE r.month >= %s AND r.month <= %s
            """,
            [dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 1)],
        )
        cursor.execute("VACUUM ANALYZE")


def posts_filled() -> None:
    """Each aggregate row's posts filled, as the lock stores them (one UPDATE from the posts)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM subsidies_monthaggregate WHERE posts_filled > 0")
        if cursor.fetchone()[0]:
            return
        cursor.execute(
            """
            UPDATE subsidies_monthaggregate a SET posts_filled = f.n
            FROM (SELECT township_id, line, count(*) AS n FROM posts_post WHERE year = %s AND kind = 'regular' AND status = 'filled' GROUP BY 1, 2) f
            WHERE f.township_id = a.township_id AND f.line = a.line AND a.month >= %s
            """,
            [YEAR, dt.date(YEAR, 1, 1)],
        )
        cursor.execute("VACUUM ANALYZE subsidies_monthaggregate")


FLOOR_SQL: list[tuple[str, list[int | dt.date]]] = [
    (
        "SELECT c.id, c.code, c.name, y.code, y.name FROM townships_county c JOIN townships_city y ON y.id = c.city_id ORDER BY y.code, c.code",
        [],
    ),
    (
        "SELECT p.county_id, v.declared_urban, v.declared_rural FROM townships_planversion v JOIN townships_plan p ON p.id = v.plan_id WHERE p.year = %s ORDER BY v.number",
        [YEAR],
    ),
    (
        "SELECT county_id, month, province_total, city_total, district_total FROM subsidies_payrollrun WHERE state = 'locked' AND month BETWEEN %s AND %s",
        [dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 1)],
    ),
    (
        "SELECT county_id, month, line, sum(people), sum(posts_filled) FROM subsidies_monthaggregate WHERE month = %s GROUP BY 1, 2, 3",
        [dt.date(YEAR, 12, 1)],
    ),
    (
        'SELECT "group", line, sum(holders) FROM placements_grouptally GROUP BY 1, 2',
        [],
    ),
]


def floor() -> list[float]:
    times = []
    for _ in range(WARM):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql, params in FLOOR_SQL:
                cursor.execute(sql, params)
                cursor.fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def measure() -> None:
    user_with_membership_ensure(username="bench_province", password="bench-password-1", role=Role.PROVINCE)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="bench_province"))
    pages = [
        ("province page", reverse("supervision:home"), {"year": YEAR}),
        ("city page (聊城市)", reverse("supervision:city", args=["3715"]), {"year": YEAR}),
        ("county page (东昌府区)", reverse("supervision:county", args=["371502"]), {"year": YEAR}),
    ]
    for _, url, params in pages:  # imports and templates compiled, not counted
        assert client.get(url, params).status_code == 200
    bare = p95(floor())
    print(f"floor (bare SQL of the province page's rows, {len(FLOOR_SQL)} statements), p95: {bare:.1f} ms")
    for label, url, params in pages:
        cache.clear()
        started = time.perf_counter()
        client.get(url, params)
        cold = (time.perf_counter() - started) * 1000
        warm = []
        for _ in range(WARM):
            started = time.perf_counter()
            client.get(url, params)
            warm.append((time.perf_counter() - started) * 1000)
        print(
            f"{label}: cold {cold:.1f} ms, warm p95 {p95(warm):.1f} ms, ratio to the floor {p95(warm) / bare:.2f}"
        )


def main() -> None:
    print("build:")
    with step("organisation"):
        organisation()
    with step("plans"):
        plans()
    with step("posts"):
        posts()
    with step("locked months and aggregates"):
        aggregates()
    with step("posts filled at the lock"):
        posts_filled()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM posts_post")
        n_posts = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM subsidies_monthaggregate")
        n_rows = cursor.fetchone()[0]
    print(
        f"data: {County.objects.count()} counties, {City.objects.count()} cities, {n_posts:,} posts, {n_rows:,} aggregate rows"
    )
    measure()


main()
