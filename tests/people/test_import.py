"""Applicant spreadsheets: all or nothing, every bad row named, text kept as text."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from people.imports import COLUMNS, applicants_import
from people.models import GroupClaim, Person
from tests import factories
from townships.models import Township


def row(name="李四", number=None, village="沙镇东村", groups="脱贫享受政策人口", **kw) -> list:
    values = {
        "姓名": name,
        "身份证号": number or factories.id_number("19700101"),
        "联系电话": "13800138000",
        "村（社区）": village,
        "户籍地址": "沙镇东村1号",
        "户号": "H001",
        "人员类别": groups,
        "银行账号": "6228480012345678901",
        "开户银行": "农业银行",
        "备注": "",
    }
    values.update(kw)
    return [values[c] for c in COLUMNS]


@pytest.fixture
def shazhen(seeded) -> Township:
    return Township.objects.get(code="371502101")


def run(township, rows, dry_run=False, headers=COLUMNS):
    return applicants_import(township=township, source=factories.xlsx(rows, headers), dry_run=dry_run)


def test_a_good_file_imports_every_row_with_claims(shazhen) -> None:
    report = run(shazhen, [row(), row(name="王五", groups="农村残疾人、脱贫人口")])
    assert report.ok and report.imported
    assert (report.created, report.updated) == (2, 0)
    wang = Person.objects.get(name="王五")
    assert sorted(wang.claims.values_list("group", flat=True)) == ["poverty", "rural_disabled"]
    assert wang.bank_account == "6228480012345678901"
    assert wang.township == shazhen and wang.sex == "male"
    assert set(wang.claims.values_list("status", flat=True)) == {GroupClaim.Status.PENDING}


def test_a_dry_run_checks_and_writes_nothing(shazhen) -> None:
    report = run(shazhen, [row()], dry_run=True)
    assert report.ok and not report.imported
    assert report.rows[0].action == "新增"
    assert not Person.objects.exists()


def test_one_bad_row_imports_nothing_and_names_the_row_and_column(shazhen) -> None:
    # a wrong check character for the same number (the factory gives a new number each call, so
    # comparing with another call's check character could by chance give a valid one)
    good = factories.id_number("19700101")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    report = run(shazhen, [row(), row(number=bad, name="赵六"), row(name="=1+2")])
    assert not report.ok and not report.imported
    assert not Person.objects.exists()
    by_row = {(p.row, p.column): p.message for p in report.problems}
    assert by_row[(3, "身份证号")].startswith("身份证号校验位错误")
    assert by_row[(4, "姓名")] == "姓名只能包含汉字、字母和间隔号「·」"
    assert [r.action for r in report.rows] == ["新增", "有错误", "有错误"]


def test_duplicates_inside_the_file_are_named(shazhen) -> None:
    number = factories.id_number()
    report = run(shazhen, [row(number=number), row(number=number.lower())])
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (3, "身份证号", "与第2行的身份证号重复")
    ]


def test_reimporting_updates_instead_of_duplicating(shazhen) -> None:
    number = factories.id_number()
    run(shazhen, [row(number=number, groups="脱贫人口")])
    report = run(shazhen, [row(number=number, name="李四改", groups="农村低收入人口")])
    assert report.imported and (report.created, report.updated) == (0, 1)
    person = Person.objects.get()
    assert person.name == "李四改"
    assert list(person.claims.values_list("group", flat=True)) == ["low_income"]


def test_a_person_registered_in_another_township_is_refused(shazhen) -> None:
    other = factories.person("371502102")
    report = run(shazhen, [row(number=other.id_number)])
    assert report.problems[0].message == "该身份证号已在其他乡镇（街道）登记，不能重复登记"
    other.refresh_from_db()
    assert other.township.code == "371502102"


def test_ids_phones_and_bank_numbers_stored_by_excel_as_numbers(shazhen) -> None:
    number = factories.id_number()
    while not number[-1].isdigit():
        number = factories.id_number()
    # Excel keeps 15 significant digits: an 18-digit ID or a 19-digit card stored as a number is
    # already damaged in the file, so the row is refused with one clear message per cell.
    report = run(shazhen, [row(number=float(number), 银行账号=float("6228480012345678901"))])
    assert [p.column for p in report.problems] == ["身份证号", "银行账号"], report.problems
    assert all("超过15位的部分已丢失" in p.message for p in report.problems)
    # Numbers Excel can hold exactly (a phone, a short household number) are read as text.
    report = run(shazhen, [row(number=number, 联系电话=13800138000, 户号=1024.0)])
    assert report.imported, report.problems
    person = Person.objects.get()
    assert (person.phone, person.household_no, person.id_number) == ("13800138000", "1024", number)


def test_wrong_headers_empty_files_and_non_xlsx_are_refused(shazhen) -> None:
    wrong = run(shazhen, [row()], headers=["姓名", "身份证", *COLUMNS[2:]])
    assert (
        "缺少列：身份证号" in wrong.problems[0].message
        and "无法识别的列：身份证" in wrong.problems[0].message
    )
    empty = run(shazhen, [], headers=COLUMNS)
    assert empty.problems[0].message == "文件中没有数据行"
    junk = applicants_import(
        township=shazhen, source=__import__("io").BytesIO(b"not a workbook"), dry_run=False
    )
    assert "无法读取文件" in junk.problems[0].message
    assert not Person.objects.exists()


def test_empty_rows_are_skipped_and_rows_keep_their_excel_numbers(shazhen) -> None:
    report = run(shazhen, [row(), [None] * 10, row(name="周九", village="不存在村")])
    assert [(p.row, p.column) for p in report.problems] == [(4, "村（社区）")]
    assert report.problems[0].message == "「不存在村」不是沙镇镇的村（社区）"


def test_the_error_report_lists_row_column_and_message(shazhen, tmp_path) -> None:
    """The workbook the import's job keeps for a refused file (common.jobs.problems_result)."""
    from django.core.files.storage import default_storage

    from common.jobs import problems_result

    report = run(shazhen, [row(groups="贫困户")])
    result, name = problems_result(report.problems, "沙镇镇申请人导入错误报告")
    assert result["problem_count"] == 1 and result["problems"][0][:2] == [2, "人员类别"]
    with default_storage.open(name, "rb") as handle:
        rows = list(load_workbook(handle).active.iter_rows(values_only=True))
    assert rows[1] == ("行号", "列", "错误说明")
    assert rows[2][:2] == (2, "人员类别") and rows[2][2].startswith("无法识别的人员类别：贫困户")


