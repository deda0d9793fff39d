"""Benchmark: every role's landing page and every list, cold (the first request after the
cache was emptied) and warm (the 95th percentile of N requests), each beside a floor measured
in the same run on the same data.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench400k CACHE_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python bench/cold_pages.py [N]

CACHE_URL names the Redis database the benchmark empties before each cold request (never one
that others use); without it the cache is the process's own memory.

The data (built once, set-based SQL and COPY, about two minutes after bench/people_list.py's
400,000 people, which this starts when they are missing): in 东昌府区 130,000 placements on
posts of their own, 120,000 of them active, on-post dates spread over the last three years;
annual agreements; applications for each and 3,000 open ones; 36 monthly payroll runs with
a line per placement on post that month (about two and a half million lines); 300,000 audit
log entries; 200 background jobs for HR.

Cold means the application's cache is empty (a new day, a placement started or ended): the
process and the database's buffers are warm, as on a server that has been running. Before
timing, every page is requested once so that imports and compiled templates are not counted.
The floor is the password-change page of the same user (login, session, membership, layout
and a form: a page that reads nothing of the data); the ratio is the page's time over the
floor's."""

# ruff: noqa: E501 (SQL statements read better unbroken)

import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from benchkit import setup

setup()

from dateutil.relativedelta import relativedelta  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from people.models import Person  # noqa: E402
from placements import terms  # noqa: E402
from placements.models import Placement  # noqa: E402
from subsidies import payroll  # noqa: E402
from subsidies.models import PayrollRun  # noqa: E402
from townships.models import County  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 30
PEOPLE = 400_000
PLACEMENTS = 130_000  # every 13th exited: 120,000 active
MONTHS = 36
AUDIT = 300_000
PREFIX = "C-"  # this benchmark's posts (bench/payroll_compute.py's are B-)
TODAY = dt.date.today()


