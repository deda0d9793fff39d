"""A new county set up from sheets in an afternoon (issue 22; docs/policy.md §1.6, §1.8, §1.9): the
启用检查 page names each missing item, and after the townships and villages sheet, the users sheet,
the year's plan and the pay policies it has nothing missing; a clerk of the new county then works."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from accounts.user_import import USER_COLUMNS, USER_OPTIONAL, users_import
from payments.bank_sheet import BANK_COLUMNS, BANK_OPTIONAL, banks_import
from payments.banks import FIXED, STANDARD
from people.models import Person
from subsidies.policy_sheet import POLICY_COLUMNS, POLICY_OPTIONAL, policies_import
from tests import factories
from tests.factories import xlsx
from townships.models import City, County, Township, Village
from townships.onboarding import ORGANISATION_COLUMNS, ORGANISATION_OPTIONAL, organisation_import
from townships.services import PlanRow, plan_load
from workspace.readiness import readiness

pytestmark = pytest.mark.django_db
JUNE = dt.date(2026, 6, 1)  # a year chinesecalendar covers; the next year is not yet needed in June


def state(county: County, day: dt.date = JUNE) -> dict[str, bool]:
    return {item.label: item.ok for item in readiness(county, day) if item.needed}


@pytest.fixture
def new_county(seeded) -> County:
    return County.objects.create(code="371526", name="高唐县", city=City.objects.get(code="3715"))


def load_everything(county: County) -> None:
    towns = xlsx(
        [
            ["371526001", "鱼邱湖街道", "", "", "", ""],
            ["371526001", "", "", "鱼邱湖社区", "", ""],
            ["371526101", "琉璃寺镇", "", "", "", ""],
            ["371526101", "", "", "琉璃寺村", "", "371526101001"],
        ],
        [*ORGANISATION_COLUMNS, *ORGANISATION_OPTIONAL],
    )
    assert organisation_import(county=county, source=towns, dry_run=False).written
    users = xlsx(
        [
            ["gt_hr", "人社局工作人员", "", "", ""],
            ["gt_fin1", "财政工作人员", "", "", ""],
            ["gt_fin2", "财政工作人员", "", "", ""],
            ["gt_clerk1", "乡镇经办人", "371526001", "", ""],
            ["gt_clerk2", "乡镇经办人", "371526101", "", ""],
            ["gt_village", "村（社区）协管员", "", "371526101001", ""],
        ],
        [*USER_COLUMNS, *USER_OPTIONAL],
    )
    checked, made = users_import(county=county, source=users, dry_run=False)
    assert checked.written and len(made) == 6
    plan_load(
        county=county,
        year=2026,
        title="高唐县2026年城乡公益性岗位开发计划",
        document="高人社字〔2026〕1号",
        declared_urban=30,
        declared_rural=120,
        rows=[PlanRow("371526001", 20, 40), PlanRow("371526101", 10, 80)],
    )
    # the two lines' policies (城乡, 起始日期, 文件, 方式, 出勤天数, 分担, then the amounts by name)
    document = "高政办字〔2026〕3号"
    urban = ["城镇", "2026-01-01", document, "每月固定", 22, "区级承担"]
    rural = ["乡村", "2026-01-01", document, "最低小时工资", 20, "省级定额"]
    amounts = [
        {"月补贴（元）": "1900"},
        {"每日工作小时": "2", "省级定额（元/人·年）": "4000", "市级比例（%）": "40"},
    ]
    rows = [
        head + [given.get(c, "") for c in POLICY_OPTIONAL]
        for head, given in zip((urban, rural), amounts, strict=True)
    ]
    policies = xlsx(rows, [*POLICY_COLUMNS, *POLICY_OPTIONAL])
    checked, _ = policies_import(county=county, source=policies, dry_run=False)
    assert checked.written, checked.problems
    banks = xlsx(
        [["农商银行", FIXED, "农商行、农村商业银行"], ["农业银行", STANDARD, "农行"]],
        [*BANK_COLUMNS, *BANK_OPTIONAL],
    )
    assert banks_import(county=county, source=banks, dry_run=False).written


def test_a_new_county_lacks_every_required_item(new_county) -> None:
    assert state(new_county) == {
        "乡镇（街道）": False,
        "村（社区）": False,
        "2026年度开发计划": False,
        "城镇岗位补贴标准": False,
        "乡村岗位补贴标准": False,
        "2026年工作日历": True,  # chinesecalendar holds 2026
        "人社局工作人员": False,
        "财政工作人员（至少2人）": False,
        "乡镇经办人": True,  # no township lacks one: there is none yet
    }


def test_after_the_sheets_the_plan_and_the_policies_nothing_is_missing(new_county) -> None:
    """The policies and banks from their sheets too: every item ready, the advice on banks
    included, and each item links to its page, none to the admin site."""
    load_everything(new_county)
    assert all(state(new_county).values()), state(new_county)
    items = {item.label: item for item in readiness(new_county, JUNE)}
    assert items["代发银行"].ok and items["代发银行"].detail == "2家"
    assert items["乡村岗位补贴标准"].detail.startswith("高政办字〔2026〕3号（2026-01-01起")
    assert items["城镇岗位补贴标准"].mend == "/subsidies/policies/371526/"
    assert items["代发银行"].mend == "/payments/banks/371526/"
    assert not any(item.mend.startswith("/admin/") for item in items.values())
    assert Township.objects.filter(county=new_county).count() == 2
    assert Village.objects.filter(township__county=new_county).count() == 2


def test_a_township_without_a_clerk_or_villages_and_a_plan_missing_a_row_are_named(new_county) -> None:
    load_everything(new_county)
    Township.objects.create(code="371526102", name="尹集镇", county=new_county)
    items = {item.label: item for item in readiness(new_county, JUNE)}
    assert not items["乡镇经办人"].ok and "尹集镇" in items["乡镇经办人"].detail
    assert not items["村（社区）"].ok and "尹集镇" in items["村（社区）"].detail
    assert (
        not items["2026年度开发计划"].ok and "1个乡镇（街道）没有岗位数" in items["2026年度开发计划"].detail
    )


def test_one_finance_user_is_not_enough(new_county) -> None:
    load_everything(new_county)
    User.objects.filter(username="gt_fin2").update(is_active=False)
    assert state(new_county)["财政工作人员（至少2人）"] is False


def test_next_years_calendar_is_needed_from_november(new_county) -> None:
    load_everything(new_county)
    labels = {item.label: item for item in readiness(new_county, dt.date(2026, 11, 2))}
    assert labels["2027年工作日历"].needed
    assert not readiness(new_county, JUNE)[6].needed  # the next year's calendar, in June


def test_the_page_is_the_county_administrators_and_names_what_is_missing(
    cast, new_county, monkeypatch
) -> None:
    monkeypatch.setattr("workspace.readiness_views.today", lambda: JUNE)
    url = reverse("workspace:readiness")
    for someone in (cast.hr, cast.finance, cast.clerk, cast.auditor):
        assert cast.client(someone).get(url).status_code == 404
    client = cast.client(cast.county_admin)
    assert "区县" in client.get(url).content.decode()
    page = client.get(url, {"county": "371526"}).content.decode()
    assert "高唐县启用检查" in page and "还有7项未完成" in page
    load_everything(new_county)
    page = client.get(url, {"county": "371526"}).content.decode()
    assert "必需的各项均已完成" in page
    assert client.get(url, {"county": "999999"}).status_code == 404


def test_a_clerk_of_the_new_county_registers_a_person_of_a_loaded_village(new_county) -> None:
    """Working: the clerk made by the users sheet registers a person of a village the townships
    and villages sheet loaded, and sees nothing of the county administrator's."""
    load_everything(new_county)
    client = Client()
    client.force_login(User.objects.get(username="gt_clerk2"))
    form = {
        "name": "新人",
        "id_number": factories.id_number("19800101"),
        "village": "琉璃寺村",
        "groups": ["poverty"],
    }
    response = client.post(reverse("people:person-create"), form)
    person = Person.objects.get(id_number=form["id_number"])
    assert response.status_code == 302 and person.township.code == "371526101"
    assert person.village.name == "琉璃寺村"
    assert client.get(reverse("townships:organisation-load")).status_code == 404


def test_the_plan_is_read_as_in_force_after_an_adjustment(new_county) -> None:
    """A version of the plan (动态调整, docs/policy.md §2.6) replaces the rows from its date: the
    check reads that version's rows and totals, not every version's added together."""
    from townships.models import Plan
    from townships.plans import plan_adjust

    load_everything(new_county)
    plan_adjust(
        plan=Plan.objects.get(county=new_county, year=2026),
        effective_from=dt.date(2026, 5, 1),
        document="高人社字〔2026〕9号",
        reason="乡村岗位增加",
        declared_urban=30,
        declared_rural=130,
        rows=[PlanRow("371526001", 20, 40), PlanRow("371526101", 10, 90)],
        actor=None,
    )
    before, after = readiness(new_county, dt.date(2026, 4, 30)), readiness(new_county, JUNE)
    assert before[2].ok and before[2].detail == "城镇30个、乡村120个（第1版）"
    assert after[2].ok and after[2].detail == "城镇30个、乡村130个（第2版）"
