"""Benchmark: computing one month of payroll for a county with PLACEMENTS people on post (or,
when the county has fewer people than that, for every county: province scale).

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/payroll_compute.py [PLACEMENTS]

With WORKERS=N and REDIS_URL set, the month is instead computed the way a large run is in
production: one Celery task per township (a chord) on a real worker with N processes.

Builds (once) PLACEMENTS placements in 东昌府区 from the people of bench/people_list.py (run it
first), some starting or leaving mid-month and some with short attendance, then times a full
computation (the month's lines deleted first) and recomputations (which find the same lines and
so write nothing), and prints the peak memory of the process, and the floor: a bare
INSERT … SELECT of the same lines into a table of the same shape and indexes, in the same run.

With BEFORE=<git revision> the same month is then computed by that revision's code (a git
worktree in /tmp, run as a subprocess on a copy of the same database, migrated back to the
schema that code knows), so that before and after come from one run on one machine.

With LOCKED=9 (and BEFORE=<git revision>) it instead computes and locks March to November, then
times December, whose computation settles the nine locked months (docs/policy.md §9.7), by this
code and by that revision's, alternately, on the same database: with nothing changed since the
locks, then after 1 % of the holders' June attendance is corrected; and February, which settles no
month, as the cost of a month alone. Both must give the same lines. Each prints the floor: a bare
INSERT … SELECT of the month's lines."""

import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import time

from benchkit import setup

setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from common.bulk import insert_rows  # noqa: E402
from people.models import Person  # noqa: E402
from placements.models import Agreement, Application, Placement  # noqa: E402
from placements.terms import stored_terms_refresh  # noqa: E402
from posts.models import Duty, Post  # noqa: E402
from subsidies import payroll  # noqa: E402
from subsidies.models import Attendance, PayrollLine, PayrollRun  # noqa: E402
from townships.models import County  # noqa: E402

PLACEMENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
MONTH = dt.date(2022, 3, 1)
JAN_1 = dt.date(2022, 1, 1)
county = County.objects.get(code="371502")
PROVINCE = Person.objects.filter(township__county=county).count() < PLACEMENTS


