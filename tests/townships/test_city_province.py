"""City and province users (docs/policy.md §1.4): their memberships, the gate (a city user reads
its city's counties only, another city's county answers 404, a province user reads every county),
their pages' figures from the stored monthly aggregates (docs/policy.md §9.12), nobody's ID number,
no write anywhere, and a province page whose queries do not grow with its counties."""

import datetime as dt
import io
from decimal import Decimal as M

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from posts.selectors import plan_report
from subsidies import payroll
from subsidies.models import MonthAggregate, PayrollRun
from supervision import selectors
from tests import factories
from tests.conftest import PASSWORD
from townships.access import COUNTY_WRITERS, supervised_counties, visible_counties, visible_townships
from townships.models import City, County, Role, Township
from townships.services import PlanRow, plan_load, user_with_membership_ensure

MARCH = dt.date(2022, 3, 1)


@pytest.fixture
def supervisors(cast):
    """A city user of 聊城 (东昌府区), one of 济宁 (兖州区), a province user."""

    def make(username: str, role: str, city: str | None = None):
        found = City.objects.get(code=city) if city else None
        return user_with_membership_ensure(username=username, password=PASSWORD, role=role, city=found)

    return {
        "liaocheng": make("city_3715", Role.CITY, "3715"),
        "jining": make("city_3708", Role.CITY, "3708"),
        "province": make("province_37", Role.PROVINCE),
    }


@pytest.fixture
def march(cast):
    """March 2022 of 东昌府区 locked: two rural holders in 沙镇镇, one urban in 堂邑镇."""
    holders = [
        factories.placement("371502101", name="乡村甲"),
        factories.placement("371502101", name="乡村乙"),
        factories.placement("371502102", line="urban", name="城镇丙"),
    ]
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), MARCH), cast.finance)
    payroll.approve(run, cast.finance2)
    payroll.lock(PayrollRun.objects.get(pk=run.pk), cast.finance2)
    return PayrollRun.objects.get(pk=run.pk), holders


# ---- memberships ------------------------------------------------------------------------------


def test_a_city_user_without_a_city_or_with_a_county_is_refused(cast) -> None:
    with pytest.raises(ValidationError, match="市级督导用户必须选择所属市"):
        user_with_membership_ensure(username="c1", password=PASSWORD, role=Role.CITY)
    with pytest.raises(ValidationError, match="不选区县或乡镇"):
        user_with_membership_ensure(
            username="c2",
            password=PASSWORD,
            role=Role.CITY,
            city=City.objects.get(code="3715"),
            county=County.objects.get(code="371502"),
        )
    with pytest.raises(ValidationError, match="只有市级督导用户选择所属市"):
        user_with_membership_ensure(
            username="p1", password=PASSWORD, role=Role.PROVINCE, city=City.objects.get(code="3715")
        )
    with pytest.raises(ValidationError, match="只有市级督导用户选择所属市"):
        user_with_membership_ensure(
            username="h1",
            password=PASSWORD,
            role=Role.HR,
            county=County.objects.get(code="371502"),
            city=City.objects.get(code="3715"),
        )


def test_the_admin_form_refuses_a_city_user_without_a_city(cast) -> None:
    from django.contrib.auth.models import User

    from townships.admin import MembershipForm

    user = User.objects.create_user("admin_made")
    form = MembershipForm(data={"user": user.pk, "role": Role.CITY})
    assert not form.is_valid() and "市级督导用户必须选择所属市。" in form.errors["city"]
    good = MembershipForm(data={"user": user.pk, "role": Role.CITY, "city": City.objects.get(code="3708").pk})
    assert good.is_valid(), good.errors


# ---- the gate ---------------------------------------------------------------------------------


def test_the_gate_gives_a_city_its_counties_the_province_all_and_neither_a_township(supervisors) -> None:
    codes = {
        who: set(supervised_counties(user).values_list("code", flat=True))
        for who, user in supervisors.items()
    }
    assert codes == {
        "liaocheng": {"371502"},
        "jining": {"370812"},
        "province": set(County.objects.values_list("code", flat=True)),
    }
    for user in supervisors.values():
        assert not visible_counties(user).exists() and not visible_townships(user).exists()
    assert not {Role.CITY, Role.PROVINCE} & COUNTY_WRITERS