def test_the_command_imports_and_exits_non_zero_with_the_error_list(shazhen, tmp_path, capsys) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(factories.xlsx([row(), row(name="吴十")], COLUMNS).getvalue())
    call_command("import_applicants", str(good), "--township", "371502101", "--dry-run")
    assert not Person.objects.exists()
    call_command("import_applicants", str(good), "--township", "371502101")
    assert Person.objects.count() == 2
    assert "已导入 2 人（新增 2，更新 0）" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(factories.xlsx([row(number="123")], COLUMNS).getvalue())
    with pytest.raises(CommandError, match="共 1 处错误，未导入任何数据"):
        call_command("import_applicants", str(bad), "--township", "371502101")
    assert "第2行「身份证号」：身份证号应为18位，实际为3位" in capsys.readouterr().err


def test_reimporting_some_people_leaves_the_others_claims_alone(shazhen) -> None:
    first, second = factories.id_number(), factories.id_number()
    run(shazhen, [row(number=first), row(number=second, name="王五", groups="农村残疾人")])
    report = run(shazhen, [row(number=first, groups="农村低收入人口")])
    assert report.imported
    assert list(Person.objects.get(id_number=second).claims.values_list("group", flat=True)) == [
        "rural_disabled"
    ]
    assert list(Person.objects.get(id_number=first).claims.values_list("group", flat=True)) == ["low_income"]


def test_imported_people_are_checked_against_the_rosters(shazhen) -> None:
    from datetime import date

    from people.services import roster_import

    on_roster, off_roster, dead = factories.id_number(), factories.id_number(), factories.id_number()
    county = shazhen.county
    roster_import(
        county=county,
        kind="rural_revitalization",
        roster_date=date(2022, 2, 1),
        entries=[(on_roster, "")],
        file_name="r.xlsx",
        actor=None,
    )
    roster_import(
        county=county,
        kind="deaths",
        roster_date=date(2022, 2, 1),
        entries=[(dead, "")],
        file_name="d.xlsx",
        actor=None,
    )
    report = run(
        shazhen, [row(number=on_roster), row(number=off_roster, name="王五"), row(number=dead, name="赵六")]
    )
    assert report.imported, report.problems
    status = dict(GroupClaim.objects.values_list("person__id_number", "status"))
    assert status[on_roster] == GroupClaim.Status.VERIFIED
    assert status[off_roster] == GroupClaim.Status.UNVERIFIED
    flagged = set(Person.objects.filter(on_death_roster=True).values_list("id_number", flat=True))
    assert flagged == {dead}


def test_old_xls_files_are_read_too(shazhen) -> None:
    from pathlib import Path

    fixture = Path(__file__).parent / "applicants.xls"
    report = applicants_import(township=shazhen, source=str(fixture), dry_run=True)
    assert report.ok, report.problems
    assert [r.name for r in report.rows] == ["李四"]


def test_a_reimported_bank_account_waits_for_a_second_person(cast, shazhen) -> None:
    """A file cannot move money alone: an existing person's new account (docs/policy.md §10) becomes a
    change entered by the importing user, which another clerk or HR confirms; the rest of the
    row is imported."""
    from audit.context import acting_as
    from people.bank import bank_change_decide
    from people.models import BankAccountChange

    number = factories.id_number()
    run(shazhen, [row(number=number)])
    with acting_as(cast.clerk, "网页"):
        report = run(
            shazhen, [row(number=number, name="李四改", 银行账号="6217000099998888777", 开户银行="邮储")]
        )
    assert report.imported, report.problems
    person = Person.objects.get()
    assert (person.name, person.bank_account, person.bank_name) == (
        "李四改",
        "6228480012345678901",
        "农业银行",
    )
    change = BankAccountChange.objects.get(person=person)
    assert (change.state, change.requested_by, change.bank_account) == (
        "pending",
        cast.clerk,
        "6217000099998888777",
    )
    bank_change_decide(change=change, confirm=True, actor=cast.hr)
    person.refresh_from_db()
    assert (person.bank_account, person.bank_name) == ("6217000099998888777", "邮储")
    report = run(
        shazhen, [row(number=number, name="李四改", 银行账号="6217000099998888777", 开户银行="邮储")]
    )
    assert report.imported and BankAccountChange.objects.count() == 1  # the same account: nothing to confirm
