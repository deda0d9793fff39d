"""The month's attendance sheet: all or nothing, only people on post that month (in the clerk's
township), then used by the computation."""

import datetime as dt
from decimal import Decimal as M

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from subsidies import payroll
from subsidies.attendance import attendance_import
from subsidies.models import Attendance, PayrollLine, PayrollRun
from tests import factories
from townships.models import County, Township

MARCH = dt.date(2022, 3, 1)
HEADERS = ["身份证号", "出勤天数", "备注"]


def test_a_sheet_is_checked_whole_and_feeds_the_computation(cast) -> None:
    mine = factories.placement("371502101", name="本镇人")
    later = factories.placement("371502101", on_post=dt.date(2022, 4, 1), name="四月人")
    other = factories.placement("371502102", name="邻镇人")
    town = Township.objects.get(code="371502101")
    number = mine.person.id_number
    wrong_check = number[:-1] + ("0" if number[-1] != "0" else "1")
    rows = [
        [number, "15", ""],
        [later.person.id_number, "20", ""],
        [other.person.id_number, "20", ""],
        [wrong_check, "20", ""],
        [number, "40", ""],
    ]
    bad = attendance_import(
        township=town, month=MARCH, actor=cast.clerk, source=factories.xlsx(rows, HEADERS)
    )
    where = [(p.row, p.column) for p in bad.problems]
    assert where == [(3, "身份证号"), (4, "身份证号"), (5, "身份证号"), (6, "身份证号")]
    assert bad.problems[3].message == "与第2行重复"
    assert "不在沙镇镇的公益性岗位上" in bad.problems[0].message
    assert not Attendance.objects.exists()
    good = attendance_import(
        township=town,
        month=MARCH,
        actor=cast.clerk,
        source=factories.xlsx([[mine.person.id_number, 15, "病假"]], HEADERS),
    )
    assert good.saved == 1
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), MARCH))
    assert run.lines.get(placement=mine).pay == M("510.00")


def test_an_approved_month_takes_no_more_attendance(cast) -> None:
    mine = factories.placement("371502101")
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), MARCH))
    payroll.approve(run, cast.finance)
    report = attendance_import(
        township=mine.township,
        month=MARCH,
        actor=cast.clerk,
        source=factories.xlsx([[mine.person.id_number, 10, ""]], HEADERS),
    )
    assert "已审核，考勤不能再修改" in report.problems[0].message and not Attendance.objects.exists()


def test_the_command_and_the_clerk_page(cast, tmp_path) -> None:
    mine = factories.placement("371502101")
    path = tmp_path / "march.xlsx"
    path.write_bytes(factories.xlsx([[mine.person.id_number, 18, ""]], HEADERS).getvalue())
    call_command("import_attendance", str(path), "--month", "2022-03")
    assert Attendance.objects.get().days == 18
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(factories.xlsx([[mine.person.id_number, "十八", ""]], HEADERS).getvalue())
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_attendance", str(bad), "--month", "2022-03")
    upload = factories.xlsx([[mine.person.id_number, 12, ""]], HEADERS)
    upload.name = "march.xlsx"
    page = cast.client(cast.clerk).post(
        reverse("subsidies:attendance"), {"month": "2022-03", "file": upload}, follow=True
    )
    assert "已导入2022年03月考勤1人" in page.content.decode()
    assert Attendance.objects.get().days == 12
    stranger = factories.xlsx([[mine.person.id_number, 1, ""]], HEADERS)
    stranger.name = "x.xlsx"
    refused = cast.client(cast.other_clerk).post(
        reverse("subsidies:attendance"), {"month": "2022-03", "file": stranger}, follow=True
    )
    assert "不在堂邑镇的公益性岗位上" in refused.content.decode() and Attendance.objects.get().days == 12