def test_a_city_user_sees_its_counties_and_another_citys_answer_404(supervisors, march) -> None:
    client = cast_client(supervisors["liaocheng"])
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"] == reverse("supervision:home")
    page = client.get(reverse("supervision:home")).content.decode()
    assert "东昌府区" in page and "兖州区" not in page and "聊城" in page
    assert client.get(reverse("supervision:county", args=["371502"])).status_code == 200
    assert client.get(reverse("supervision:county", args=["370812"])).status_code == 404
    assert client.get(reverse("supervision:city", args=["3708"])).status_code == 404
    assert client.get(reverse("supervision:city", args=["3715"])).status_code == 200
    # the county's own pages stay closed to them, read or write
    assert client.get(reverse("posts:plan-detail", args=["371502", 2022])).status_code == 404
    assert client.get(reverse("subsidies:run-detail", args=[march[0].pk])).status_code == 404
    decide = client.post(reverse("subsidies:run-decide", args=[march[0].pk]), {"action": "approve"})
    assert decide.status_code == 404


def test_the_province_user_sees_every_city_then_its_counties_then_a_countys_reports(
    supervisors, march
) -> None:
    run, _ = march
    client = cast_client(supervisors["province"])
    page = client.get(reverse("supervision:home"), {"year": 2022}).content.decode()
    # the province by city (济宁 3708 before 聊城 3715), each linking to its counties
    assert page.index("济宁市") < page.index("聊城市") and "东昌府区" not in page
    assert reverse("supervision:city", args=["3715"]) in page and "省级应承担资金（按市、月份" in page
    assert f"{run.province_total}" in page
    city = client.get(reverse("supervision:city", args=["3715"]), {"year": 2022}).content.decode()
    assert "东昌府区" in city and "兖州区" not in city
    assert reverse("supervision:county", args=["371502"]) in city
    for code in ("371502", "370812"):
        assert client.get(reverse("supervision:county", args=[code])).status_code == 200
    assert client.get(reverse("supervision:city", args=["3708"])).status_code == 200
    assert client.get(reverse("supervision:city", args=["9999"])).status_code == 404
    assert client.get(reverse("supervision:county", args=["999999"])).status_code == 404
    # the province's workbook holds every county under its city, with the province's share due
    download = client.get(reverse("supervision:home"), {"year": 2022, "export": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    summary = [[c.value for c in row] for row in book["各区县汇总"].iter_rows()]
    assert [r[2] for r in summary if r[1] in ("371502", "370812")] == ["兖州区", "东昌府区"]
    assert any(r[0] == "聊城市" and r[2] == "小计" for r in summary)
    due = next(r for r in book["应承担资金"].iter_rows(values_only=True) if r[1] == "东昌府区")
    assert M(str(due[2])).quantize(M("0.01")) == run.province_total


def test_no_one_else_reaches_the_supervision_pages(cast) -> None:
    for user in (cast.hr, cast.finance, cast.auditor, cast.clerk, cast.county_admin, cast.nobody):
        client = cast.client(user)
        for name, args in (
            ("supervision:home", []),
            ("supervision:city", ["3715"]),
            ("supervision:county", ["371502"]),
        ):
            assert client.get(reverse(name, args=args)).status_code == 404, (user, name)


def test_services_refuse_a_supervisor_every_money_move(supervisors, cast) -> None:
    factories.placement("371502101")
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), MARCH), cast.finance)
    for user in supervisors.values():
        with pytest.raises(ValidationError, match="只有东昌府区的财务人员可以审核"):
            payroll.approve(run, user)
    assert PayrollRun.objects.get(pk=run.pk).state == PayrollRun.State.COMPUTED


# ---- figures ----------------------------------------------------------------------------------


