"""Benchmark: one county inside a province (issue 22, province scale).

    # the province: 16 cities, 136 counties, 9,191 holders each (1.25 million): 40 min at load 8
    DATABASE_URL=postgres://root@127.0.0.1:5432/h_prov .venv/bin/python bench/province.py build
    # the same county alone, built by the same code from the same seed
    DATABASE_URL=postgres://root@127.0.0.1:5432/h_prov_one .venv/bin/python bench/province.py build --counties 1
    # 东昌府区's March alone and inside the province, in alternating rounds, one run
    .venv/bin/python bench/province.py compare postgres://root@127.0.0.1:5432/h_prov_one \\
        postgres://root@127.0.0.1:5432/h_prov [ROUNDS]

`build` makes the province's organisation (the seed's two counties and 134 more over 16 cities,
10–14 townships each, 12 villages a township) and HOLDERS placed holders in each of the first
COUNTIES counties (东昌府区 first): people with a group claim, posts, applications, placements and
agreements as bench/payroll_compute.py builds them (part months, lapsing and renewed agreements,
short attendance in March), written by COPY (common.bulk) in rounds that take a slice of every
county, so that a county's rows lie among the others' as on a live server; stored terms; every
county's policies and minimum wage (东昌府区's); two audit entries a holder (the person and the
placement created, timestamps spread over 2021); January computed for every county, February and
March copied from it by SQL for every other county (three months of lines); 东昌府区's January and
February computed and locked. Each step is skipped when its data is there (resumable); it
reports its own time.

`measure` (run by `compare` on each database) times 东昌府区's March: the first computation
(its lines deleted) and three recomputations, with the floor of payroll_compute.py (a bare
INSERT … SELECT of the same lines); then the county's pages through the Django stack: the cold
first request (the cache emptied) and the warm p95 of N requests, each beside a floor (a bare
SQL read of the page's rows). `compare` prints, per figure, the median over the rounds alone
and inside the province and the ratio (target ≤ 1.2)."""

# ruff: noqa: E501 (SQL statements read better unbroken)

import datetime as dt
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
COMMAND = sys.argv[1] if len(sys.argv) > 1 else "build"
if COMMAND not in ("build", "measure", "compare", "profile"):
    sys.exit(__doc__)