@pytest.mark.parametrize("days", ["²", "①", "9" * 5000])
def test_days_int_cannot_read_are_refused_with_the_rule(cast, days) -> None:
    # str.isdigit() passes "²" and "①", and thousands of digits pass it too, but int() refuses
    # them all: found by tests/security/test_bad_input.py as an error page instead of a message.
    mine = factories.placement("371502101")
    report = attendance_import(
        township=mine.township,
        month=MARCH,
        actor=cast.clerk,
        source=factories.xlsx([[mine.person.id_number, days, ""]], HEADERS),
    )
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (2, "出勤天数", "出勤天数应为0至31的整数")
    ]
    assert not Attendance.objects.exists()


def _locked(month: str, cast) -> PayrollRun:
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), payroll.month_start(month)))
    payroll.approve(run, cast.finance)
    return payroll.lock(run, cast.finance2)


def test_a_locked_month_takes_a_correction_with_its_reason_paid_back_later(cast) -> None:
    mine = factories.placement("371502101")
    march = _locked("2022-03", cast)
    unexplained = attendance_import(
        township=mine.township,
        month=MARCH,
        actor=cast.clerk,
        source=factories.xlsx([[mine.person.id_number, 10, ""]], HEADERS),
    )
    assert [(p.row, p.column) for p in unexplained.problems] == [(2, "备注")]
    assert "须在备注中写明更正原因" in unexplained.problems[0].message and not Attendance.objects.exists()
    upload = factories.xlsx([[mine.person.id_number, 10, "漏报病假10天"]], HEADERS)
    upload.name = "march.xlsx"
    page = cast.client(cast.clerk).post(
        reverse("subsidies:attendance"), {"month": "2022-03", "file": upload}, follow=True
    )
    assert "其中1人为已锁定月份的考勤更正" in page.content.decode()
    assert Attendance.objects.get().days == 10
    april = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), dt.date(2022, 4, 1)))
    recovery = april.lines.get(kind="recovery")
    # March paid 680.00 = 333.33 + 138.67 + 208.00; 10 of 20 days give 340.00 = 166.67 + 69.34 + 103.99.
    assert (recovery.corrects_month, recovery.note) == (MARCH, "扣回2022年03月")
    assert (recovery.pay, recovery.province, recovery.city, recovery.district) == (
        M("-340.00"),
        M("-166.66"),
        M("-69.33"),
        M("-104.01"),
    )
    assert PayrollLine.objects.get(run=march).pay == M("680.00")  # the locked month itself never changes


def test_a_correction_that_no_later_month_can_settle_is_refused(cast, tmp_path, capsys) -> None:
    mine = factories.placement("371502101", on_post=dt.date(2021, 1, 1))
    county = County.objects.get(code="371502")
    for month in (dt.date(2021, 2, 1), dt.date(2021, 4, 1), dt.date(2022, 3, 1)):
        PayrollRun.objects.create(county=county, month=month, state=PayrollRun.State.LOCKED)
    # The next month to compute is 2022-04: 14 months after 2021-02, 12 after 2021-04.
    path = tmp_path / "feb.xlsx"
    path.write_bytes(factories.xlsx([[mine.person.id_number, 5, "补录"]], HEADERS).getvalue())
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_attendance", str(path), "--month", "2021-02")
    assert "距下一个待核算月份已超过12个月" in capsys.readouterr().err
    assert not Attendance.objects.exists()
    call_command("import_attendance", str(path), "--month", "2021-04")
    assert Attendance.objects.get().month == dt.date(2021, 4, 1)


def test_a_locked_months_whole_sheet_again_corrects_only_the_rows_that_change(cast) -> None:
    kept, changed = factories.placement("371502101"), factories.placement("371502101")
    short = factories.placement("371502101")
    attendance_import(
        township=kept.township,
        month=MARCH,
        actor=cast.clerk,
        source=factories.xlsx([[short.person.id_number, 12, "病假"]], HEADERS),
    )
    _locked("2022-03", cast)
    sheet = [  # as paid: 20 (no record) and 12 (病假), one row changed with its reason
        [kept.person.id_number, 20, ""],
        [short.person.id_number, 12, ""],
        [changed.person.id_number, 16, "漏报事假4天"],
    ]
    report = attendance_import(
        township=kept.township, month=MARCH, actor=cast.clerk, source=factories.xlsx(sheet, HEADERS)
    )
    assert report.ok and (report.saved, report.corrections) == (1, 1), report.problems
    marks = dict(Attendance.objects.values_list("placement_id", "note"))
    assert marks == {short.pk: "病假", changed.pk: "漏报事假4天"}  # the unchanged row keeps its note


