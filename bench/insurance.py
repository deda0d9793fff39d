"""Benchmark: accident insurance and follow-up after exit on a county's placements.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/insurance.py

Reads the placements bench/payroll_compute.py builds (run it first: its B- posts), and times
the roster of a day (count, and HR's first page through the whole Django stack), recording a
policy over the whole roster (its people written at once), the refusal of a second policy that
overlaps it (every person's covers probed), and HR's follow-up figures and overdue list over the
leavers (one referral each, none followed up). Each write is rolled back, so the runs repeat."""

import datetime as dt
from decimal import Decimal

from benchkit import setup, summary, timed

setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from common.bulk import insert_rows  # noqa: E402
from placements import followup, insurance  # noqa: E402
from placements.models import ExitReferral, InsurancePolicy, Placement  # noqa: E402
from townships.models import County  # noqa: E402

ON = dt.date(2022, 3, 1)
TODAY = dt.date(2022, 6, 1)
county = County.objects.get(code="371502")
hr = User.objects.get(username="hr_371502")
ours = Placement.objects.filter(post__code__startswith="B-")
if not ours.exists():
    raise SystemExit("no B- placements: run bench/payroll_compute.py first")
print(f"placements in the county: {ours.count()}; on the roster of {ON}: ", end="", flush=True)
print(insurance.roster_placements(on=ON, county=county).count())


class Rollback(Exception):
    pass


def rolled_back(work) -> None:
    try:
        with transaction.atomic():
            work()
            raise Rollback
    except Rollback:
        pass


def policy(number: str) -> InsurancePolicy:
    return insurance.policy_create(
        county=county,
        insurer="中国人寿",
        number=number,
        start_date=ON,
        end_date=dt.date(2022, 12, 31),
        premium=Decimal("50.00"),
        actor=hr,
    )


def overlap() -> None:
    policy("P-1")
    try:
        policy("P-2")
    except ValidationError:
        pass
    else:
        raise AssertionError("an overlapping policy was recorded")


settings.ALLOWED_HOSTS.append("testserver")
client = Client()
client.force_login(hr)


def ok(url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)


roster_url = reverse("placements:insurance-roster") + f"?on={ON}"
print(
    summary(
        "roster count (county)", timed(lambda: insurance.roster_placements(on=ON, county=county).count(), 7)
    )
)
print(summary("roster page, HR, first page", timed(lambda: ok(roster_url), 7)))
print(summary("policy over the whole roster", timed(lambda: rolled_back(lambda: policy("P-1")), 5)))
print(summary("policy + refused overlapping one", timed(lambda: rolled_back(overlap), 5)))

leavers = list(ours.filter(exit_date__isnull=False).values_list("pk", "exit_date"))
with transaction.atomic():
    ExitReferral.objects.filter(placement__post__code__startswith="B-").delete()
    insert_rows(
        ExitReferral,
        ["placement_id", "kind", "referred_on", "note", "created_at"],
        [(pk, "employment", day, "", dt.datetime.now(dt.UTC)) for pk, day in leavers],
    )
print(f"leavers with a referral: {len(leavers)}")
print(summary("follow-up figures (landing page)", timed(lambda: followup.figures(hr, TODAY), 7)))
print(summary("overdue list, first page", timed(lambda: list(followup.without_followup(hr, TODAY)[:50]), 7)))
print(summary("HR landing page", timed(lambda: ok(reverse("home")), 5)))