def compare(urls: list[str], rounds: int) -> None:
    """`measure` on each database in turn, `rounds` times, then the medians and ratios."""
    results: dict[str, dict[str, list[float]]] = {url: {} for url in urls}
    started = time.perf_counter()
    for round_ in range(1, rounds + 1):
        for url in urls:
            env = {**os.environ, "DATABASE_URL": url}
            print(f"round {round_}: {url.rsplit('/', 1)[1]} …", flush=True)
            out = subprocess.run(
                [sys.executable, os.path.join(HERE, "province.py"), "measure"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            figures = json.loads(out.strip().splitlines()[-1])
            for key, value in figures.items():
                results[url].setdefault(key, []).append(value)
    one, province = urls
    info = results[province].pop("_info")[0], results[one].pop("_info")[0]
    print(f"\n{rounds} rounds in {time.perf_counter() - started:.0f} s")
    print(f"alone: {info[1]}\nin the province: {info[0]}\n")
    print(f"{'figure (median over the rounds)':<58}{'alone':>10}{'province':>10}{'ratio':>7}")
    for key in results[one]:
        a, p = statistics.median(results[one][key]), statistics.median(results[province][key])
        unit = "s" if key.startswith("month") else "ms"
        ratio = f"{p / a:6.2f}" if a else "     -"
        print(f"{key:<58}{a:>8.2f}{unit:>2}{p:>8.2f}{unit:>2}{ratio:>7}")


if COMMAND == "compare":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    compare(sys.argv[2:4], int(sys.argv[4]) if len(sys.argv) > 4 else 2)
    sys.exit(0)

sys.path.insert(0, HERE)
import benchkit  # noqa: E402
from benchkit import chinese_name  # noqa: E402


def setup() -> None:
    """benchkit.setup(), but the demo seed only once: it makes users for every county and
    township (hashing a password each), some 3,000 in the province, at every run otherwise."""
    import io

    import django
    from django.core.management import call_command

    benchkit._ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User

    if not User.objects.filter(username=f"hr_{HOME}").exists():
        call_command("seed_demo", "--password", "bench-password-1", stdout=io.StringIO())


HOME = "371502"  # 东昌府区, the county measured
setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from common.bulk import insert_rows  # noqa: E402
from common.idcard import check_character  # noqa: E402
from people.models import GroupClaim, Person, TargetGroup  # noqa: E402
from placements.models import Agreement, Application, Placement  # noqa: E402
from placements.terms import stored_terms_refresh  # noqa: E402
from posts.models import Duty, Post  # noqa: E402
from subsidies import payroll  # noqa: E402
from subsidies.models import Attendance, MonthAggregate, PayrollLine, PayrollRun  # noqa: E402
from townships.models import City, County, Township, Village  # noqa: E402

MARK = "bench-province-v1"
JAN, FEB, MAR = dt.date(2022, 1, 1), dt.date(2022, 2, 1), dt.date(2022, 3, 1)
VILLAGES = 12
SLICE = 1000  # holders of each county per round of the build
CITIES = [
    ("3701", "济南市"),
    ("3702", "青岛市"),
    ("3703", "淄博市"),
    ("3704", "枣庄市"),
    ("3705", "东营市"),
    ("3706", "烟台市"),
    ("3707", "潍坊市"),
    ("3708", "济宁市"),
    ("3709", "泰安市"),
    ("3710", "威海市"),
    ("3711", "日照市"),
    ("3713", "临沂市"),
    ("3714", "德州市"),
    ("3715", "聊城市"),
    ("3716", "滨州市"),
    ("3717", "菏泽市"),
]  # the sixteen cities of 山东


def option(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def step(label: str) -> "Step":
    return Step(label)


class Step:
    def __init__(self, label: str) -> None:
        self.label = label

    def __enter__(self) -> None:
        self.started = time.perf_counter()
        print(f"  {self.label} …", flush=True)

    def __exit__(self, *exc: object) -> None:
        print(f"  {self.label}: {time.perf_counter() - self.started:.0f} s", flush=True)


def organisation(n: int) -> list[County]:
    """The seed's counties and 134 more (in the province database), 东昌府区 first; townships of
    10–14 each and 12 villages a township."""
    for code, name in CITIES:
        City.objects.get_or_create(code=code, defaults={"name": name})
    cities = list(City.objects.order_by("code"))
    home = County.objects.get(code=HOME)
    others = list(County.objects.exclude(code=HOME).order_by("code"))
    k = 0
    while len(others) + 1 < n:
        city = cities[k % len(cities)]
        code = f"{city.code}{51 + k // len(cities):02d}"
        county, _ = County.objects.get_or_create(
            code=code, defaults={"name": f"{city.name[:2]}第{k + 1}区", "city": city}
        )
        others.append(county)
        k += 1
    counties = [home, *others][:n]
    for index, county in enumerate(counties):
        have = county.townships.count()
        Township.objects.bulk_create(
            Township(
                code=f"{county.code}{101 + j:03d}",
                name=f"{county.name}第{j + 1}镇",
                kind="town",
                county=county,
            )
            for j in range(have, 0 if have else 10 + index % 5)
        )
    towns = Township.objects.filter(county__in=counties)
    missing = []
    for town in towns:
        have = town.villages.count()
        missing += [
            Village(township=town, name=f"{town.name[-4:]}第{v + 1}村") for v in range(have, VILLAGES)
        ]
    Village.objects.bulk_create(missing, batch_size=5000)
    with connection.cursor() as cursor:  # every county pays as 东昌府区 does
        for table, columns in (
            (
                "subsidies_subsidypolicy",
                "line, valid_from, valid_to, document, basis, hourly_rate, hours_per_day, monthly_amount, annual_amount, required_days, split, province_annual, province_percent, city_percent",
            ),
            ("subsidies_minimumwage", "valid_from, monthly, hourly, wage_class, document"),
        ):
            cursor.execute(
                f"INSERT INTO {table} ({columns}, county_id) SELECT {columns}, c.id FROM {table} s, townships_county c "
                f"WHERE s.county_id = %s AND c.id = ANY(%s) AND NOT EXISTS (SELECT 1 FROM {table} WHERE county_id = c.id)",
                [home.pk, [c.pk for c in counties]],
            )
    return counties


def holders_round(counties: list[County], start: int, end: int, actor: User, duty: Duty) -> None:
    """Holders start..end-1 of every county: people, claims, posts, applications, placements,
    agreements, March's short attendance, stored terms."""
    groups = [g.value for g in TargetGroup]
    base = dt.date(1958, 1, 1)
    now = dt.datetime.now(dt.UTC)
    people, claims, index = [], [], []
    for county in counties:
        towns = list(county.townships.order_by("code"))
        villages = {
            t.pk: list(t.villages.order_by("pk").values_list("pk", flat=True)[:VILLAGES]) for t in towns
        }
        rng = random.Random(f"{county.code}-{start}")
        for i in range(start, end):
            town = towns[i % len(towns)]
            village = villages[town.pk][(i // len(towns)) % VILLAGES]
            birth = base + dt.timedelta(days=i % 16_000)
            sex = "male" if i % 2 else "female"
            first17 = f"{county.code}{birth:%Y%m%d}9{i // 16_000}{1 if sex == 'male' else 2}"
            people.append(
                (
                    chinese_name(rng.randrange(10**6)),
                    first17 + check_character(first17),
                    sex,
                    birth,
                    f"139{i:08d}",
                    town.pk,
                    village,
                    f"{i}号",
                    f"H{county.code}{i // 3}",
                    "male_60" if sex == "male" else "female_50",
                    f"6228{county.code}{i:09d}",
                    "农业银行",
                    MARK,
                    False,
                    False,
                    now,
                    now,
                )
            )
            index.append((county.code, i, town.pk, village))
    with transaction.atomic():
        insert_rows(
            Person,
            [
                "name",
                "id_number",
                "sex",
                "birth_date",
                "phone",
                "township_id",
                "village_id",
                "address",
                "household_no",
                "retirement_category",
                "bank_account",
                "bank_name",
                "note",
                "on_death_roster",
                "on_pension_roster",
                "created_at",
                "updated_at",
            ],
            people,
        )
    ids = dict(Person.objects.filter(id_number__in=[p[1] for p in people]).values_list("id_number", "pk"))
    pks = [ids[p[1]] for p in people]
    for n, pk in enumerate(pks):
        claims.append((pk, groups[n % len(groups)], "verified", None))
    code = [f"V{c}{i:05d}" for c, i, _, _ in index]
    with transaction.atomic():
        insert_rows(GroupClaim, ["person_id", "group", "status", "roster_id"], claims)
        insert_rows(
            Post,
            ["code", "year", "township_id", "village_id", "line", "duty_id", "status"],
            [(code[n], 2022, t, v, "rural", duty.pk, "filled") for n, (_, _, t, v) in enumerate(index)],
        )
    posts = dict(Post.objects.filter(code__in=code).values_list("code", "pk"))
    with transaction.atomic():
        insert_rows(
            Application,
            [
                "person_id",
                "post_id",
                "township_id",
                "line",
                "year",
                "step",
                "holds_post",
                "applied_on",
                "approved_on",
                "migrated",
                "created_by_id",
            ],
            [
                (pks[n], posts[code[n]], t, "rural", 2022, "placed", True, JAN, JAN, False, actor.pk)
                for n, (_, _, t, _) in enumerate(index)
            ],
        )
    apps = dict(Application.objects.filter(person_id__in=pks).values_list("person_id", "pk"))
    rows, agreements = [], []
    terms = ("680.00", "每天工作2小时，每月20天", "保洁")
    for n, (_, i, t, v) in enumerate(index):  # as bench/payroll_compute.py
        on_post = dt.date(2022, 3, 16) if i % 10 == 1 else dt.date(2021, 1, 1) + dt.timedelta(days=i % 400)
        exit_date = dt.date(2022, 3, 10) if i % 10 == 2 else None
        application = apps[pks[n]]
        rows.append(
            (application, pks[n], posts[code[n]], t, "rural", on_post, i % 12, on_post, exit_date, "", "", "")
        )
        first_end = dt.date(2022, 3, 20) if i % 10 in (3, 4) else dt.date(2024, 12, 31)
        agreements.append((application, 1, v, on_post, first_end, *terms, on_post, actor.pk))
        if i % 10 == 4:
            agreements.append(
                (application, 2, v, dt.date(2022, 3, 21), dt.date(2023, 3, 20), *terms, on_post, actor.pk)
            )
    with transaction.atomic():
        insert_rows(
            Placement,
            [
                "application_id",
                "person_id",
                "post_id",
                "township_id",
                "line",
                "on_post_date",
                "prior_months",
                "first_approved_on",
                "exit_date",
                "exit_reason",
                "referral",
                "exit_note",
            ],
            rows,
        )
        insert_rows(
            Agreement,
            [
                "application_id",
                "number",
                "village_id",
                "start_date",
                "end_date",
                "monthly_pay",
                "working_time",
                "duties",
                "signed_on",
                "recorded_by_id",
            ],
            agreements,
        )
    placed = dict(Placement.objects.filter(person_id__in=pks).values_list("person_id", "pk"))
    with transaction.atomic():
        insert_rows(
            Attendance,
            ["placement_id", "month", "days", "withheld", "note", "recorded_by_id"],
            [(placed[pk], MAR, 15, False, "", actor.pk) for n, pk in enumerate(pks) if index[n][1] % 7 == 0],
        )
    stored_terms_refresh(person_ids=pks)


def audit_entries() -> None:
    """Two entries a holder, as an import writes them: the person and the placement created,
    their timestamps spread over 2021 by the holder's number (every county's interleaved)."""
    person_type = ContentType.objects.get_for_model(Person).pk
    placement_type = ContentType.objects.get_for_model(Placement).pk
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO audit_entry (object_repr, changes_text, changes, object_pk, object_id, action, timestamp,
                                         subject, via, actor_id, content_type_id, county_id, township_id)
            SELECT p.name, '', jsonb_build_object('name', jsonb_build_array(NULL, p.name), 'id_number',
                   jsonb_build_array(NULL, left(p.id_number, 6) || '********' || right(p.id_number, 4))),
                   p.id::text, p.id, 0,
                   timestamptz '2021-01-01 08:00+08' + (substr(p.phone, 4)::int %% 9191) * interval '57 minutes',
                   'people.person:' || p.id, '导入申请人', NULL, {person_type}, t.county_id, p.township_id
            FROM people_person p JOIN townships_township t ON t.id = p.township_id
            WHERE p.note = %s AND NOT EXISTS (SELECT 1 FROM audit_entry e WHERE e.subject = 'people.person:' || p.id)""",
            [MARK],
        )
        cursor.execute(
            f"""INSERT INTO audit_entry (object_repr, changes_text, changes, object_pk, object_id, action, timestamp,
                                         subject, via, actor_id, content_type_id, county_id, township_id)
            SELECT p.name || ' 上岗', '', jsonb_build_object('on_post_date', jsonb_build_array(NULL, pl.on_post_date)),
                   pl.id::text, pl.id, 0,
                   timestamptz '2021-01-01 09:00+08' + (substr(p.phone, 4)::int %% 9191) * interval '57 minutes',
                   'placements.placement:' || pl.id, '导入在岗人员', NULL, {placement_type}, t.county_id, pl.township_id
            FROM placements_placement pl JOIN people_person p ON p.id = pl.person_id
                 JOIN townships_township t ON t.id = pl.township_id
            WHERE p.note = %s AND NOT EXISTS (SELECT 1 FROM audit_entry e WHERE e.subject = 'placements.placement:' || pl.id)""",
            [MARK],
        )


def months(counties: list[County], finance: User, finance2: User) -> None:
    """January computed for every county; 东昌府区's February too, both locked; every other
    county's February (locked) and March (computed) copied from its January by SQL."""
    for county in counties:
        run = payroll.run_for(county, JAN)
        if run.state == "draft":
            payroll.compute_run(run)
    home = counties[0]
    for month in (JAN, FEB):
        run = payroll.run_for(home, month)
        if run.state == "draft":
            payroll.compute_run(run)
        if run.state != "locked":
            payroll.payees_freeze(run)
            PayrollRun.objects.filter(pk=run.pk).update(
                state="locked",
                approved_by=finance2,
                locked_by=finance,
                locked_at=dt.datetime(2022, 4, 1, tzinfo=dt.UTC),
            )
    columns = [f.column for f in PayrollLine._meta.concrete_fields if f.column not in ("id", "run_id")]
    for county in counties[1:]:
        january = payroll.run_for(county, JAN)
        for month, state in ((FEB, "locked"), (MAR, "computed")):
            run = payroll.run_for(county, month)
            if run.state != "draft":
                continue
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO subsidies_payrollline (run_id, {', '.join(columns)}) "
                    f"SELECT %s, {', '.join(columns)} FROM subsidies_payrollline WHERE run_id = %s",
                    [run.pk, january.pk],
                )
                PayrollRun.objects.filter(pk=run.pk).update(
                    state=state,
                    line_count=january.line_count,
                    province_total=january.province_total,
                    city_total=january.city_total,
                    district_total=january.district_total,
                    computed_at=january.computed_at,
                )
        PayrollRun.objects.filter(pk=january.pk).update(state="locked")


def build() -> None:
    n, holders = option("--counties", 136), option("--holders", 9191)
    started = time.perf_counter()
    print(f"building {n} counties of {holders} holders in {connection.settings_dict['NAME']} …", flush=True)
    with step("organisation"):
        counties = organisation(n)
    actor = User.objects.get(username=f"hr_{HOME}")
    duty = Duty.objects.filter(line="rural").first()
    assert duty is not None
    for start in range(0, holders, SLICE):
        end = min(holders, start + SLICE)
        done = Post.objects.filter(code=f"V{counties[-1].code}{end - 1:05d}").exists()
        if not done:
            with step(f"holders {start}–{end - 1} of each county ({len(counties) * (end - start):,})"):
                holders_round(counties, start, end, actor, duty)
    with step("analyze"), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    with step("audit entries"):
        audit_entries()
    finance = User.objects.get(username=f"finance_{HOME}")
    finance2 = User.objects.get(username=f"finance2_{HOME}")
    with step("payroll months"):
        months(counties, finance, finance2)
    with step("monthly aggregates of the locked months (what the city and province pages read)"):
        from subsidies.aggregates import aggregates_rebuild

        if not MonthAggregate.objects.exists():
            aggregates_rebuild(county_code="", month="")
    with step("analyze"), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    print(f"built in {time.perf_counter() - started:.0f} s; {info()}; database {size}")


def info() -> str:
    return (
        f"{County.objects.count()} counties, {City.objects.count()} cities, {Township.objects.count():,} townships, "
        f"{Placement.objects.count():,} placements, {PayrollLine.objects.count():,} payroll lines, "
        f"audit entries {_count('audit_entry'):,}"
    )


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        return int(cursor.fetchone()[0])


def bare(sql: str, params: list, repeat: int = 20) -> float:
    """p95 in ms of a bare SQL read (the page's rows, nothing else)."""
    times = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return p95(times)


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def profile(work: Callable[[], object]) -> None:
    """Print the statements of `work` that took the most time in all (stderr): the place to
    look when a figure grows with the province (then EXPLAIN ANALYZE it)."""
    spent: dict[str, list[float]] = {}

    def timer(execute: Callable, sql: str, params: object, many: bool, context: object) -> object:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = re.sub(r"\d+", "N", " ".join(sql.split()))[:400]
            spent.setdefault(key, []).append(time.perf_counter() - started)

    with connection.execute_wrapper(timer):
        work()
    for key, times in sorted(spent.items(), key=lambda kv: -sum(kv[1]))[:12]:
        print(f"{sum(times) * 1000:8.0f} ms  {len(times):4}×  {key}", file=sys.stderr)


def measure() -> None:
    figures: dict[str, object] = {"_info": info()}
    county = County.objects.get(code=HOME)
    run = payroll.run_for(county, MAR)
    PayrollRun.objects.filter(pk=run.pk).update(state="draft")
    PayrollLine.objects.filter(run=run).delete()
    times = []
    for _attempt in range(4):
        with connection.cursor() as cursor:  # what autovacuum does between runs days apart
            cursor.execute("VACUUM ANALYZE subsidies_payrollline")
        started = time.perf_counter()
        payroll.compute_run(PayrollRun.objects.get(pk=run.pk))
        times.append(time.perf_counter() - started)
    lines = PayrollLine.objects.filter(run=run).count()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE floor_lines (LIKE subsidies_payrollline INCLUDING ALL)")
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO floor_lines SELECT * FROM subsidies_payrollline WHERE run_id = %s", [run.pk]
        )
        floor = time.perf_counter() - started
        transaction.set_rollback(True)
    figures[f"month: first computation ({lines:,} lines)"] = times[0]
    figures["month: recomputation (median of 3)"] = statistics.median(times[1:])
    figures["month: floor, bare INSERT … SELECT of the lines"] = floor
    PayrollRun.objects.filter(pk=run.pk).update(state="computed")

    towns = list(county.townships.values_list("pk", flat=True))
    # (user, label, URL, query, the bare SQL of its rows, that SQL's parameters)
    pages: list[tuple[str, str, str, dict[str, str], str, list]] = [
        (
            f"hr_{HOME}",
            "people list",
            reverse("people:person-list"),
            {},
            "SELECT id, name, id_number, township_id FROM people_person WHERE township_id = ANY(%s) ORDER BY township_id, name, id LIMIT 50",
            [towns],
        ),
        (
            f"hr_{HOME}",
            "placements list",
            reverse("placements:placement-list"),
            {},
            "SELECT id, person_id, on_post_date FROM placements_placement WHERE township_id = ANY(%s) ORDER BY on_post_date DESC, id LIMIT 50",
            [towns],
        ),
        (
            f"finance_{HOME}",
            "payroll run page",
            reverse("subsidies:run-detail", args=[run.pk]),
            {},
            "SELECT township_id, count(*), sum(pay) FROM subsidies_payrollline WHERE run_id = %s GROUP BY township_id",
            [run.pk],
        ),
        (
            f"finance_{HOME}",
            "payroll lines",
            reverse("subsidies:run-lines", args=[run.pk]),
            {},
            "SELECT * FROM subsidies_payrollline WHERE run_id = %s ORDER BY township_id, id LIMIT 50",
            [run.pk],
        ),
        (
            f"auditor_{HOME}",
            "audit log",
            reverse("audit:county-log"),
            {},
            "SELECT * FROM audit_entry WHERE county_id = %s ORDER BY timestamp DESC, id DESC LIMIT 50",
            [county.pk],
        ),
        (
            f"auditor_{HOME}",
            "audit log, one township",
            reverse("audit:county-log"),
            {"township": f"{HOME}101"},
            "SELECT * FROM audit_entry WHERE county_id = %s AND township_id = %s ORDER BY timestamp DESC, id DESC LIMIT 50",
            [county.pk, towns[0]],
        ),
        (f"hr_{HOME}", "home (landing page)", reverse("home"), {}, "SELECT 1", []),
    ]
    if apps.is_installed("supervision"):  # the city and province pages (docs/policy.md §1.4)
        from townships.models import Role
        from townships.services import user_with_membership_ensure

        user_with_membership_ensure(
            username="bench_province", password="bench-password-1", role=Role.PROVINCE
        )
        city = county.city.code
        pages += [
            (
                "bench_province",
                "province page",
                reverse("supervision:home"),
                {},
                "SELECT county_id, sum(pay) FROM subsidies_monthaggregate GROUP BY county_id",
                [],
            ),
            (
                "bench_province",
                "city page (聊城市)",
                reverse("supervision:city", args=[city]),
                {},
                "SELECT county_id, sum(pay) FROM subsidies_monthaggregate WHERE county_id IN (SELECT id FROM townships_county WHERE city_id = %s) GROUP BY county_id",
                [county.city_id],
            ),
            (
                "bench_province",
                "county report (东昌府区)",
                reverse("supervision:county", args=[HOME]),
                {},
                "SELECT township_id, sum(pay) FROM subsidies_monthaggregate WHERE county_id = %s GROUP BY township_id",
                [county.pk],
            ),
        ]
    clients: dict[str, Client] = {}
    for username, label, url, params, _, _ in pages:  # imports and templates compiled, not counted
        if username not in clients:
            clients[username] = Client(HTTP_HOST="127.0.0.1")
            clients[username].force_login(User.objects.get(username=username))
        response = clients[username].get(url, params)
        assert response.status_code == 200, (label, response.status_code)
    for username, label, url, params, sql, sql_params in pages:
        client = clients[username]
        cache.clear()
        started = time.perf_counter()
        client.get(url, params)
        figures[f"{label}: cold first request"] = (time.perf_counter() - started) * 1000
        warm = []
        for _ in range(20):
            started = time.perf_counter()
            client.get(url, params)
            warm.append((time.perf_counter() - started) * 1000)
        figures[f"{label}: warm median"] = statistics.median(warm)
        figures[f"{label}: warm p95"] = p95(warm)
        figures[f"{label}: floor, bare SQL of its rows (p95)"] = bare(sql, sql_params)
    figures |= api_lines(county, run)
    print(json.dumps(figures, ensure_ascii=False))


def api_lines(county: County, run: PayrollRun) -> dict[str, float]:
    """The JSON interface's lines of the county's March (a finance token: whole numbers, 100 a
    page by id): its first page and a page halfway, cold (the cache emptied) and the warm p95 of
    20 calls, each beside a floor: the page's lines read by their ids."""
    from api import services
    from townships.models import Role
    from townships.services import user_with_membership_ensure

    admin = user_with_membership_ensure(
        username=f"bench_admin_{HOME}", password="bench-password-1", role=Role.COUNTY_ADMIN, county=county
    )
    _, key = services.token_create(county=county, name="bench", role=Role.FINANCE, actor=admin)  # one a run
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {key}")
    first = reverse("api:payroll-lines", args=[HOME, f"{MAR:%Y-%m}"])
    url, pages = first, {}
    for number in range(1, 10**6):  # the pages' links, once (imports and serializers warmed too)
        pages[number] = url
        url = client.get(url).json()["next"]
        if url is None:
            break
    middle = max(2, (len(pages) + 1) // 2)
    figures: dict[str, float] = {}
    for label, page_url in (("first page", first), (f"page {middle} of {len(pages)}", pages[middle])):
        ids = [line["id"] for line in client.get(page_url).json()["results"]]
        cache.clear()
        started = time.perf_counter()
        assert client.get(page_url).status_code == 200
        figures[f"API lines, {label}: cold first request"] = (time.perf_counter() - started) * 1000
        warm = []
        for _ in range(20):
            started = time.perf_counter()
            client.get(page_url)
            warm.append((time.perf_counter() - started) * 1000)
        figures[f"API lines, {label}: warm median"] = statistics.median(warm)
        figures[f"API lines, {label}: warm p95"] = p95(warm)
        figures[f"API lines, {label}: floor, its rows read by id (p95)"] = bare(
            "SELECT * FROM subsidies_payrollline WHERE id = ANY(%s)", [ids]
        )
    return figures


if COMMAND == "build":
    build()
elif COMMAND == "profile":  # 东昌府区's March computed again, its statements by time spent
    home_run = payroll.run_for(County.objects.get(code=HOME), MAR)
    PayrollRun.objects.filter(pk=home_run.pk).update(state="draft")
    profile(lambda: payroll.compute_run(PayrollRun.objects.get(pk=home_run.pk)))
else:
    measure()