def sql(statement: str, params: list | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.rowcount


def people_ensure() -> None:
    if Person.objects.count() >= PEOPLE:
        return
    print("building 400,000 people: bench/people_list.py …", flush=True)
    here = Path(__file__).resolve().parent
    subprocess.run([sys.executable, str(here / "people_list.py"), str(PEOPLE)], check=True, env=os.environ)


def build(county: County) -> None:
    """Placements, agreements, applications, payroll and audit log of `county` (replaces an
    earlier build of this benchmark and bench/payroll_compute.py's)."""
    hr = User.objects.get(username=f"hr_{county.code}")
    started = time.perf_counter()
    ours = f"post_id IN (SELECT id FROM posts_post WHERE code LIKE 'B-%%' OR code LIKE '{PREFIX}%%')"
    for statement in (
        "DELETE FROM subsidies_payrollline",
        "DELETE FROM subsidies_finding",
        "DELETE FROM subsidies_attendance",
        "DELETE FROM subsidies_payrollrun",
        f"DELETE FROM placements_agreement WHERE application_id IN (SELECT id FROM placements_application WHERE {ours})",
        f"DELETE FROM placements_placement WHERE {ours}",
        "DELETE FROM placements_transition",
        f"DELETE FROM placements_application WHERE {ours}",
        f"DELETE FROM posts_post WHERE code LIKE 'B-%%' OR code LIKE '{PREFIX}%%'",
        "DELETE FROM audit_entry",
        "DELETE FROM common_job",
    ):
        sql(statement)
    with transaction.atomic():
        # the first PLACEMENTS people of the county, numbered 0.. by pk
        sql(
            "CREATE TEMP TABLE bench_holder ON COMMIT DROP AS "
            "SELECT (row_number() OVER (ORDER BY p.id) - 1)::int AS i, p.id AS person_id, p.township_id, "
            "p.village_id, t.kind = 'street' AS urban FROM people_person p "
            "JOIN townships_township t ON t.id = p.township_id WHERE t.county_id = %s ORDER BY p.id LIMIT %s",
            [county.pk, PLACEMENTS + 3_000],
        )
        sql(
            "ALTER TABLE bench_holder ADD COLUMN on_post date, ADD COLUMN exit_date date, "
            "ADD COLUMN prior int"
        )
        sql(
            "UPDATE bench_holder SET on_post = %s - ((i * 7919) %% 1095), prior = i %% 7, "
            "exit_date = CASE WHEN i %% 13 = 0 THEN LEAST(%s, %s - ((i * 7919) %% 1095) + 200) END",
            [TODAY, TODAY, TODAY],
        )
        sql(
            "INSERT INTO posts_post (code, year, line, status, duty_id, township_id, village_id, department, kind, "
            "working_time) SELECT %s || lpad(i::text, 7, '0'), extract(year FROM on_post)::int, "
            "CASE WHEN urban THEN 'urban' ELSE 'rural' END, "
            "CASE WHEN exit_date IS NULL THEN 'filled' ELSE 'vacant' END, "
            "(SELECT id FROM posts_duty d WHERE d.line = CASE WHEN urban THEN 'urban' ELSE 'rural' END "
            " ORDER BY id LIMIT 1), township_id, village_id, '', 'regular', '每天工作2小时，每月20天' "
            "FROM bench_holder WHERE i < %s",
            [PREFIX, PLACEMENTS],
        )
        sql(
            "INSERT INTO placements_application (line, year, step, holds_post, applied_on, approved_on, migrated, "
            "created_at, created_by_id, person_id, post_id, township_id) "
            "SELECT p.line, p.year, CASE WHEN h.exit_date IS NULL THEN 'placed' ELSE 'exited' END, "
            "h.exit_date IS NULL, h.on_post - 40, h.on_post - 10, false, (h.on_post - 40)::timestamptz, %s, "
            "h.person_id, p.id, h.township_id FROM bench_holder h JOIN posts_post p ON p.code = %s || lpad(h.i::text, 7, '0')",
            [hr.pk, PREFIX],
        )
        # open applications (the work queue) of 3,000 people without a placement, for vacant posts
        sql(
            "INSERT INTO placements_application (line, year, step, holds_post, applied_on, migrated, created_at, "
            "created_by_id, person_id, post_id, township_id) "
            "SELECT p.line, p.year, (ARRAY['applied','reviewed','publicized'])[1 + h.i %% 3], false, "
            "%s - (h.i %% 50), false, (%s - (h.i %% 50))::timestamptz, %s, h.person_id, p.id, p.township_id "
            "FROM bench_holder h JOIN LATERAL (SELECT id, line, year, township_id FROM posts_post "
            "WHERE code = %s || lpad(((h.i - %s) * 13)::text, 7, '0')) p ON true WHERE h.i >= %s",
            [TODAY, TODAY, hr.pk, PREFIX, PLACEMENTS, PLACEMENTS],
        )
        sql(
            "INSERT INTO placements_placement (line, on_post_date, prior_months, first_approved_on, "
            "extension_document, exit_date, exit_reason, exit_note, referral, referral_note, migrated, "
            "application_id, person_id, post_id, township_id, legacy_terms, subsidy_until) "
            "SELECT a.line, h.on_post, h.prior, h.on_post - 10, '', h.exit_date, "
            "CASE WHEN h.exit_date IS NULL THEN '' ELSE 'resigned' END, '', "
            "CASE WHEN h.exit_date IS NULL THEN '' ELSE 'none' END, '', false, a.id, h.person_id, a.post_id, "
            "h.township_id, false, (h.on_post + make_interval(months => %s - h.prior))::date - 1 "
            "FROM bench_holder h JOIN placements_application a ON a.person_id = h.person_id "
            "AND a.step IN ('placed', 'exited') WHERE h.i < %s",
            [county.subsidy_months, PLACEMENTS],
        )
        # annual agreements from the on-post date, the last one ending with the subsidy period
        sql(
            "INSERT INTO placements_agreement (number, start_date, end_date, monthly_pay, working_time, duties, "
            "signed_on, recorded_by_id, village_id, application_id) "
            "SELECT k, (p.on_post_date + make_interval(years => k - 1))::date, "
            "LEAST((p.on_post_date + make_interval(years => k))::date - 1, p.subsidy_until), "
            "CASE WHEN p.line = 'urban' THEN 1700 ELSE 600 END, '每天工作2小时，每月20天', '村容保洁', "
            "(p.on_post_date + make_interval(years => k - 1))::date, %s, po.village_id, p.application_id "
            "FROM placements_placement p JOIN posts_post po ON po.id = p.post_id "
            "CROSS JOIN generate_series(1, 3) k WHERE po.code LIKE %s "
            "AND (p.on_post_date + make_interval(years => k - 1))::date <= COALESCE(p.exit_date, %s)",
            [hr.pk, f"{PREFIX}%", TODAY],
        )
    # the agreement ends, age alerts and group tally: the one function that keeps them (~2 min)
    terms.stored_terms_refresh(
        person_ids=Placement.objects.filter(post__code__startswith=PREFIX).values("person_id")
    )
    print(f"  placements, agreements, applications {time.perf_counter() - started:.0f} s", flush=True)
    payroll_build(county, hr)
    for pk in PayrollRun.objects.filter(county=county).values_list("pk", flat=True):  # as finish stores them
        PayrollRun.objects.filter(pk=pk).update(**payroll.run_totals(pk))
    print(f"  payroll lines {time.perf_counter() - started:.0f} s", flush=True)
    audit_build(county)
    print(f"  audit log, jobs {time.perf_counter() - started:.0f} s", flush=True)
    for table in (
        "posts_post",
        "placements_application",
        "placements_placement",
        "placements_agreement",
        "subsidies_payrollrun",
        "subsidies_payrollline",
        "audit_entry",
        "common_job",
    ):
        sql(f"VACUUM ANALYZE {table}")
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)


