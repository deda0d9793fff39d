"""Each role lands on its own workspace: the clerk's queue and alerts, HR's approvals, quotas and
alerts, finance's monthly run and spending; charts drawn from our own static files."""

import datetime as dt
import json
import re

from django.urls import reverse

from people.models import GroupClaim
from subsidies import payroll
from subsidies.models import PayrollLine
from tests import factories
from townships.models import County


def chart(page: str, element_id: str) -> dict:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S)
    assert found, f"no chart data {element_id}"
    return json.loads(found.group(1))


def test_a_clerk_lands_on_their_township_queue_and_alerts(cast) -> None:
    factories.placement("371502101", on_post=dt.date.today() - dt.timedelta(days=3 * 365 - 10))
    factories.placement("371502102", name="别镇人")
    page = cast.client(cast.clerk).get(reverse("home")).content.decode()
    assert "沙镇镇工作台" in page
    assert 'href="/placements/?step=applied"' in page
    subsidy = re.search(r'<span class="tile-count">(\d+)</span><span>补贴期限届满</span>', page)
    assert subsidy and subsidy.group(1) == "1"  # the other township's holder is not counted
    groups = chart(page, "group-chart")
    assert groups["labels"] == ["脱贫享受政策人口（含监测对象）"]
    assert [s["data"] for s in groups["series"]] == [["0"], ["1"]]


def test_hr_lands_on_approvals_quotas_and_alerts_of_the_county(cast) -> None:
    person = factories.person("371502102", groups=["poverty"])
    GroupClaim.objects.filter(person=person).update(status=GroupClaim.Status.UNVERIFIED)
    page = cast.client(cast.hr).get(reverse("home")).content.decode()
    assert "公示期满待区级审批" in page
    plan = chart(page, next(iter(re.findall(r'data-chart="(plan-chart-\d+)"', page))))
    assert len(plan["labels"]) == 14 and plan["series"][0]["label"] == "计划"
    unverified = re.search(r'<span class="tile-count">(\d+)</span><span>人员类别待人工认定</span>', page)
    assert unverified and unverified.group(1) == "1"
    assert "兖州区" not in page


def test_finance_lands_on_the_months_run_and_the_years_spending(cast) -> None:
    factories.placement("371502101")
    county = County.objects.get(code="371502")
    run = payroll.compute_run(payroll.run_for(county, dt.date(2022, 2, 1)))
    client = cast.client(cast.finance)
    page = client.get(reverse("home")).content.decode()
    assert reverse("subsidies:run-detail", args=[run.pk]) in page
    assert 'action="/subsidies/start/"' in page
    assert "公示期满待区级审批" not in page
    assert "计算该月补贴" in page


def test_the_years_spending_chart_adds_up_the_payroll_lines(cast) -> None:
    factories.placement("371502101")
    county = County.objects.get(code="371502")
    for month in (dt.date(2022, 2, 1), dt.date(2022, 3, 1)):
        payroll.compute_run(payroll.run_for(county, month))
    page = cast.client(cast.finance).get(reverse("home")).content.decode()
    spending = chart(page, "spending-chart")
    assert spending["labels"] == ["2022-02", "2022-03"]
    lines = list(PayrollLine.objects.order_by("run__month"))
    expected = [[str(getattr(line, party)) for line in lines] for party in ("province", "city", "district")]
    assert [s["data"] for s in spending["series"]] == expected


def test_charts_come_from_our_own_static_files(cast) -> None:
    for user in (cast.clerk, cast.hr, cast.finance):
        page = cast.client(user).get(reverse("home")).content.decode()
        sources = re.findall(r'<script src="([^"]+)"', page)
        assert "/static/vendor/chart-4.6.1.umd.min.js" in sources
        assert all(src.startswith("/static/") for src in sources)


def test_alerts_by_kind_are_drawn_when_there_are_any(cast) -> None:
    page = cast.client(cast.hr).get(reverse("home")).content.decode()
    assert 'id="alert-chart"' not in page  # nothing due: no empty picture
    factories.placement("371502101", on_post=dt.date.today() - dt.timedelta(days=3 * 365 - 10))
    alerts = chart(cast.client(cast.hr).get(reverse("home")).content.decode(), "alert-chart")
    assert alerts["labels"][1] == "补贴期限届满" and alerts["series"][0]["data"][1] == "1"


def test_the_group_chart_follows_a_holders_claims_edited_and_imported(cast) -> None:
    """Holders are counted by the tally stored per township: a clerk's edit of the person and an
    applicant sheet that changes the groups move the chart at the next visit (nothing cached)."""
    from people.imports import claims_replace
    from people.services import PersonData, person_update

    placement = factories.placement("371502101", name="类别人")
    person = placement.person
    data = PersonData(
        name=person.name,
        id_number=person.id_number,
        village=person.village.name,
        groups=["rural_disabled", "low_income"],
        bank_account=person.bank_account,
        bank_name=person.bank_name,
    )
    person_update(person=person, data=data, actor=cast.clerk)

    def drawn() -> dict[str, list[str]]:  # the page is asked again, nothing emptied in between
        found = chart(cast.client(cast.hr).get(reverse("home")).content.decode(), "group-chart")
        return {label: [s["data"][i] for s in found["series"]] for i, label in enumerate(found["labels"])}

    assert drawn() == {"农村低收入人口": ["0", "1"], "农村残疾人": ["0", "1"]}  # [urban, rural]
    township = placement.township
    claims_replace(
        township=township,
        groups={person.id_number: ["poverty"]},
        ids={person.id_number: person.pk},
        claims={person.pk: ["low_income", "rural_disabled"]},
    )
    assert drawn() == {"脱贫享受政策人口（含监测对象）": ["0", "1"]}


def test_a_person_flagged_by_a_roster_is_counted_at_the_next_visit(cast) -> None:
    """The landing page's counts are read, not kept: a death roster's flag shows at once."""
    from people.models import Person

    person = factories.person("371502101", name="名单人")
    client = cast.client(cast.hr)

    def flagged() -> str:
        page = client.get(reverse("home")).content.decode()
        found = re.search(r'<span class="tile-count">([^<]+)</span><span>[^<]*名单[^<]*</span>', page)
        assert found, "no roster tile"
        return found.group(1)

    assert flagged() == "0"
    Person.objects.filter(pk=person.pk).update(on_death_roster=True)  # as roster_apply flags them
    assert flagged() == "1"
