"""A county's pay policies entered on a page and from a sheet (docs/policy.md §8.1): every way in
(the page, the sheet, the command, the admin) judges a policy by the same rules (policy_check for
its fields, the period rule per line) and saves it through policy_save, which closes the open
policy before it; a bad sheet is refused by row and column with nothing written; the pages are
the county's HR's and county administrator's, and another county's answer 404."""

import datetime as dt
from decimal import Decimal as M
from io import BytesIO, StringIO

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts.services import village_user_create
from audit.models import Entry
from common.dated import in_force
from subsidies.models import SubsidyPolicy
from subsidies.policies import policy_save
from subsidies.policy_sheet import POLICY_COLUMNS, POLICY_OPTIONAL, policies_import
from tests.conftest import PASSWORD
from tests.factories import xlsx
from townships.models import City, County, Role, Village
from townships.services import user_with_membership_ensure

pytestmark = pytest.mark.django_db
COLUMNS = [*POLICY_COLUMNS, *POLICY_OPTIONAL]
OPTIONAL = dict(
    zip(
        ["to", "hourly", "hours", "monthly", "annual", "province", "province_pct", "city_pct"],
        POLICY_OPTIONAL,
        strict=True,
    )
)


def row(line: str, start: str, document: str, basis: str, days: int, split: str, **optional: str) -> list:
    """A sheet row in the template's column order (the optional ones by short names)."""
    values = {OPTIONAL[k]: v for k, v in optional.items()}
    return [line, start, document, basis, days, split, *(values.get(c, "") for c in POLICY_OPTIONAL)]


URBAN_2026 = row("城镇", "2026-01-01", "东昌政办字〔2026〕1号", "每月固定", 22, "区级承担", monthly="2000")
RURAL_2026 = row(
    "乡村",
    "2026-01-01",
    "东昌政办字〔2026〕1号",
    "小时标准",
    20,
    "省级定额",
    hourly="18",
    hours="2",
    province="4000",
    city_pct="40",
)


def sheet(*rows: list) -> BytesIO:
    return xlsx([list(r) for r in rows], COLUMNS)


def problems(checked) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.message) for p in checked.problems]


@pytest.fixture
def county(cast) -> County:
    return County.objects.get(code="371502")


def stored(county: County, line: str) -> list[tuple[dt.date, dt.date | None, str]]:
    policies = SubsidyPolicy.objects.filter(county=county, line=line).order_by("valid_from")
    return [(p.valid_from, p.valid_to, p.document) for p in policies]


def new_policy(county: County, **changes: object) -> SubsidyPolicy:
    values: dict[str, object] = {
        "county": county,
        "line": "urban",
        "valid_from": dt.date(2026, 1, 1),
        "document": "新文件",
        "basis": "monthly",
        "monthly_amount": M("2000.00"),
        "required_days": 22,
        "split": "district",
    }
    return SubsidyPolicy(**(values | changes))


# The service: one rule for periods.


def test_a_new_policy_closes_the_open_one_before_it_the_day_before_it_starts(county) -> None:
    saved = policy_save(policy=new_policy(county))
    assert stored(county, "urban") == [
        (dt.date(2022, 1, 1), dt.date(2025, 12, 31), "东昌政办字〔2022〕4号"),
        (dt.date(2026, 1, 1), None, "新文件"),
    ]
    assert (
        saved.closed is not None
        and "原标准「东昌政办字〔2022〕4号」的截止日期定为2025-12-31" in saved.message
    )
    urban = SubsidyPolicy.objects.filter(county=county, line="urban")
    assert in_force(urban, dt.date(2025, 12, 31)).get().document == "东昌政办字〔2022〕4号"
    assert in_force(urban, dt.date(2026, 1, 1)).get().monthly_amount == M("2000.00")
    assert stored(county, "rural")[0][1] is None  # the other line is untouched