def build(n: int) -> None:
    people = list(
        Person.objects.filter(**({} if PROVINCE else {"township__county": county}))
        .order_by("pk")
        .values_list("pk", "township_id", "village_id")[:n]
    )
    if len(people) < n:
        raise SystemExit(f"only {len(people)} people in {county.name}: run bench/people_list.py first")
    actor = User.objects.get(username="hr_371502")
    duty = Duty.objects.filter(line="rural").first()
    assert duty is not None  # the seed has rural duties
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM subsidies_payrollline")
        cursor.execute("DELETE FROM subsidies_attendance")
        ours = "post_id IN (SELECT id FROM posts_post WHERE code LIKE 'B-%%')"
        cursor.execute(f"DELETE FROM placements_placement WHERE {ours}")
        cursor.execute(
            "DELETE FROM placements_agreement WHERE application_id IN "
            f"(SELECT id FROM placements_application WHERE {ours})"
        )
        cursor.execute("DELETE FROM placements_transition")
        cursor.execute(f"DELETE FROM placements_application WHERE {ours}")
        cursor.execute("DELETE FROM posts_post WHERE code LIKE 'B-%%'")
    with transaction.atomic():
        insert_rows(
            Post,
            ["code", "year", "township_id", "village_id", "line", "duty_id", "status"],
            [(f"B-{i:07d}", 2022, t, v, "rural", duty.pk, "filled") for i, (_, t, v) in enumerate(people)],
        )
    posts = dict(Post.objects.filter(code__startswith="B-").values_list("code", "pk"))
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
                (p, posts[f"B-{i:07d}"], t, "rural", 2022, "placed", True, JAN_1, JAN_1, False, actor.pk)
                for i, (p, t, _) in enumerate(people)
            ],
        )
    apps = dict(Application.objects.filter(post__code__startswith="B-").values_list("person_id", "pk"))
    rows = []
    for i, (p, t, _) in enumerate(people):
        on_post = dt.date(2022, 3, 16) if i % 10 == 1 else dt.date(2021, 1, 1) + dt.timedelta(days=i % 400)
        exit_date = dt.date(2022, 3, 10) if i % 10 == 2 else None
        rows.append(
            (apps[p], p, posts[f"B-{i:07d}"], t, "rural", on_post, i % 12, on_post, exit_date, "", "", "")
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
    # No agreement, no pay (docs/policy.md §8.11): each placement's agreement, some lapsing mid-month,
    # some renewed (a second agreement from the day after the first ends).
    agreements = []
    terms = ("680.00", "每天工作2小时，每月20天", "保洁")
    for i, row in enumerate(rows):
        application_id, on_post, village = row[0], row[5], people[i][2]
        first_end = dt.date(2022, 3, 20) if i % 10 in (3, 4) else dt.date(2024, 12, 31)
        agreements.append((application_id, 1, village, on_post, first_end, *terms, on_post, actor.pk))
        if i % 10 == 4:
            renewal = (dt.date(2022, 3, 21), dt.date(2023, 3, 20))
            agreements.append((application_id, 2, village, *renewal, *terms, on_post, actor.pk))
    with transaction.atomic():
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
    stored_terms_refresh(person_ids=[p for p, _, _ in people])
    short = Placement.objects.filter(post__code__startswith="B-").values_list("pk", flat=True)[::7]
    with transaction.atomic():
        insert_rows(
            Attendance,
            ["placement_id", "month", "days", "withheld", "note", "recorded_by_id"],
            [(pk, MONTH, 15, False, "", actor.pk) for pk in short],
        )
    with connection.cursor() as cursor:
        for table in (
            "posts_post",
            "placements_application",
            "placements_placement",
            "placements_agreement",
            "subsidies_attendance",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


existing = Placement.objects.filter(post__code__startswith="B-").count()
agreed = Agreement.objects.filter(application__post__code__startswith="B-", number=1).count()
if existing != PLACEMENTS or agreed != PLACEMENTS:  # a build from before agreements were needed
    print(f"building {PLACEMENTS} placements (found {existing}) …", flush=True)
    started = time.perf_counter()
    build(PLACEMENTS)
    print(f"built in {time.perf_counter() - started:.0f} s")

WORKERS = int(os.environ.get("WORKERS", "0"))


def on_workers(runs: list, attempts: int = 3) -> list[float]:
    """Time the runs as chords (one task per township) on a real worker (queue bench-payroll)
    with WORKERS processes: every county's run is started and queued at once."""
    from config.celery import app
    from subsidies.tasks import compute_split

    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "-c",
        str(WORKERS),
        "-Q",
        "bench-payroll",
        "--loglevel=WARNING",
        "--without-gossip",
    ]
    worker = subprocess.Popen(command, cwd=str(payroll.__file__).rsplit("/subsidies/", 1)[0])
    try:
        while not app.control.ping(timeout=1.0):
            time.sleep(0.5)
        times = []
        PayrollLine.objects.filter(run__in=runs).delete()  # attempt 1 computes, the others again
        for attempt in range(1, attempts + 1):
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE subsidies_payrollline")
            PayrollRun.objects.filter(pk__in=[r.pk for r in runs]).update(state="draft")
            started = time.perf_counter()
            for run in runs:
                compute_split(payroll.start(run), queue="bench-payroll")
            while PayrollRun.objects.filter(pk__in=[r.pk for r in runs], state="computing").exists():
                time.sleep(0.1)
            times.append(time.perf_counter() - started)
            again = "first computation" if attempt == 1 else "recomputation"
            report(f"{again} as chords on {WORKERS} worker processes {attempt}", times[-1], runs)
        return times
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def bare_insert(run_ids: list[int]) -> float:
    """Seconds to write the runs' lines again with one bare INSERT … SELECT into an empty table
    with subsidies_payrollline's columns, indexes and constraints (rolled back)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE floor_lines (LIKE subsidies_payrollline INCLUDING ALL)")
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO floor_lines SELECT * FROM subsidies_payrollline WHERE run_id = ANY(%s)", [run_ids]
        )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def before(revision: str) -> None:
    """The same benchmark by `revision`'s code (a git worktree) on a copy of this database (its
    data, migrated back to the schema that code knows: the payroll run's own progress fields)."""
    import psycopg2

    root = str(payroll.__file__).rsplit("/subsidies/", 1)[0]
    tree = f"/tmp/payroll-before-{revision}"
    if not os.path.isdir(tree):
        subprocess.run(["git", "-C", root, "worktree", "add", "--detach", tree, revision], check=True)
    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    copy = f"{name}_before"
    connection.close()
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
    admin.close()
    env = {**os.environ, "BEFORE": "", "DATABASE_URL": url.rsplit("/", 1)[0] + "/" + copy}
    manage = [sys.executable, "manage.py", "migrate", "subsidies", "0015", "--verbosity=0"]
    subprocess.run(manage, cwd=root, env=env, check=True)
    print(f"--- the same month by {revision}, on a copy of the same data ---", flush=True)
    subprocess.run([sys.executable, "bench/payroll_compute.py", *sys.argv[1:]], cwd=tree, env=env, check=True)


def report(label: str, seconds: float, runs: list) -> None:
    states = sorted(
        set(PayrollRun.objects.filter(pk__in=[r.pk for r in runs]).values_list("state", flat=True))
    )
    lines = PayrollLine.objects.filter(run__in=[r.pk for r in runs]).count()
    print(f"{label}  {seconds:6.2f} s  runs={len(runs)} lines={lines}  state={','.join(states)}", flush=True)


LOCKED = int(os.environ.get("LOCKED", "0"))
# December computed in a subprocess (this tree's code or a worktree's): the seconds, and a digest
# of its lines so that both codes are seen to give the same lines.
DECEMBER = """
import hashlib, os, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
import django
django.setup()
from subsidies import payroll
from subsidies.models import PayrollLine, PayrollRun
run = PayrollRun.objects.get(pk=int(sys.argv[1]))
PayrollLine.objects.filter(run=run).delete()
PayrollRun.objects.filter(pk=run.pk).update(state="draft")
started = time.perf_counter()
payroll.compute_run(PayrollRun.objects.get(pk=run.pk))
seconds = time.perf_counter() - started
lines = sorted(PayrollLine.objects.filter(run=run).values_list(
    "placement_id", "kind", "corrects_month", "pay", "province", "city", "district"))
print(seconds, len(lines), hashlib.sha256(repr(lines).encode()).hexdigest()[:16])
"""


def december_by(tree: str, run_id: int) -> tuple[float, int, str]:
    done = subprocess.run(
        [sys.executable, "-c", DECEMBER, str(run_id)], cwd=tree, check=True, capture_output=True, text=True
    )
    seconds, count, digest = done.stdout.split()[-3:]
    return float(seconds), int(count), digest


def after_locked_months(count: int, revision: str) -> None:
    """December after `count` locked months (from March), by this code and by `revision`'s."""
    from django.utils import timezone

    from common.retirement import add_months

    root = str(payroll.__file__).rsplit("/subsidies/", 1)[0]
    tree = f"/tmp/payroll-before-{revision}"
    if not os.path.isdir(tree):
        subprocess.run(["git", "-C", root, "worktree", "add", "--detach", tree, revision], check=True)
    months = [add_months(MONTH, i) for i in range(count)]
    started = time.perf_counter()
    Attendance.objects.exclude(month=MONTH).delete()  # a previous run's corrections
    runs_from = PayrollRun.objects.filter(county=county, month__gte=MONTH)
    runs_from.update(state="draft")
    PayrollLine.objects.filter(run__in=runs_from).delete()
    for month in months:  # computed by this code (which records what it read) and locked
        run = payroll.run_for(county, month)
        payroll.compute_run(PayrollRun.objects.get(pk=run.pk))
        PayrollRun.objects.filter(pk=run.pk).update(state="locked", locked_at=timezone.now())
    print(f"{count} months computed and locked in {time.perf_counter() - started:.0f} s", flush=True)
    december = payroll.run_for(county, add_months(MONTH, count))
    february = payroll.run_for(county, add_months(MONTH, -1))  # no locked month before it
    june = add_months(MONTH, 3)
    corrected = Placement.objects.filter(post__code__startswith="B-").order_by("pk")[::100]
    cases = (
        (f"December after {count} locked months, nothing changed since the locks", december),
        (f"December after {count} locked months, 1 % of June's attendance corrected", december),
        ("February, no locked month before it (the cost of a month alone)", february),
    )
    for label, run in cases:
        if "June" in label:
            Attendance.objects.filter(month=june).delete()
            actor = User.objects.get(username="hr_371502")
            with transaction.atomic():
                insert_rows(
                    Attendance,
                    ["placement_id", "month", "days", "withheld", "note", "recorded_by_id"],
                    [(p.pk, june, 10, False, "", actor.pk) for p in corrected],
                )
        connection.close()
        figures: dict[str, list[tuple[float, int, str]]] = {}
        for _attempt in (1, 2):
            for who, where in (("before", tree), ("after", root)):
                figures.setdefault(who, []).append(december_by(where, run.pk))
        lines = figures["after"][-1][1]
        floor = bare_insert([run.pk])
        before_s = min(f[0] for f in figures["before"])
        after_s = min(f[0] for f in figures["after"])
        same = {f[1:] for f in figures["before"] + figures["after"]}
        print(f"{label}: {lines} lines, the same by both: {len(same) == 1}")
        print(
            f"  before ({revision}) {', '.join(f'{f[0]:.2f}' for f in figures['before'])} s; "
            f"after {', '.join(f'{f[0]:.2f}' for f in figures['after'])} s"
        )
        print(
            f"  floor (bare INSERT … SELECT of the {lines} lines) {floor:.2f} s; best before "
            f"{before_s:.2f} s = {before_s / floor:.1f}× the floor, after {after_s:.2f} s = "
            f"{after_s / floor:.1f}×; after/before {after_s / before_s:.2f}",
            flush=True,
        )


counties = County.objects.filter(
    pk__in=Placement.objects.filter(post__code__startswith="B-").values("township__county")
)
runs = [payroll.run_for(c, MONTH) for c in counties.order_by("code")]
if LOCKED:
    after_locked_months(LOCKED, os.environ["BEFORE"])
    sys.exit(0)
if WORKERS:
    times = on_workers(runs)
    again = times[1:]
    print(f"first computation {times[0]:.2f} s; recomputation median {statistics.median(again):.2f} s")
    sys.exit(0)
PayrollRun.objects.filter(pk__in=[r.pk for r in runs]).update(state="draft")
PayrollLine.objects.filter(run__in=runs).delete()
times = []
for attempt in range(1, 6 if len(runs) == 1 else 3):
    with connection.cursor() as cursor:  # what autovacuum does between runs days apart
        cursor.execute("VACUUM ANALYZE subsidies_payrollline")
    started = time.perf_counter()
    for run in runs:  # attempt 1 computes the month, the others compute it again
        payroll.compute_run(PayrollRun.objects.get(pk=run.pk))
    times.append(time.perf_counter() - started)
    report(f"{'first computation' if attempt == 1 else 'recomputation'} {attempt}", times[-1], runs)
again = times[1:]
lines = PayrollLine.objects.filter(run__in=runs).count()
floor = bare_insert([r.pk for r in runs])
print(
    f"first computation {times[0]:.2f} s; recomputation median {statistics.median(again):.2f} s, "
    f"best {min(again):.2f} s over {len(again)}"
)
print(
    f"floor (a bare INSERT … SELECT of the {lines} lines into a table like subsidies_payrollline): "
    f"{floor:.2f} s; first computation {times[0] / floor:.1f}× the floor, "
    f"recomputation {statistics.median(again) / floor:.1f}×"
)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"peak memory of the process (RSS, includes Django and the build step): {peak:.0f} MB", flush=True)
if os.environ.get("BEFORE"):
    before(os.environ["BEFORE"])
