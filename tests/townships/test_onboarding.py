"""Onboarding a county from sheets (issue 22, docs/policy.md §1.6, §1.7): every refusal named by its
row, nothing written on refusal, a preview first, and a loaded calendar used by common.workdays."""

import datetime as dt
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from common.workdays import is_workday, working_days_from
from tests.factories import xlsx
from townships.models import CalendarDay, CalendarYear, County, Role, Township, Village
from townships.onboarding import (
    CALENDAR_COLUMNS,
    CALENDAR_OPTIONAL,
    ORGANISATION_COLUMNS,
    ORGANISATION_OPTIONAL,
    calendar_import,
    organisation_import,
)
from townships.services import user_with_membership_ensure

pytestmark = pytest.mark.django_db
ORG = [*ORGANISATION_COLUMNS, *ORGANISATION_OPTIONAL]  # 代码, 名称, 类型, 村名, 村类型, 村代码
CAL = [*CALENDAR_COLUMNS, *CALENDAR_OPTIONAL]


def org(rows: list[list]):
    return xlsx(rows, ORG)


def cal(rows: list[list]):
    return xlsx(rows, CAL)


def problems(checked) -> list[tuple[int, str]]:
    return [(p.row, p.message) for p in checked.problems]


def good_sheet():
    return org(
        [
            ["371502901", "新城街道", "", "", "", ""],
            ["371502901", "", "", "新城社区", "", "371502901001"],
            ["371502901", "", "", "河东村", "村", ""],
            # a village of a township already the county's
            ["371502101", "", "", "新建村", "", "371502101901"],
            ["371502902", "新河镇", "镇", "", "", ""],
        ]
    )


def test_it_loads_townships_and_villages_of_the_county(seeded) -> None:
    county = County.objects.get(code="371502")
    checked = organisation_import(county=county, source=good_sheet(), dry_run=False)
    assert checked.written, problems(checked)
    street = Township.objects.get(code="371502901")
    assert (street.name, street.kind, street.county) == ("新城街道", Township.Kind.STREET, county)
    assert Township.objects.get(code="371502902").kind == Township.Kind.TOWN
    community = Village.objects.get(code="371502901001")
    assert (community.township, community.kind) == (street, Village.Kind.COMMUNITY)
    assert Village.objects.get(township=street, name="河东村").code is None
    assert Village.objects.get(code="371502101901").township.code == "371502101"


def test_a_preview_writes_nothing(seeded) -> None:
    county = County.objects.get(code="371502")
    checked = organisation_import(county=county, source=good_sheet(), dry_run=True)
    assert checked.ok and not checked.written and len(checked.rows) == 5
    assert not Township.objects.filter(code__in=["371502901", "371502902"]).exists()


def test_every_refusal_is_named_by_its_row_and_nothing_is_written(seeded) -> None:
    county = County.objects.get(code="371502")
    old = Village.objects.filter(township__code="371502101").first()
    assert old is not None
    Village.objects.filter(pk=old.pk).update(code="371502101001")
    sheet = org(
        [
            ["371502901", "新城街道", "", "", "", ""],  # 2: good
            ["37150290", "短码镇", "", "", "", ""],  # 3: not 9 digits
            ["370812901", "外县镇", "", "", "", ""],  # 4: outside 371502
            ["371502901", "新城街道", "", "", "", ""],  # 5: duplicate of row 2
            ["371502101", "沙镇镇", "", "", "", ""],  # 6: already in the database
            ["371502903", "", "", "孤村", "", ""],  # 7: township neither in the file nor the county
            ["371502901", "", "", "新城社区", "", "37150290100"],  # 8: village code not 12 digits
            ["371502901", "", "", "二社区", "", "371502101002"],  # 9: village code of another township
            ["371502901", "", "", "甲村", "", ""],  # 10: good
            ["371502901", "", "", "甲村", "", ""],  # 11: duplicate of row 10
            ["371502101", "", "", old.name, "", ""],  # 12: village already in the database
            ["371502101", "", "", "乙村", "", "371502101001"],  # 13: village code already used
            ["371502901", "", "", "丙村", "大队", ""],  # 14: unknown kind
        ]
    )
    checked = organisation_import(county=county, source=sheet, dry_run=False)
    assert not checked.written
    named = problems(checked)
    assert [row for row, _ in named] == [3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14]
    assert "9位数字" in named[0][1]
    assert "不在东昌府区的代码范围内" in named[1][1]
    assert "与第2行的乡镇（街道）代码重复" in named[2][1]
    assert "东昌府区已有乡镇（街道）371502101" in named[3][1]
    assert "既不在本表中，也不是东昌府区已有的乡镇（街道）" in named[4][1]
    assert "12位数字" in named[5][1]
    assert "前9位须是所属乡镇（街道）代码371502901" in named[6][1]
    assert "与第10行重复" in named[7][1]
    assert "不能重复导入" in named[8][1]
    assert f"已是{old.name}的代码" in named[9][1]
    assert "只能填村或社区" in named[10][1]
    assert not Township.objects.filter(code="371502901").exists()
    assert not Village.objects.filter(name="甲村").exists()


