"""Benchmark (issue 20): the month of bench/payroll_compute.py with assessment scores and the
urban holders' social-insurance subsidy, against the same month without them, in one run.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/payroll_extras.py

Needs the 100,000 placements that payroll_compute.py builds (run it first). Times the plain
month (every holder rural, no score: payroll_compute's month) first and again, then switches the
extras on — 20,000 of the placements urban (their posts, applications and stored terms too; the
county's urban pay policy and social-insurance policy in force on 2022-03-01, which the demo
seed gives 东昌府区), a monthly assessment scheme withholding 30 % on failure, one published sheet
per township and a score for every holder on post in March, 5 % of them failing — and times the
same month again, first and again. Prints both, their ratio (target ≤ 1.3×) and the floor: a
bare INSERT … SELECT of the month's lines (and of its subsidy rows) into a table of the same
shape. The set-up is outside the timings. At the end the extras are switched off again (the
month's lines stay as last computed). PROFILE=1: cProfile of one recomputation with the extras."""

import cProfile
import datetime as dt
import os
import pstats
import statistics
import sys
import time
from decimal import Decimal

from benchkit import setup

setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessment.models import Scheme, Score, Sheet  # noqa: E402
from assessment.scores import holders  # noqa: E402
from common.bulk import insert_rows  # noqa: E402
from placements.models import Agreement, Application, Placement  # noqa: E402
from placements.terms import stored_terms_refresh  # noqa: E402
from posts.models import Duty, Post  # noqa: E402
from subsidies import payroll, social_insurance  # noqa: E402
from subsidies.models import PayrollLine, PayrollRun, SocialInsuranceLine  # noqa: E402
from townships.models import County, Line  # noqa: E402

MONTH = dt.date(2022, 3, 1)
URBAN_EVERY = 5  # one placement in five: 20,000 of 100,000
FAILING = 5  # of every 100 holders
DOCUMENT = "bench/payroll_extras.py"  # marks the bench's scheme
ATTEMPTS = int(os.environ.get("ATTEMPTS", "5"))  # the first computation and ATTEMPTS - 1 again
county = County.objects.get(code="371502")
actor = User.objects.get(username="hr_371502")
ours = Placement.objects.filter(post__code__startswith="B-")
if ours.count() != 100_000:
    raise SystemExit("run bench/payroll_compute.py first (100,000 placements)")
urban_ids = list(ours.order_by("pk").values_list("pk", flat=True))[::URBAN_EVERY]


def analyze(*tables: str) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


def lines_set(line: str) -> None:
    """The bench's urban placements (their posts and applications, duty and agreed pay) to `line`,
    and their stored terms refreshed (the subsidy period and age alert depend on it)."""
    duty = Duty.objects.filter(line=line).first()
    placements = Placement.objects.filter(pk__in=urban_ids)
    with transaction.atomic():
        placements.update(line=line)
        Post.objects.filter(pk__in=placements.values("post_id")).update(line=line, duty=duty)
        Application.objects.filter(pk__in=placements.values("application_id")).update(line=line)
        pay = "1700.00" if line == Line.URBAN else "680.00"
        Agreement.objects.filter(application_id__in=placements.values("application_id")).update(
            monthly_pay=pay
        )
    stored_terms_refresh(person_ids=placements.values("person_id"))


def extras_off() -> None:
    schemes = Scheme.objects.filter(county=county, document=DOCUMENT)
    Score.objects.filter(sheet__scheme__in=schemes).delete()
    Sheet.objects.filter(scheme__in=schemes).delete()
    schemes.delete()
    if Placement.objects.filter(pk__in=urban_ids, line=Line.URBAN).exists():
        lines_set(Line.RURAL)
    analyze("placements_placement", "posts_post", "assessment_score", "assessment_sheet")