def test_the_landing_figures_are_the_locked_months_sums_and_the_plan_reports(supervisors, march) -> None:
    run, _ = march
    lc = County.objects.get(code="371502")
    for who, party in (("liaocheng", "city"), ("province", "province")):
        user = supervisors[who]
        area = selectors.area(user=user, counties=selectors.area_counties(user), year=2022, title="")
        row = next(r for r in area.counties if r.county == lc)
        assert area.party == party and area.months == [MARCH]
        assert row.due == {MARCH: getattr(run, f"{party}_total")}
        assert row.spent == {
            "pay": run.province_total + run.city_total + run.district_total,
            "province": run.province_total,
            "city": run.city_total,
            "district": run.district_total,
        }
        assert (row.people, row.latest_month) == ({"urban": 1, "rural": 2}, MARCH)
        report = plan_report(plan=lc.plans.get(year=2022), townships=lc.townships.all())
        assert (row.planned_total, row.filled_total) == (report.totals.total, report.totals.filled)
        assert (row.planned["urban"], row.planned["rural"]) == (report.totals.urban, report.totals.rural)
    page = cast_client(supervisors["liaocheng"]).get(reverse("supervision:home")).content.decode()
    assert "市级应承担资金" in page and f"{run.city_total}" in page


def test_the_county_page_shows_its_months_per_township_and_party_and_no_id_number(supervisors, march) -> None:
    run, holders = march
    client = cast_client(supervisors["province"])
    page = client.get(reverse("supervision:county", args=["371502"]), {"year": 2022}).content.decode()
    assert "沙镇镇" in page and "2022-03" in page and f"{run.district_total}" in page
    assert "2022年3月分镇街、分城乡" in page  # the latest locked month's townships, by default
    other = client.get(reverse("supervision:county", args=["371502"]), {"year": 2022, "month": "2022-07"})
    assert "2022年3月分镇街、分城乡" in other.content.decode()  # a month not locked: the latest instead
    assert "东昌府区2022年城乡公益性岗位开发计划" in page or "开发计划" in page
    download = client.get(reverse("supervision:county", args=["371502"]), {"year": 2022, "export": "xlsx"})
    content = b"".join(download.streaming_content)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["计划执行", "分镇街分月", "分月汇总"]
    months = [[c.value for c in row] for row in book["分月汇总"].iter_rows()]
    march_row = next(r for r in months if r[0] == "2022-03")
    assert (
        march_row[1] == 3 and M(str(march_row[2])) == run.province_total + run.city_total + run.district_total
    )
    for holder in holders:  # ID numbers never shown to them, whole or masked
        number = holder.person.id_number
        assert number not in page and number[-4:] + "<" not in page
        assert number.encode() not in content and holder.person.name not in page


def test_the_area_workbook_holds_the_counties_and_the_funds_due(supervisors, march) -> None:
    run, _ = march
    download = cast_client(supervisors["liaocheng"]).get(reverse("supervision:home"), {"export": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book.sheetnames == ["各区县汇总", "应承担资金"]
    rows = [[c.value for c in row] for row in book["应承担资金"].iter_rows()]
    county = next(r for r in rows if r[1] == "东昌府区")
    assert county[0] == "聊城市" and M(str(county[2])).quantize(M("0.01")) == run.city_total


def test_the_province_and_city_pages_queries_do_not_grow_with_their_counties(supervisors, march) -> None:
    client = cast_client(supervisors["province"])

    def count() -> tuple[int, ...]:
        pages = [reverse("supervision:home"), reverse("supervision:city", args=["3715"])]
        found = []
        for url in pages:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url, {"year": 2022}).status_code == 200
            found.append(len(captured))
        return tuple(found)

    few = count()
    for i in range(4):  # four more counties of 聊城, each with a plan and a locked month
        city = City.objects.get(code="3715")
        county = County.objects.create(code=f"37010{i}", name=f"测试区{i}", city=city)
        town = Township.objects.create(code=f"37010{i}001", name=f"测试镇{i}", kind="town", county=county)
        plan_load(
            county=county,
            year=2022,
            title="计划",
            document="",
            declared_urban=1,
            declared_rural=2,
            rows=[PlanRow(township_code=town.code, urban=1, rural=2)],
        )
        run = PayrollRun.objects.create(county=county, month=MARCH, state=PayrollRun.State.LOCKED)
        MonthAggregate.objects.create(
            run=run,
            county=county,
            month=MARCH,
            township=town,
            line="rural",
            people=2,
            **dict.fromkeys(
                ["pay", "province", "city", "district", "bonus"]
                + [f"adjustment_{k}" for k in ("pay", "province", "city", "district")],
                M("1.00"),
            ),
        )
    many = count()
    page = client.get(reverse("supervision:city", args=["3715"]), {"year": 2022}).content.decode()
    assert "测试区3" in page and "东昌府区" in page
    assert many == few, (few, many)


def cast_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