def test_a_policy_reaching_into_a_later_one_or_starting_on_its_day_is_refused(county) -> None:
    before = stored(county, "urban")
    with pytest.raises(ValidationError) as reaching:
        policy_save(policy=new_policy(county, valid_from=dt.date(2021, 1, 1)))
    assert (
        "与城镇岗位补贴标准「东昌政办字〔2022〕4号」（2022-01-01至今后）的期间重叠，截止日期最晚为2021-12-31"
        in (reaching.value.message_dict["valid_to"][0])
    )
    with pytest.raises(ValidationError) as same_day:
        policy_save(policy=new_policy(county, valid_from=dt.date(2022, 1, 1)))
    assert "本区县这一城乡类别在这一起始日期已有补贴标准，请修改原有的那一条" in same_day.value.messages[0]
    policy_save(policy=new_policy(county, valid_from=dt.date(2021, 1, 1), valid_to=dt.date(2021, 12, 31)))
    assert stored(county, "urban") == [(dt.date(2021, 1, 1), dt.date(2021, 12, 31), "新文件"), *before]


def test_a_closed_policy_is_not_reopened_by_one_inside_its_period(county) -> None:
    policy_save(policy=new_policy(county))  # 2022 now ends 2025-12-31
    with pytest.raises(ValidationError) as inside:
        policy_save(policy=new_policy(county, valid_from=dt.date(2024, 7, 1), document="年中"))
    assert inside.value.message_dict == {
        "valid_from": ["与城镇岗位补贴标准「东昌政办字〔2022〕4号」（2022-01-01至2025-12-31）的期间重叠"],
        "valid_to": ["与城镇岗位补贴标准「新文件」（2026-01-01至今后）的期间重叠，截止日期最晚为2025-12-31"],
    }


def test_the_admin_closes_the_open_policy_too(cast, county) -> None:
    data = {
        "county": county.pk,
        "line": "urban",
        "valid_from": "2026-01-01",
        "valid_to": "",
        "document": "管理后台文件",
        "basis": "monthly",
        "monthly_amount": "2000",
        "required_days": "22",
        "split": "district",
        **dict.fromkeys(
            [
                "hourly_rate",
                "hours_per_day",
                "annual_amount",
                "province_annual",
                "province_percent",
                "city_percent",
            ],
            "",
        ),
    }
    page = cast.client(cast.county_admin).post(
        reverse("admin:subsidies_subsidypolicy_add"), data, follow=True
    )
    assert "截止日期定为2025-12-31" in page.content.decode()
    assert stored(county, "urban")[0][1] == dt.date(2025, 12, 31)


# The page.


def form(**changes: str) -> dict[str, str]:
    data = {
        "line": "urban",
        "valid_from": "2026-01-01",
        "valid_to": "",
        "document": "东昌政办字〔2026〕1号",
        "basis": "monthly",
        "hourly_rate": "",
        "hours_per_day": "",
        "monthly_amount": "2000",
        "annual_amount": "",
        "required_days": "22",
        "split": "district",
        "province_annual": "",
        "province_percent": "",
        "city_percent": "",
    }
    return data | changes


def test_hr_adds_a_policy_on_the_page_the_open_one_is_closed_and_both_are_audited(cast, county) -> None:
    client = cast.client(cast.hr)
    page = client.post(reverse("subsidies:policy-new", args=["371502"]), form(), follow=True)
    text = page.content.decode()
    assert (
        "已保存城镇岗位补贴标准「东昌政办字〔2026〕1号」；原标准「东昌政办字〔2022〕4号」的截止日期定为2025-12-31"
        in text
    )
    assert "2022-01-01至2025-12-31" in text and "2026-01-01至今后" in text
    added = SubsidyPolicy.objects.get(county=county, line="urban", valid_from=dt.date(2026, 1, 1))
    assert added.monthly_amount == M("2000.00")
    entries = Entry.objects.filter(content_type__model="subsidypolicy", county=county)
    assert {(e.object_id, e.actor_id) for e in entries} >= {(added.pk, cast.hr.pk)}
    assert entries.filter(changes__icontains="2025-12-31", actor=cast.hr).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"split": "percentages", "province_percent": "120", "city_percent": "0"}, "比例应在0至100之间"),
        (
            {"basis": "hourly", "hours_per_day": "2", "monthly_amount": ""},
            "按「小时标准×每日小时×规定出勤天数」须填写小时标准（元）",
        ),
        ({"valid_from": "2021-01-01"}, "截止日期最晚为2021-12-31"),
        ({"valid_from": "2026-01-01", "valid_to": "2025-01-01"}, "截止日期不能早于起始日期。"),
    ],
)
def test_the_page_refuses_a_bad_policy_by_the_same_rules_and_saves_nothing(
    cast, county, changes, message
) -> None:
    before = stored(county, "urban")
    page = cast.client(cast.county_admin).post(
        reverse("subsidies:policy-new", args=["371502"]), form(**changes)
    )
    assert page.status_code == 200 and message in page.content.decode()
    assert stored(county, "urban") == before


