"""Issue 16, cold pages: no landing page and no list reads more queries for more rows. Each
role's landing page and every list is requested with an empty cache (its first request of the
day) at 3 and at 30 placements (with their people, posts, agreements, applications, alerts of
several kinds, a computed month of payroll lines, audit entries and jobs): the counts must be
equal, so a query per row (as the alerts' deferred column was, 122,115 queries at 400,000
people) fails here. The spending chart's stored sums follow a recomputation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.models import Job
from subsidies import payroll
from subsidies.models import PayrollLine, PayrollRun
from tests import factories
from townships.models import County

MONTH = dt.date(2022, 3, 1)


def name(i: int) -> str:
    """计数 and letters (a name takes no digits): 0 → 计数A, 27 → 计数BB."""
    return "计数" + chr(65 + i % 26) * (1 + i // 26)


def grow(cast, upto: int) -> PayrollRun:
    """Placements up to `upto` in two townships, both lines in the clerk's from the first three
    (rural holders born 1957: past the age flag; every third urban, born 1962: retiring; all
    past their subsidy end by now), an HR job each, and the month computed again over all."""
    from placements.models import Placement

    for i in range(Placement.objects.count(), upto):
        urban = i % 3 == 0
        factories.placement(
            "371502102" if i % 3 == 2 else "371502101",
            line="urban" if urban else "rural",
            name=name(i),
            birth="19620601" if urban else "19570101",
        )
        Job.objects.create(user=cast.hr, listing="people", params={}, title=f"导出人员名单{i}")
    return payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), MONTH))


def pages(run: PayrollRun) -> list[tuple[str, str, dict]]:
    lines = reverse("subsidies:run-lines", args=[run.pk])
    home, alerts = reverse("home"), reverse("placements:alerts")
    return [
        ("clerk", home, {}),
        ("clerk", reverse("people:person-list"), {}),
        ("clerk", reverse("placements:queue"), {}),
        ("clerk", reverse("placements:placement-list"), {"status": "on"}),
        ("clerk", alerts, {}),
        ("clerk", reverse("posts:post-list"), {}),
        ("hr", home, {}),
        ("hr", reverse("people:person-list"), {}),
        ("hr", reverse("placements:queue"), {}),
        ("hr", reverse("placements:placement-list"), {}),
        ("hr", alerts, {}),
        ("hr", alerts, {"kind": "subsidy"}),
        ("hr", alerts, {"kind": "age"}),
        ("hr", reverse("posts:post-list"), {}),
        ("hr", lines, {}),
        ("hr", reverse("workspace:job-list"), {}),
        ("finance", home, {}),
        ("finance", lines, {}),
        ("auditor", home, {}),
        ("auditor", reverse("audit:county-log"), {}),
        ("county_admin", home, {}),
        ("county_admin", alerts, {}),
    ]


def cold_counts(cast, run: PayrollRun) -> dict[tuple[str, str, str], int]:
    counts = {}
    for role, url, params in pages(run):
        client = cast.client(getattr(cast, role))
        cache.clear()  # the first request after the cache was emptied
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        assert response.status_code == 200, (role, url, params)
        counts[(role, url, str(params))] = len(captured)
    return counts


@pytest.mark.django_db
def test_no_landing_page_or_list_reads_more_queries_for_more_rows(cast) -> None:
    run = grow(cast, 3)
    few = cold_counts(cast, run)
    run = grow(cast, 30)
    assert PayrollLine.objects.filter(run=run).count() == 30
    many = cold_counts(cast, run)
    grown = {page: (few[page], many[page]) for page in few if many[page] > few[page]}
    assert not grown, f"queries at 3 and at 30 placements: {grown}"
    page = cast.client(cast.hr).get(reverse("placements:alerts")).content.decode()
    assert f"{name(29)}：补贴期限届满" in page and "达到乡村岗位年龄上限" in page, "the lists hold rows"


def test_the_spending_chart_follows_a_recomputed_month(cast) -> None:
    """The chart reads each run's sums stored at its first visit after a computation; a new
    computation (other lines) is summed again, not read stale."""
    import json
    import re

    def spending() -> list[Decimal]:
        cache.clear()
        page = cast.client(cast.finance).get(reverse("home")).content.decode()
        chart = re.search(r'id="spending-chart"[^>]*>(.*?)</script>', page, re.S)
        assert chart is not None, "the home page has the spending chart"
        data = json.loads(chart.group(1))
        columns = zip(*(series["data"] for series in data["series"]), strict=True)  # party → month
        return [sum((Decimal(v) for v in month), Decimal(0)) for month in columns]

    run = grow(cast, 2)
    first = spending()
    assert len(first) == 1 and first[0] > 0
    grow(cast, 4)  # two more holders, the month computed again
    again = spending()
    total = PayrollLine.objects.filter(run=run).values_list("pay", flat=True)
    assert again == [sum(total, Decimal(0))] and again[0] > first[0]