def test_a_township_of_another_county_is_refused(seeded) -> None:
    county = County.objects.get(code="371502")
    yanzhou = County.objects.get(code="370812")
    Township.objects.create(code="371502950", name="错码镇", kind="town", county=yanzhou)
    sheet = org([["371502950", "", "", "某村", "", ""], ["371502951", "新镇", "", "", "", ""]])
    checked = organisation_import(county=county, source=sheet, dry_run=False)
    assert problems(checked) == [(2, "371502950是兖州区的乡镇（街道）错码镇，不属于东昌府区")]
    assert not Township.objects.filter(code="371502951").exists()


def test_the_command_loads_a_county_or_names_every_problem(seeded, tmp_path) -> None:
    path = tmp_path / "org.xlsx"
    rows = [["371502901", "新城街道", "", "", "", ""], ["371502901", "", "", "甲村", "", ""]]
    path.write_bytes(org(rows).read())
    out = StringIO()
    call_command("load_organisation", str(path), "--county", "371502", "--dry-run", stdout=out)
    assert "检查通过（未导入）" in out.getvalue() and not Township.objects.filter(code="371502901").exists()
    call_command("load_organisation", str(path), "--county", "371502", stdout=out)
    assert Village.objects.get(name="甲村").township.code == "371502901"
    err = StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("load_organisation", str(path), "--county", "371502", stderr=err)
    assert "第2行「乡镇（街道）代码」：东昌府区已有乡镇（街道）371502901" in err.getvalue()
    with pytest.raises(CommandError, match="没有代码为 999999 的区县"):
        call_command("load_organisation", str(path), "--county", "999999")


def test_the_page_previews_then_loads_for_the_county_administrator_only(cast) -> None:
    url = reverse("townships:organisation-load")
    county = County.objects.get(code="371502")
    rows = [["371502901", "新城街道", "", "", "", ""]]
    assert cast.client(cast.hr).get(url).status_code == 404
    client = cast.client(cast.county_admin)
    assert client.get(url).status_code == 200
    response = client.post(url, {"county": county.pk, "commit": "0", "file": _upload(org(rows))})
    assert "检查通过，共1行" in response.content.decode()
    assert not Township.objects.filter(code="371502901").exists()
    bad = client.post(url, {"county": county.pk, "commit": "1", "file": _upload(org([*rows, *rows]))})
    assert "与第2行的乡镇（街道）代码重复" in bad.content.decode()
    assert not Township.objects.filter(code="371502901").exists()
    done = client.post(url, {"county": county.pk, "commit": "1", "file": _upload(org(rows))})
    assert done.status_code == 302 and Township.objects.get(code="371502901").county == county


def _upload(buffer):
    return SimpleUploadedFile("sheet.xlsx", buffer.read())


# 2027 is not in chinesecalendar 1.11: its National Day week and the make-up Saturday after it.
HOLIDAYS_2027 = [
    ["2027-10-01", "否", "国庆节"],
    ["2027-10-04", "否", "国庆节"],
    ["2027-10-05", "否", "国庆节"],
    ["2027-10-09", "是", "调休上班"],
]


def test_a_loaded_year_is_covered_and_counted_by_the_working_day_calendar(db) -> None:
    checked = calendar_import(source=cal(HOLIDAYS_2027), document="国办发明电〔2026〕X号", dry_run=False)
    assert checked.written, problems(checked)
    assert CalendarYear.objects.get(year=2027).document == "国办发明电〔2026〕X号"
    assert not is_workday(dt.date(2027, 10, 4)) and is_workday(dt.date(2027, 10, 9))
    # five working days from Friday 1 October 2027: 6, 7, 8, 9 (the make-up Saturday) and 11 October
    assert working_days_from(dt.date(2027, 10, 1), 5) == (dt.date(2027, 10, 6), dt.date(2027, 10, 11))