def test_a_policy_is_corrected_on_its_page(cast, county) -> None:
    policy = SubsidyPolicy.objects.get(county=county, line="urban")
    url = reverse("subsidies:policy-edit", args=["371502", policy.pk])
    data = form(valid_from="2022-01-01", document=policy.document, monthly_amount="1750")
    assert cast.client(cast.hr).post(url, data).status_code == 302
    policy.refresh_from_db()
    assert policy.monthly_amount == M("1750.00") and policy.valid_to is None


def supervisor_and_village_user(cast) -> tuple[User, User]:
    city = user_with_membership_ensure(
        username="city_p", password=PASSWORD, role=Role.CITY, city=City.objects.get(code="3715")
    )
    village = Village.objects.filter(township=cast.clerk.membership.township).first()
    assert village is not None  # the seeded township has villages
    keeper, _ = village_user_create(actor=cast.clerk, village=village, username="cun_p")
    return city, keeper


def test_who_reads_and_who_writes_and_another_countys_policy_is_404(cast, county) -> None:
    policy = SubsidyPolicy.objects.filter(county=county).first()
    other = SubsidyPolicy.objects.filter(county__code="370812").first()
    assert policy is not None and other is not None  # both counties are seeded with policies
    listing, new = (reverse(f"subsidies:policy-{n}", args=["371502"]) for n in ("list", "new"))
    for reader in (cast.finance, cast.auditor):
        assert cast.client(reader).get(listing).status_code == 200
        assert cast.client(reader).get(new).status_code == 404
    for writer in (cast.hr, cast.county_admin):
        assert cast.client(writer).get(new).status_code == 200
    for outsider in (cast.clerk, *supervisor_and_village_user(cast), cast.hr_other_county):
        assert cast.client(outsider).get(listing).status_code == 404
        assert cast.client(outsider).post(new, form()).status_code == 404
    wrong = reverse("subsidies:policy-edit", args=["371502", other.pk])
    assert cast.client(cast.hr).get(wrong).status_code == 404
    assert cast.client(cast.hr).post(wrong, form()).status_code == 404
    assert SubsidyPolicy.objects.filter(county=county, valid_from=dt.date(2026, 1, 1)).count() == 0


# The sheet.


def test_a_sheet_previews_what_it_will_close_then_saves_every_row(county) -> None:
    before = stored(county, "urban")
    checked, closings = policies_import(county=county, source=sheet(URBAN_2026, RURAL_2026), dry_run=True)
    assert checked.ok, problems(checked)
    assert sorted(closings) == [
        "乡村岗位「东昌政办字〔2022〕4号」的截止日期将定为2025-12-31",
        "城镇岗位「东昌政办字〔2022〕4号」的截止日期将定为2025-12-31",
    ]
    assert stored(county, "urban") == before  # the preview wrote nothing
    checked, _ = policies_import(county=county, source=sheet(URBAN_2026, RURAL_2026), dry_run=False)
    assert checked.written
    rural = SubsidyPolicy.objects.get(county=county, line="rural", valid_from=dt.date(2026, 1, 1))
    assert (rural.hourly_rate, rural.hours_per_day, rural.province_annual, rural.city_percent) == (
        M("18.00"),
        M("2.0"),
        M("4000.00"),
        M("40.00"),
    )
    assert stored(county, "rural")[0][1] == dt.date(2025, 12, 31)


