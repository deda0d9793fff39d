"""The alert list costs the same number of queries for 5 placements as for 50 (issue 16: each
alert used to read a deferred column of its placement, one query per placement), on the alerts
page and on HR's landing page, each with an empty cache."""

import datetime as dt
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements import selectors, terms
from placements.models import Agreement, Placement
from tests import factories
from townships.models import County

D = dt.date


def name(i: int) -> str:
    """提醒 and letters (a name takes no digits): 0 → 提醒A, 27 → 提醒BB."""
    return "提醒" + chr(65 + i % 26) * (1 + i // 26)


def holders(n: int, cast, start: int = 0) -> None:
    """`n` more holders of every alert kind: subsidy ending, agreement ending, legacy terms,
    rural over the age flag, urban retiring (born so that each falls due by 2022-05)."""
    for i in range(start, start + n):
        kind = i % 5
        placement = factories.placement(
            "371502101",
            line="urban" if kind == 4 else "rural",
            name=name(i),
            birth="19570101" if kind in (3, 4) else "19700101",
            on_post=D(2019, 7, 1),
            prior_months=6 if kind == 0 else 0,  # 0: 30 months, to 2021-12-31
        )
        if kind == 1:  # the factory's agreement ends within the alert period
            Agreement.objects.filter(application=placement.application).update(end_date=D(2022, 5, 31))
            terms.stored_terms_refresh(person_ids=[placement.person_id])
        if kind == 2:
            Placement.objects.filter(pk=placement.pk).update(
                legacy_terms=True, legacy_pay=Decimal("1200.00"), legacy_until=D(2022, 6, 15)
            )
            terms.stored_terms_refresh(person_ids=[placement.person_id])


def queries(client, url: str) -> tuple[int, str]:
    cache.clear()  # the first, cold request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_alerts_page_reads_a_fixed_number_of_queries(cast, monkeypatch) -> None:
    from placements import views

    monkeypatch.setattr(views, "today", lambda: D(2022, 5, 1))
    client = cast.client(cast.hr)
    url = reverse("placements:alerts")
    holders(5, cast)
    few, page = queries(client, url)
    assert "提醒A：补贴期限届满（2021-12-31）" in page  # 36 − 6 months from 2019-07
    assert "提醒B：协议到期（2022-05-31）" in page and "提醒E：2017年内达到法定退休年龄" in page
    holders(45, cast, start=5)
    many, page = queries(client, url)
    assert "提醒C：补贴期限届满（2022-06-15）" in page and f"{name(49)}：" in page
    assert many == few, f"{few} queries for 5 placements, {many} for 50"
    assert len(selectors.alerts(user=cast.hr, today=D(2022, 5, 1))) >= 50


def test_hr_landing_page_reads_a_fixed_number_of_queries(cast) -> None:
    client = cast.client(cast.hr)
    holders(5, cast)
    few, page = queries(client, reverse("home"))
    assert "补贴期限届满" in page
    holders(45, cast, start=5)
    many, _ = queries(client, reverse("home"))
    assert many == few, f"{few} queries for 5 placements, {many} for 50"


def test_the_alerts_follow_a_subsidy_end_recomputed_for_a_new_county_limit(cast, monkeypatch) -> None:
    """The alert list reads the stored subsidy ends, which a new county limit moves."""
    from placements import views

    monkeypatch.setattr(views, "today", lambda: D(2022, 5, 1))
    factories.placement("371502101", on_post=D(2020, 6, 1), name="限期人")
    client = cast.client(cast.hr)
    assert "限期人" not in client.get(reverse("placements:alerts")).content.decode()  # ends 2023-05-31
    county = County.objects.get(code="371502")
    County.objects.filter(pk=county.pk).update(subsidy_months=24)
    terms.stored_terms_refresh_county(county)  # what the county admin's save calls
    page = client.get(reverse("placements:alerts")).content.decode()
    assert "限期人：补贴期限届满（2022-05-31）" in page