def payroll_build(county: County, hr: User) -> None:
    """MONTHS runs up to last month (locked, the last two approved and computed), each with a
    regular line for every placement on post in that month and within its subsidy period."""
    first = TODAY.replace(day=1) - relativedelta(months=MONTHS)
    for n in range(MONTHS):
        month = first + relativedelta(months=n)
        state = "locked" if n < MONTHS - 2 else ("approved" if n == MONTHS - 2 else "computed")
        with transaction.atomic():
            sql(
                "INSERT INTO subsidies_payrollrun (month, state, computed_at, county_id, attempt) "
                "VALUES (%s, %s, now(), %s, 1)",
                [month, state, county.pk],
            )
            run = PayrollRun.objects.get(county=county, month=month)
            end = month + relativedelta(months=1) - dt.timedelta(days=1)
            sql(
                "INSERT INTO subsidies_payrollline (line, kind, days_on_post, days_attended, fraction, pay, province, "
                "city, district, note, placement_id, township_id, run_id) "
                "SELECT p.line, 'regular', 30, 20, 1, a.pay, a.pay * 0.5, a.pay * 0.3, a.pay * 0.2, '', p.id, "
                "p.township_id, %s FROM placements_placement p "
                "CROSS JOIN LATERAL (SELECT CASE WHEN p.line = 'urban' THEN 1700.00 ELSE 600.00 END AS pay) a "
                "WHERE p.township_id IN (SELECT id FROM townships_township WHERE county_id = %s) "
                "AND p.on_post_date <= %s AND (p.exit_date IS NULL OR p.exit_date >= %s) "
                "AND p.subsidy_until >= %s ORDER BY p.township_id, p.id",
                [run.pk, county.pk, end, month, month],
            )


def audit_build(county: County) -> None:
    """AUDIT entries of people's changes over three years by the county's clerks, and jobs."""
    sql(
        "INSERT INTO audit_entry (object_repr, changes_text, changes, object_pk, object_id, action, timestamp, "
        "subject, via, actor_id, content_type_id, county_id, township_id) "
        "SELECT p.name, '', jsonb_build_object('phone', jsonb_build_array('138****0000', '139****0000')), "
        "p.id::text, p.id, 1, now() - make_interval(secs => g * 300), 'person', 'page', u.id, ct.id, %s, "
        "p.township_id FROM generate_series(1, %s) g "
        "JOIN people_person p ON p.id = (SELECT min(id) FROM people_person) + (g * 7) %% 200000 "
        "JOIN townships_township t ON t.id = p.township_id AND t.county_id = %s "
        "JOIN auth_user u ON u.username = 'clerk_' || t.code "
        "CROSS JOIN (SELECT id FROM django_content_type WHERE app_label = 'people' AND model = 'person') ct",
        [county.pk, AUDIT * 2, county.pk],
    )  # every other generated person is of the other county: about AUDIT entries
    sql(
        "INSERT INTO common_job (kind, listing, params, title, state, done, total, error, message, file, "
        "created_at, finished_at, user_id) SELECT 'export', 'people', '{}'::jsonb, '导出人员名单', 'done', 100, 100, "
        "'', '', '', now() - make_interval(secs => g * 3600), now() - make_interval(secs => g * 3600), u.id "
        "FROM generate_series(1, 200) g CROSS JOIN auth_user u WHERE u.username = %s",
        [f"hr_{county.code}"],
    )


def built(county: County) -> bool:
    active = Placement.objects.filter(post__code__startswith=PREFIX, exit_date__isnull=True).count()
    return active > 0 and PayrollRun.objects.filter(county=county).count() == MONTHS


def check_subsidy_until() -> None:
    """The SQL above stores the subsidy end subsidy_until_of computes (one placement a person)."""
    for p in Placement.objects.filter(post__code__startswith=PREFIX).order_by("pk")[:: PLACEMENTS // 50]:
        expected = terms.subsidy_until_of(
            on_post=p.on_post_date,
            limit=36,
            used_before=p.prior_months,
            extended_until=None,
            legacy_pay=None,
            legacy_until=None,
        )
        assert p.subsidy_until == expected, (p.pk, p.subsidy_until, expected)


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


# A page to time: its label, URL and query.
Params = Mapping[str, str | int]
Page = tuple[str, str, Params]


def measure(
    client: Client, url: str, params: Params, before: Callable[[], object] | None = None
) -> tuple[float, list[float]]:
    cache.clear()
    if before is not None:
        before()
    start = time.perf_counter()
    response = client.get(url, params)
    cold = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, params, response.status_code)
    warm = []
    for _ in range(N):
        start = time.perf_counter()
        client.get(url, params)
        warm.append((time.perf_counter() - start) * 1000)
    return cold, warm