def test_a_sheets_own_periods_follow_the_same_rule(county) -> None:
    """Two periods of a line in one sheet, listed out of order: the open earlier one is closed by
    the later, as two policies entered on the page one after the other."""
    later = row("城镇", "2027-01-01", "2027年文件", "每月固定", 22, "区级承担", monthly="2100")
    checked, _ = policies_import(county=county, source=sheet(later, URBAN_2026), dry_run=False)
    assert checked.written, problems(checked)
    assert [row[:2] for row in stored(county, "urban")] == [
        (dt.date(2022, 1, 1), dt.date(2025, 12, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        (dt.date(2027, 1, 1), None),
    ]


BROKEN = BytesIO(b"PK\x03\x04 not a workbook")
OVERLAPPING = row(
    "城镇", "2025-06-01", "年中文件", "每月固定", 22, "区级承担", to="2026-06-30", monthly="2100"
)
REACHING = row("城镇", "2021-01-01", "旧文件", "每月固定", 22, "区级承担", monthly="1500")
PERCENT = row(
    "乡村",
    "2026-01-01",
    "比例",
    "每年固定",
    20,
    "省市比例",
    annual="10000",
    province_pct="120",
    city_pct="20",
)
HOURLY = row("乡村", "2026-01-01", "小时", "小时标准", 20, "区级承担", hours="2")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            (URBAN_2026, OVERLAPPING),
            (2, "起始日期", "与城镇岗位补贴标准「年中文件」（2025-06-01至2026-06-30）的期间重叠"),
        ),
        ((REACHING,), (2, "截止日期", "的期间重叠，截止日期最晚为2021-12-31")),
        ((URBAN_2026, PERCENT), (3, "省级比例（%）", "比例应在0至100之间")),
        ((HOURLY,), (2, "小时标准（元）", "须填写小时标准（元）")),
        (
            (["城镇", "2026-01-01", "文件", "每周固定", 22, "区级承担"] + [""] * 8,),
            (2, "补贴标准方式", "补贴标准方式只能填"),
        ),
    ],
)
def test_a_bad_sheet_is_refused_by_row_and_column_and_writes_nothing(county, rows, expected) -> None:
    before = list(SubsidyPolicy.objects.values_list("pk", "valid_to").order_by("pk"))
    checked, _ = policies_import(county=county, source=sheet(*rows), dry_run=False)
    assert not checked.written
    row, column, message = expected
    assert any(p[:2] == (row, column) and message in p[2] for p in problems(checked)), problems(checked)
    assert list(SubsidyPolicy.objects.values_list("pk", "valid_to").order_by("pk")) == before


def test_a_broken_file_is_refused(county) -> None:
    checked, _ = policies_import(county=county, source=BytesIO(BROKEN.getvalue()), dry_run=False)
    assert not checked.written and checked.problems[0].row == 1 and checked.problems[0].message


def test_the_import_page_previews_then_imports_and_the_template_has_its_notes(cast, county) -> None:
    client = cast.client(cast.hr)
    url = reverse("subsidies:policy-import", args=["371502"])

    def upload(commit: str):
        data = sheet(URBAN_2026).getvalue()
        return client.post(url, {"file": SimpleUploadedFile("p.xlsx", data), "commit": commit}, follow=True)

    preview = upload("0").content.decode()
    assert "检查通过，共1行，尚未导入" in preview and "截止日期将定为2025-12-31" in preview
    assert stored(county, "urban")[0][1] is None
    done = upload("1").content.decode()
    assert "已导入东昌府区的补贴标准1条" in done and stored(county, "urban")[0][1] == dt.date(2025, 12, 31)
    again = upload("0").content.decode()
    assert "未导入任何数据" in again and "这一起始日期已有补贴标准" in again
    template = client.get(reverse("subsidies:policy-import-template", args=["371502"]))
    book = load_workbook(BytesIO(b"".join(template.streaming_content)))
    assert [c.value for c in book.worksheets[0][1]] == COLUMNS
    assert "区级承担" in " ".join(str(c.value) for c in book["填写说明"]["A"])


def test_the_command_loads_a_good_file_and_refuses_a_bad_one_by_row(county, tmp_path) -> None:
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(sheet(URBAN_2026).getvalue())
    bad.write_bytes(sheet(URBAN_2026, PERCENT).getvalue())
    errors = StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("load_policies", str(bad), county="371502", stderr=errors)
    assert "第3行「省级比例（%）」：比例应在0至100之间" in errors.getvalue()
    assert stored(county, "urban")[0][1] is None
    out = StringIO()
    call_command("load_policies", str(good), county="371502", stdout=out)
    assert "已导入，共 1 条补贴标准" in out.getvalue() and "截止日期定为2025-12-31" in out.getvalue()
    assert stored(county, "urban")[-1][0] == dt.date(2026, 1, 1)