def test_a_calendar_preview_writes_nothing_and_leaves_the_year_uncovered(db) -> None:
    checked = calendar_import(source=cal(HOLIDAYS_2027), document="通知", dry_run=True)
    assert checked.ok and not checked.written
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()


def test_calendar_refusals_are_named_by_row(db) -> None:
    CalendarYear.objects.create(year=2028, document="旧通知")
    sheet = cal(
        [
            ["2027-10-01", "否", "国庆节"],  # 2
            ["2027-10-01", "否", "国庆节"],  # 3: duplicate
            ["2028-01-01", "否", "元旦"],  # 4: another year
            ["2027-10-02", "休", ""],  # 5: neither 是 nor 否
            ["2027-13-01", "否", ""],  # 6: not a date
        ]
    )
    checked = calendar_import(source=sheet, document="通知", dry_run=False)
    named = problems(checked)
    assert [row for row, _ in named] == [3, 4, 5, 6]
    assert "与第2行的日期重复" in named[0][1]
    assert "不在2027年：一个表格只录入一个年度" in named[1][1]
    assert "只能填是或否" in named[2][1]
    assert not CalendarYear.objects.filter(year=2027).exists() and not CalendarDay.objects.exists()


def test_a_year_already_loaded_is_refused(db) -> None:
    CalendarYear.objects.create(year=2027, document="旧通知")
    checked = calendar_import(source=cal(HOLIDAYS_2027), document="新通知", dry_run=False)
    assert problems(checked) == [(1, "2027年的工作日历已录入（旧通知），请在系统管理的工作日历中逐日修改")]
    assert not CalendarDay.objects.exists()


def test_a_year_the_package_covers_takes_only_corrections_and_keeps_the_rest(db) -> None:
    # 2026-10-01 is National Day in chinesecalendar: repeating it is refused
    same = calendar_import(source=cal([["2026-10-01", "否", "国庆节"]]), document="通知", dry_run=False)
    assert [row for row, _ in problems(same)] == [2] and "无需录入" in problems(same)[0][1]
    assert not CalendarYear.objects.exists()
    # a correction: working on 2026-10-07 (a holiday in the package)
    assert not is_workday(dt.date(2026, 10, 7))
    fixed = calendar_import(source=cal([["2026-10-07", "是", "更正"]]), document="通知", dry_run=False)
    assert fixed.written, problems(fixed)
    assert is_workday(dt.date(2026, 10, 7))
    assert is_workday(dt.date(2026, 10, 10))  # the package's make-up Saturday still holds
    assert not is_workday(dt.date(2026, 10, 1))  # the package's holidays still hold
    assert not is_workday(dt.date(2026, 2, 17))  # Spring Festival, from the package


def test_the_calendar_command_and_page(cast, tmp_path) -> None:
    path = tmp_path / "2027.xlsx"
    path.write_bytes(cal(HOLIDAYS_2027).read())
    url = reverse("townships:calendar-load")
    assert cast.client(cast.clerk).get(url).status_code == 404
    client = cast.client(cast.county_admin)
    preview = client.post(url, {"document": "通知", "commit": "0", "file": _upload(cal(HOLIDAYS_2027))})
    assert "检查通过，共4行" in preview.content.decode() and not CalendarYear.objects.exists()
    out = StringIO()
    call_command("load_calendar", str(path), stdout=out)
    assert CalendarYear.objects.get(year=2027).document == "2027.xlsx"
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_calendar", str(path), stderr=err)
    assert "第1行：2027年的工作日历已录入" in err.getvalue()
    again = client.post(url, {"document": "通知", "commit": "1", "file": _upload(cal(HOLIDAYS_2027))})
    assert "2027年的工作日历已录入" in again.content.decode()


def test_a_county_administrator_of_one_county_loads_only_into_it(cast) -> None:
    dongchang, yanzhou = County.objects.get(code="371502"), County.objects.get(code="370812")
    admin = user_with_membership_ensure(
        username="admin_dc", password="x-password-1", role=Role.COUNTY_ADMIN, county=dongchang
    )
    url = reverse("townships:organisation-load")
    sheet = org([["370812901", "新镇", "", "", "", ""]])
    response = cast.client(admin).post(url, {"county": yanzhou.pk, "commit": "1", "file": _upload(sheet)})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Township.objects.filter(code="370812901").exists()