def extras_on() -> None:
    """20,000 urban holders and a published March score for every holder on post (5 % failing)."""
    lines_set(Line.URBAN)
    for line in (Line.RURAL, Line.URBAN):  # the pay policies the month needs: the seed's
        payroll.policy_in_force(county, line, MONTH)
    policy = social_insurance.policy_on(county, MONTH)
    if policy is None:
        raise SystemExit(f"{county.name}没有2022年3月的社会保险补贴标准：run seed_demo")
    scheme = Scheme.objects.create(
        county=county,
        name="基准测试考核",
        valid_from=dt.date(2022, 1, 1),
        fail_share=Decimal("0.30"),
        pass_mark=Decimal(60),
        document=DOCUMENT,
    )
    now = timezone.now()
    passed, failed = ("25.0", "40.0", "16.0", "81.0"), ("15.0", "25.0", "10.0", "50.0")
    rows: list[tuple] = []
    for township in county.townships.all():
        sheet = Sheet.objects.create(
            scheme=scheme,
            township=township,
            first=MONTH,
            last=MONTH,
            state=Sheet.State.PUBLISHED,
            published_at=now,
            published_by=actor,
        )
        for pk in holders(sheet).order_by("pk").values_list("pk", flat=True):
            parts = failed if len(rows) % 100 < FAILING else passed
            rows.append((sheet.pk, pk, *parts, actor.pk, now))
    with transaction.atomic():
        insert_rows(
            Score,
            [
                "sheet_id",
                "placement_id",
                "village",
                "township",
                "appraisal",
                "total",
                "updated_by_id",
                "updated_at",
            ],
            rows,
        )
    analyze("placements_placement", "posts_post", "assessment_score", "assessment_sheet")
    print(
        f"extras: {len(urban_ids)} urban holders, {len(rows)} published scores "
        f"({sum(1 for r in rows if r[5] == failed[3])} failing) in {county.townships.count()} sheets",
        flush=True,
    )


def timed_month(run: PayrollRun, label: str) -> list[float]:
    """The month computed from nothing, then ATTEMPTS - 1 times again (as payroll_compute.py)."""
    PayrollRun.objects.filter(pk=run.pk).update(state="draft")
    PayrollLine.objects.filter(run=run).delete()
    SocialInsuranceLine.objects.filter(run=run).delete()
    times = []
    for attempt in range(1, ATTEMPTS + 1):
        analyze("subsidies_payrollline", "subsidies_socialinsuranceline")  # autovacuum between runs
        started = time.perf_counter()
        payroll.compute_run(PayrollRun.objects.get(pk=run.pk))
        times.append(time.perf_counter() - started)
        state = PayrollRun.objects.get(pk=run.pk).state
        lines = PayrollLine.objects.filter(run=run).count()
        insured = SocialInsuranceLine.objects.filter(run=run).count()
        again = "first computation" if attempt == 1 else "recomputation"
        print(
            f"{label} {again} {attempt}  {times[-1]:6.2f} s  "
            f"lines={lines} subsidy rows={insured} state={state}",
            flush=True,
        )
    return times


def bare_insert(table: str, run_id: int) -> float:
    """Seconds to write the run's rows of `table` again with one bare INSERT … SELECT into an empty
    table with its columns, indexes and constraints (rolled back)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE floor_rows (LIKE {table} INCLUDING ALL)")
        started = time.perf_counter()
        cursor.execute(f"INSERT INTO floor_rows SELECT * FROM {table} WHERE run_id = %s", [run_id])
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def profiled(label: str) -> None:
    """cProfile of one recomputation: the project's functions by cumulative time, then all by own time."""
    profile = cProfile.Profile()
    profile.runcall(payroll.compute_run, PayrollRun.objects.get(pk=run.pk))
    print(f"--- profile of a recomputation, {label} ---")
    stats = pstats.Stats(profile, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(r"/(subsidies|assessment|common)/", 30)
    stats.sort_stats("tottime").print_stats(12)


PROFILE = os.environ.get("PROFILE")
run = payroll.run_for(county, MONTH)
extras_off()
plain = timed_month(run, "plain")
if PROFILE:
    profiled("plain")
plain_floor = bare_insert("subsidies_payrollline", run.pk)
started = time.perf_counter()
extras_on()
print(f"(set-up of the extras, not timed: {time.perf_counter() - started:.0f} s)", flush=True)
extra = timed_month(run, "extras")
cut = PayrollLine.objects.filter(run=run, note__contains="考核不合格").count()
lines_floor = bare_insert("subsidies_payrollline", run.pk)
rows_floor = bare_insert("subsidies_socialinsuranceline", run.pk)
if PROFILE:
    profiled("with extras")
extras_off()

p_again, e_again = statistics.median(plain[1:]), statistics.median(extra[1:])
print(f"lines cut for a failing score (考核不合格): {cut}")
print(
    f"plain month:  first computation {plain[0]:.2f} s; "
    f"recomputation median {p_again:.2f} s over {ATTEMPTS - 1}"
)
print(
    f"with extras:  first computation {extra[0]:.2f} s; "
    f"recomputation median {e_again:.2f} s over {ATTEMPTS - 1}"
)
print(
    f"ratio (target ≤ 1.3×): first computation {extra[0] / plain[0]:.2f}×, "
    f"recomputation {e_again / p_again:.2f}×"
)
print(
    f"floor (bare INSERT … SELECT): the plain month's lines {plain_floor:.2f} s, the month's lines with "
    f"extras {lines_floor:.2f} s + its subsidy rows {rows_floor:.2f} s; with extras first computation "
    f"{extra[0] / (lines_floor + rows_floor):.1f}× that floor",
    flush=True,
)