def main() -> None:
    people_ensure()
    county = County.objects.get(code="371502")
    if not built(county):
        print("building placements, agreements, payroll and audit log …", flush=True)
        build(county)
    check_subsidy_until()
    run = PayrollRun.objects.filter(county=county).order_by("-month").first()
    assert run is not None
    placed = Placement.objects.filter(township__code="371502101", exit_date__isnull=True).select_related(
        "person"
    )
    sample = placed.order_by("pk")[123]
    active = Placement.objects.filter(township__county=county, exit_date__isnull=True).count()
    print(
        f"people {Person.objects.count():,}; placements in {county.name} "
        f"{Placement.objects.filter(township__county=county).count():,} ({active:,} active); "
        f"payroll runs {PayrollRun.objects.filter(county=county).count()}, lines "
        f"{_count('subsidies_payrollline'):,}; audit entries {_count('audit_entry'):,}; today {TODAY}"
    )
    lines = reverse("subsidies:run-lines", args=[run.pk])

    home, people, queue = reverse("home"), reverse("people:person-list"), reverse("placements:queue")
    on_post, alerts, posts = (
        reverse("placements:placement-list"),
        reverse("placements:alerts"),
        reverse("posts:post-list"),
    )
    audit, jobs = reverse("audit:county-log"), reverse("workspace:job-list")
    cases: dict[str, list[Page]] = {
        "clerk_371502101": [
            ("home (queue, alerts, plan)", home, {}),
            ("people", people, {}),
            ("applications", queue, {}),
            ("placements: on post", on_post, {"status": "on"}),
            ("alerts", alerts, {}),
            ("alerts: subsidy ends", alerts, {"kind": "subsidy"}),
            ("posts", posts, {}),
        ],
        "hr_371502": [
            ("home (approvals, quotas, alerts, runs)", home, {}),
            ("people: county", people, {}),
            ("applications: county", queue, {}),
            ("applications: county page 100", queue, {"page": 100}),
            ("placements: county", on_post, {}),
            ("placements: name search", on_post, {"q": sample.person.name}),
            ("alerts: county", alerts, {}),
            ("alerts: county, agreements, page 20", alerts, {"kind": "agreement", "page": 20}),
            ("posts: county", posts, {}),
            ("payroll lines of a run", lines, {}),
            ("payroll lines: name search", lines, {"q": sample.person.name}),
            ("jobs", jobs, {}),
        ],
        "finance_371502": [
            ("home (runs, spending)", home, {}),
            ("payroll lines of a run", lines, {}),
            ("payroll lines: township + kind", lines, {"township": "371502101", "kind": "regular"}),
        ],
        "auditor_371502": [
            ("home", home, {}),
            ("audit log", audit, {}),
            ("audit log: people, one township", audit, {"kind": "person", "township": "371502101"}),
            ("audit log: page 100", audit, {"page": 100}),
        ],
        "county_admin": [
            ("home (every county)", home, {}),
            ("alerts: every county", alerts, {}),
        ],
    }
    floor_url = reverse("accounts:password-change")
    clients = {}
    for username, requests in cases.items():  # the process's first requests: imports, templates
        client = clients[username] = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        for _, url, params in [("floor", floor_url, {}), *requests]:
            assert client.get(url, params).status_code == 200, (username, url)
    header = f"{'page':<46} {'cold':>8} {'warm p95':>9} {'median':>8} {'floor p95':>9} {'cold/floor':>10} {'p95/floor':>9}"
    rows = []
    for username, requests in cases.items():
        client = clients[username]
        _, floor_times = measure(client, floor_url, {})
        floor = p95(floor_times)
        rows.append(f"\n{username} (floor: password page, p95 {floor:.1f} ms)")
        print(rows[-1], flush=True)
        for label, url, params in requests:
            cold, warm = measure(client, url, params)
            rows.append(
                f"  {label:<44} {cold:8.1f} {p95(warm):9.1f} {statistics.median(warm):8.1f} {floor:9.1f} "
                f"{cold / floor:10.1f} {p95(warm) / floor:9.1f}"
            )
            print(rows[-1], flush=True)
    print(f"\n(ms; cold: first request after cache.clear(); warm: N={N})\n{header}")
    print("\n".join(rows))


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


main()
