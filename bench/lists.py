"""Benchmark: every list page and each role's landing page at province scale.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/people_list.py
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/payroll_compute.py
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/lists.py

The first two build the data (400,000 people over both counties; 100,000 applications and
placements in 东昌府区 with a computed month of payroll lines). This requests the people,
applications, placements, posts and payroll-line lists (searched, filtered, sorted, paginated),
the landing pages as a clerk, HR and finance, and the audit log as an auditor, through the whole
Django stack, and prints the median and 95th percentile of each."""

import sys

from benchkit import setup, summary, timed

setup()

from django.contrib.auth.models import User  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from people.models import Person  # noqa: E402
from placements.models import Placement  # noqa: E402
from subsidies.models import PayrollRun  # noqa: E402

REPEAT = int(sys.argv[1]) if len(sys.argv) > 1 else 30

people = Person.objects.count()
placements = Placement.objects.count()
run = PayrollRun.objects.filter(lines__isnull=False).order_by("-month").first()
if people < 100_000 or run is None:
    sys.exit("build the data first: bench/people_list.py, then bench/payroll_compute.py")
placed = Placement.objects.filter(township__code="371502101").select_related("person").order_by("pk")[123]
print(f"people {people:,}; placements {placements:,}; payroll lines of {run}: {run.lines.count():,}")

lines = reverse("subsidies:run-lines", args=[run.pk])
CASES: dict[str, list[tuple[str, str, dict[str, str | int]]]] = {
    "clerk_371502101": [
        ("home (queue, alerts, plan)", reverse("home"), {}),
        ("applications: first page", reverse("placements:queue"), {}),
        ("applications: step filter", reverse("placements:queue"), {"step": "placed"}),
        ("applications: name search", reverse("placements:queue"), {"q": placed.person.name}),
        ("placements: on post", reverse("placements:placement-list"), {"status": "on"}),
        ("placements: latest on post first", reverse("placements:placement-list"), {"sort": "-on_post"}),
        ("placements: ID prefix", reverse("placements:placement-list"), {"q": placed.person.id_number[:10]}),
        ("posts: first page", reverse("posts:post-list"), {}),
        ("posts: filled, rural", reverse("posts:post-list"), {"status": "filled", "line": "rural"}),
    ],
    "hr_371502": [
        ("home (approvals, quotas, alerts)", reverse("home"), {}),
        ("applications: county first page", reverse("placements:queue"), {}),
        ("applications: county page 100", reverse("placements:queue"), {"page": 100}),
        ("applications: oldest first", reverse("placements:queue"), {"sort": "applied"}),
        (
            "applications: township + line",
            reverse("placements:queue"),
            {"township": "371502102", "line": "rural"},
        ),  # noqa: E501
        ("placements: county first page", reverse("placements:placement-list"), {}),
        ("placements: county exited", reverse("placements:placement-list"), {"status": "exited"}),
        ("placements: county name search", reverse("placements:placement-list"), {"q": placed.person.name}),
        ("posts: county first page", reverse("posts:post-list"), {}),
        ("posts: county, code descending", reverse("posts:post-list"), {"sort": "-code"}),
        ("people: county first page", reverse("people:person-list"), {}),
        ("people: county, latest registered", reverse("people:person-list"), {"sort": "-registered"}),
        ("payroll lines: county", lines, {}),
        ("payroll lines: name search", lines, {"q": placed.person.name}),
    ],
    "finance_371502": [
        ("home (runs, spending)", reverse("home"), {}),
        ("payroll lines: county", lines, {}),
        ("payroll lines: township + kind", lines, {"township": "371502101", "kind": "regular"}),
    ],
    "auditor_371502": [
        ("audit log: first page", reverse("audit:county-log"), {}),
        (
            "audit log: people, one township",
            reverse("audit:county-log"),
            {"kind": "person", "township": "371502101"},
        ),
        ("audit log: page 100", reverse("audit:county-log"), {"page": 100}),
        ("a person's 修改记录", reverse("audit:object-log", args=["person", placed.person_id]), {}),
        ("a run's 修改记录", reverse("audit:object-log", args=["run", run.pk]), {}),
    ],
}

for username, requests in CASES.items():
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    print(f"\n{username}")
    for label, url, params in requests:
        response = client.get(url, params)
        assert response.status_code == 200, (label, response.status_code)
        times = timed(lambda client=client, url=url, params=params: client.get(url, params), REPEAT)
        print(summary(f"  {label}", times))