def test_an_approved_next_month_is_not_where_a_correction_is_settled(cast) -> None:
    mine = factories.placement("371502101", on_post=dt.date(2021, 1, 1))
    county = County.objects.get(code="371502")
    PayrollRun.objects.create(county=county, month=dt.date(2021, 3, 1), state=PayrollRun.State.LOCKED)
    PayrollRun.objects.create(county=county, month=dt.date(2022, 3, 1), state=PayrollRun.State.APPROVED)
    # 2022-03 is approved, never recomputed: the next month to compute is 2022-04, 13 months on.
    report = attendance_import(
        township=mine.township,
        month=dt.date(2021, 3, 1),
        actor=cast.clerk,
        source=factories.xlsx([[mine.person.id_number, 5, "补录"]], HEADERS),
    )
    assert [(p.column, "超过12个月" in p.message) for p in report.problems] == [("备注", True)]


def test_a_sheet_without_the_withholding_column_leaves_withholding_as_it_is(cast) -> None:
    mine = factories.placement("371502101")
    withheld = factories.xlsx([[mine.person.id_number, 0, "外出未到岗", "是"]], [*HEADERS, "暂停发放"])
    assert attendance_import(township=mine.township, month=MARCH, actor=cast.clerk, source=withheld).ok
    again = factories.xlsx([[mine.person.id_number, 0, ""]], HEADERS)  # the usual three columns
    assert attendance_import(township=mine.township, month=MARCH, actor=cast.clerk, source=again).ok
    mark = Attendance.objects.get()
    assert (mark.withheld, mark.note) == (True, "外出未到岗")


def test_attendance_recorded_while_the_month_was_computing_stops_its_approval(cast) -> None:
    """The computation reads the attendance when it starts: a mark recorded between its start and
    its end may be missing from the lines, so approval asks for a recomputation."""
    from django.core.exceptions import ValidationError

    holder = factories.placement("371502101")
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), MARCH))
    assert run.started_at is not None and run.computed_at is not None and run.started_at < run.computed_at
    mark = Attendance.objects.create(placement=holder, month=MARCH, days=10, recorded_by=cast.clerk)
    during = run.started_at + (run.computed_at - run.started_at) / 2
    Attendance.objects.filter(pk=mark.pk).update(recorded_at=during)
    with pytest.raises(ValidationError, match="计算之后有1条考勤记录有变动"):
        payroll.approve(run, cast.finance)
    assert PayrollRun.objects.get(pk=run.pk).state == "computed"


def test_the_same_sheet_uploaded_again_changes_nothing_and_lets_the_month_be_approved(cast) -> None:
    holder = factories.placement("371502101")
    town, sheet = holder.township, [[holder.person.id_number, 15, "病假"]]

    def upload(rows: list) -> None:
        report = attendance_import(
            township=town, month=MARCH, actor=cast.clerk, source=factories.xlsx(rows, HEADERS)
        )
        assert not report.problems and report.saved == 1

    upload(sheet)
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), MARCH))
    recorded = Attendance.objects.get(placement=holder).recorded_at
    upload(sheet)
    assert Attendance.objects.get(placement=holder).recorded_at == recorded
    upload([[holder.person.id_number, 14, "病假"]])
    with pytest.raises(Exception, match="计算之后有1条考勤记录有变动"):
        payroll.approve(run, cast.finance)
    upload(sheet)  # back to what was computed: still changed since the computation
    run = payroll.compute_run(run)
    upload(sheet)
    assert payroll.approve(run, cast.finance).state == "approved"
    assert run.lines.get(placement=holder).pay == M("510.00")
