"""The monthly run: lines per placement active in the month, to the fen; re-runs replace;
locked months never change; two starts at once give one computation."""

import datetime as dt
from decimal import Decimal as M

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from common.models import Job
from placements.models import Placement
from placements.terms import stored_terms_refresh
from subsidies import payroll
from subsidies.models import Attendance, PayrollLine, PayrollRun
from tests import factories
from townships.models import County

D = dt.date


def run_month(county: str, month: str) -> PayrollRun:
    return payroll.compute_run(payroll.run_for(County.objects.get(code=county), payroll.month_start(month)))


def lines(run: PayrollRun) -> list[tuple]:
    return list(run.lines.order_by("id").values_list("pay", "province", "city", "district"))


def test_a_dongchangfu_rural_year_pays_the_worked_example(cast) -> None:
    factories.placement("371502101")
    year = [run_month("371502", f"2022-{m:02d}") for m in range(1, 13)]
    paid = [lines(r)[0] for r in year]
    assert {p[0] for p in paid} == {M("680.00")}
    assert paid[:2] == [
        (M("680.00"), M("333.33"), M("138.67"), M("208.00")),
        (M("680.00"), M("333.34"), M("138.66"), M("208.00")),
    ]
    assert [sum(p[i] for p in paid) for i in range(4)] == [
        M("8160.00"),
        M("4000.00"),
        M("1664.00"),
        M("2496.00"),
    ]


def test_a_yanzhou_rural_year_is_ten_thousand(cast) -> None:
    factories.placement("370812101")
    paid = [lines(run_month("370812", f"2022-{m:02d}"))[0] for m in range(1, 13)]
    assert [sum(p[i] for p in paid) for i in range(4)] == [
        M("10000.00"),
        M("4000.00"),
        M("2000.00"),
        M("4000.00"),
    ]


def test_start_and_exit_inside_a_month_pay_calendar_days(cast) -> None:
    factories.placement("371502101", on_post=D(2022, 3, 16), name="月中上岗")
    factories.placement("371502101", on_post=D(2021, 6, 1), exit_date=D(2022, 3, 10), name="月中离岗")
    factories.placement("371502101", on_post=D(2022, 4, 1), name="下月上岗")
    run = run_month("371502", "2022-03")
    got = {line.placement.person.name: line for line in run.lines.select_related("placement__person")}
    assert set(got) == {"月中上岗", "月中离岗"}
    assert (got["月中上岗"].days_on_post, got["月中上岗"].pay) == (16, M("350.97"))
    assert (got["月中离岗"].days_on_post, got["月中离岗"].pay) == (10, M("219.35"))  # 680 × 10/31


def test_short_attendance_and_withholding(cast) -> None:
    short = factories.placement("371502101", name="缺勤人")
    held = factories.placement("371502101", name="暂停人")
    Attendance.objects.create(placement=short, month=D(2022, 3, 1), days=15, recorded_by=cast.clerk)
    Attendance.objects.create(
        placement=held, month=D(2022, 3, 1), days=0, withheld=True, note="外出未到岗", recorded_by=cast.clerk
    )
    run = run_month("371502", "2022-03")
    got = {line.placement.person.name: line for line in run.lines.select_related("placement__person")}
    assert (got["缺勤人"].pay, got["缺勤人"].province, got["缺勤人"].days_attended) == (
        M("510.00"),
        M("250.00"),
        15,
    )
    # withholding is a field, its reason the note; pages and sheets show both (shown_note)
    assert got["暂停人"].pay == M("0.00") and got["暂停人"].withheld and got["暂停人"].note == "外出未到岗"
    assert got["暂停人"].shown_note == "暂停发放：外出未到岗" and not got["缺勤人"].withheld


def test_no_pay_beyond_the_subsidy_period_unless_extended(cast) -> None:
    merged = factories.placement("371502101", on_post=D(2020, 1, 1), prior_months=10, name="合并月数")
    # 36 − 10 = 26 months from January 2020: paid through February 2022.
    assert lines(run_month("371502", "2022-02")) and not lines(run_month("371502", "2022-03"))
    merged.extended_until = D(2022, 12, 31)
    merged.save()
    stored_terms_refresh(person_ids=[merged.person_id])  # as the services do after a write
    assert lines(run_month("371502", "2022-03"))[0][0] == M("680.00")


def test_rerunning_replaces_lines_and_a_locked_month_never_changes(cast) -> None:
    factories.placement("371502101")
    run = run_month("371502", "2022-03")
    again = run_month("371502", "2022-03")
    assert run.pk == again.pk and PayrollLine.objects.filter(run=run).count() == 1
    payroll.approve(again, cast.finance)
    payroll.lock(again, cast.finance2)
    with pytest.raises(ValidationError, match="已锁定，不能重新计算"):
        run_month("371502", "2022-03")
    assert PayrollLine.objects.filter(run=run).count() == 1


def test_a_second_start_while_computing_is_told_it_is_running(cast) -> None:
    run = payroll.run_for(County.objects.get(code="371502"), D(2022, 3, 1))
    payroll.start(run)
    with pytest.raises(ValidationError, match="正在计算"):
        payroll.start(run)


def test_a_missing_policy_fails_the_run_with_the_reason(cast) -> None:
    from subsidies.models import SubsidyPolicy

    factories.placement("371502101")
    SubsidyPolicy.objects.filter(county__code="371502", line="rural").delete()
    with pytest.raises(ValidationError):
        run_month("371502", "2022-03")
    run = PayrollRun.objects.get()
    assert run.state == "failed" and "没有2022年03月适用的乡村岗位补贴标准" in run.error
    # the reason is the computation's job's, the one model of background work
    assert run.job is not None and run.job.state == Job.State.FAILED and run.job.error == run.error


def test_a_computation_is_a_background_job_of_whoever_started_it(cast) -> None:
    """Progress, last sign of life and result of a payroll computation live on common.models.Job,
    as an import's or an export's do; it is listed in the finance user's 我的任务."""
    factories.placement("371502101")
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), D(2022, 3, 1)), cast.finance)
    job = run.job
    assert job is not None and (job.kind, job.user, job.state) == (
        Job.Kind.PAYROLL,
        cast.finance,
        Job.State.DONE,
    )
    assert (job.done, job.total, job.message) == (14, 14, "已算出1条明细")
    assert job.params == {"run": run.pk, "attempt": 1} and job.heartbeat_at is not None
    assert (run.progress_done, run.progress_total, run.error) == (14, 14, "")
    again = payroll.compute_run(run, cast.finance)  # a new attempt is a new job
    assert again.job_id != job.pk and again.job.params["attempt"] == 2  # type: ignore[union-attr]
    listed = cast.client(cast.finance).get(reverse("workspace:job-list")).content.decode()
    assert "东昌府区 2022年03月补贴核算（第2次计算）" in listed and "已算出1条明细" in listed
    page = cast.client(cast.finance).get(reverse("workspace:job-detail", args=[job.pk])).content.decode()
    assert reverse("subsidies:run-detail", args=[run.pk]) in page and "14 / 14 个镇街" in page
    # a scheduled computation (no user) is a job too, in nobody's list
    scheduled = payroll.start(payroll.run_for(County.objects.get(code="370812"), D(2022, 3, 1)))
    assert scheduled.job is not None and scheduled.job.user is None


def test_the_command_computes_synchronously(cast, capsys) -> None:
    factories.placement("371502101")
    call_command("compute_subsidies", "--county", "371502", "--month", "2022-03", "--sync")
    assert "共 1 条" in capsys.readouterr().out
    assert PayrollRun.objects.get().state == "computed"


def test_policies_are_dated_records_and_a_pay_below_the_minimum_wage_is_warned(cast) -> None:
    from subsidies.models import SubsidyPolicy
    from subsidies.services import minimum_wage_warning

    rural = SubsidyPolicy.objects.get(county__code="371502", line="rural")
    assert minimum_wage_warning(rural) is None  # 17 元/h is class 3's hourly minimum
    rural.basis, rural.hourly_rate = SubsidyPolicy.Basis.HOURLY, M("16.00")
    assert (
        minimum_wage_warning(rural) == "折合每小时16.00元，低于小时最低工资标准17.00元（鲁政字〔2021〕169号）"
    )
    urban = SubsidyPolicy.objects.get(county__code="370812", line="urban")
    urban.monthly_amount = M("1800.00")
    warning = minimum_wage_warning(urban)
    assert warning is not None and "低于月最低工资标准1900.00元" in warning


def test_the_beat_schedule_starts_the_monthly_computation() -> None:
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["compute-monthly-subsidies"]
    assert entry["task"] == "subsidies.compute_current_month"
    from config.celery import app

    app.loader.import_default_modules()
    assert "subsidies.compute_current_month" in app.tasks and "subsidies.compute_payroll" in app.tasks


def test_the_payroll_workbook_has_a_summary_a_sheet_per_township_and_totals(cast, tmp_path) -> None:
    from openpyxl import load_workbook

    one = factories.placement("371502101", name="沙镇人")
    one.person.bank_account = "6228480012345678901"
    one.person.save()
    other = factories.placement("371502102", name="堂邑人")
    type(other.person).objects.filter(pk=other.person_id).update(bank_name='=HYPERLINK("http://x")')
    run = run_month("371502", "2022-03")
    path = tmp_path / "payroll.xlsx"
    call_command("export_payroll", "--county", "371502", "--month", "2022-03", "--output", str(path))
    wb = load_workbook(path)
    # the payment sheets (one net per person: tests/subsidies/test_payment_sheet.py), then the lines
    assert wb.sheetnames == ["汇总", "沙镇镇发放表", "堂邑镇发放表", "待扣回", "沙镇镇", "堂邑镇"]
    summary = list(wb["汇总"].iter_rows(values_only=True))
    assert summary[0][0] == "东昌府区2022年03月城乡公益性岗位补贴发放表（草稿，未锁定）"
    assert summary[-3][:7] == ("合计", None, 2, 1360, 666.66, 277.34, 416)
    sheet = list(wb["沙镇镇"].iter_rows(values_only=True))
    assert sheet[1][:9] == (
        "序号",
        "镇街",
        "村（社区）",
        "姓名",
        "身份证号",
        "岗位类型",
        "岗位名称",
        "出勤天数",
        "补贴金额",
    )
    row = sheet[2]
    assert (row[3], row[4], row[8], row[9], row[12]) == (
        "沙镇人",
        one.person.id_number,
        680,
        333.33,
        "6228480012345678901",
    )
    assert wb["沙镇镇"].cell(row=3, column=5).data_type == "s"
    assert sheet[3][0] == "合计" and sheet[3][8] == 680
    # both sheets come from one query, each holding only its township's lines
    rows = list(wb["堂邑镇"].iter_rows(min_row=3, max_row=4, values_only=True))
    assert (rows[0][:4], rows[1][0]) == ((1, "堂邑镇", rows[0][2], "堂邑人"), "合计")
    cell = wb["堂邑镇"].cell(row=3, column=14)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s" and cell.quotePrefix
    payroll.approve(run, cast.finance)
    payroll.lock(PayrollRun.objects.get(pk=run.pk), cast.finance2)
    call_command("export_payroll", "--county", "371502", "--month", "2022-03", "--output", str(path))
    assert load_workbook(path)["汇总"]["A1"].value == "东昌府区2022年03月城乡公益性岗位补贴发放表"


def test_a_correction_to_a_locked_month_becomes_an_adjustment_line_later(cast) -> None:
    placement = factories.placement("371502101")
    february = run_month("371502", "2022-02")
    payroll.approve(february, cast.finance)
    payroll.lock(PayrollRun.objects.get(pk=february.pk), cast.finance2)
    # The exit on 14 February is recorded only in March: February paid 680.00 for 28 days.
    placement.exit_date = D(2022, 2, 14)
    placement.save()
    march = run_month("371502", "2022-03")
    line = march.lines.get()
    assert (line.kind, line.corrects_month, line.note) == ("recovery", D(2022, 2, 1), "扣回2022年02月")
    # 14/28 of February: pay 340.00 = 166.67 + 69.33 + 104.00; paid 680.00 = 333.34 + 138.66 + 208.00.
    assert (line.pay, line.province, line.city, line.district) == (
        M("-340.00"),
        M("-166.67"),
        M("-69.33"),
        M("-104.00"),
    )
    assert PayrollLine.objects.filter(run=february).get().pay == M("680.00")  # the locked month is untouched
    again = run_month("371502", "2022-03")
    assert again.lines.count() == 1  # re-running replaces, never duplicates
    payroll.approve(again, cast.finance)
    payroll.lock(PayrollRun.objects.get(pk=again.pk), cast.finance2)
    assert not run_month("371502", "2022-04").lines.exists()  # corrected once, not again


def test_a_recomputation_changes_only_the_lines_that_differ_and_records_each(cast) -> None:
    from django.contrib.contenttypes.models import ContentType

    from audit.models import Entry

    changed, left, same = (factories.placement(name=name) for name in ("改出勤", "已退出", "不变"))
    run = run_month("371502", "2022-03")
    first = dict(run.lines.values_list("placement_id", "id"))
    Attendance.objects.create(placement=changed, month=run.month, days=11, recorded_by=cast.clerk)
    type(left).objects.filter(pk=left.pk).update(exit_date=D(2022, 2, 28))
    added = factories.placement(name="新上岗")
    run_month("371502", "2022-03")
    now = {p: (pk, days) for p, pk, days in run.lines.values_list("placement_id", "id", "days_attended")}
    assert set(now) == {changed.pk, same.pk, added.pk}
    assert now[same.pk] == (first[same.pk], 20)  # untouched
    assert now[changed.pk] == (first[changed.pk], 11)  # changed in place
    kind = ContentType.objects.get_for_model(PayrollLine)
    entries = {e.object_id: e for e in Entry.objects.filter(content_type=kind)}
    assert {pk: e.action for pk, e in entries.items()} == {
        first[changed.pk]: Entry.Action.UPDATE,
        first[left.pk]: Entry.Action.DELETE,
        now[added.pk][0]: Entry.Action.CREATE,
    }
    assert entries[first[changed.pk]].changes["days_attended"] == ["20", "11"]
    assert entries[now[added.pk][0]].object_repr == "新上岗 当月补贴"
    assert entries[first[left.pk]].changes["pay"] == ["680.00", "None"]


def test_a_holder_on_old_terms_is_paid_the_old_amount_by_the_district_until_the_old_agreement_ends(
    cast,
) -> None:
    # 新老衔接 (docs/policy.md §7.7, §8.12): not qualifying under the new rules, kept on the old agreement's
    # 1,200.00 a month until it ends on 15 April 2022, past the 36 months the new rules would give.
    held = factories.placement("371502101", on_post=D(2019, 1, 1), prior_months=12)
    Placement.objects.filter(pk=held.pk).update(
        legacy_terms=True, legacy_pay=M("1200.00"), legacy_until=D(2022, 4, 15)
    )
    stored_terms_refresh(person_ids=[held.person_id])
    assert lines(run_month("371502", "2022-03")) == [(M("1200.00"), M("0.00"), M("0.00"), M("1200.00"))]
    assert lines(run_month("371502", "2022-04")) == [(M("600.00"), M("0.00"), M("0.00"), M("600.00"))]
    assert lines(run_month("371502", "2022-05")) == []  # 15/30 in April, nothing after


def test_the_dongchangfu_rural_pay_follows_a_new_minimum_wage_from_its_month(cast) -> None:
    """docs/policy.md §8.2: 东昌府区's rural pay is the minimum hourly wage × 2 h × 20 days."""
    from subsidies.models import MinimumWage

    factories.placement("371502101")
    county = County.objects.get(code="371502")
    MinimumWage.objects.create(
        county=county,
        valid_from=D(2023, 1, 1),
        monthly=M("1850.00"),
        hourly=M("18.50"),
        wage_class=3,
        document="鲁政字〔2022〕新标准",
    )
    december = lines(run_month("371502", "2022-12"))[0]
    january = lines(run_month("371502", "2023-01"))[0]
    assert december[0] == M("680.00")
    assert january[0] == M("740.00")  # 18.50 × 2 × 20
    assert january[1] + january[2] + january[3] == january[0]


def test_the_run_page_warns_of_a_policy_below_the_minimum_wage_of_its_month(cast) -> None:
    from django.urls import reverse

    from subsidies.models import MinimumWage

    factories.placement("370812001", line="urban", birth="19680101")
    county = County.objects.get(code="370812")
    MinimumWage.objects.create(
        county=county,
        valid_from=D(2023, 1, 1),
        monthly=M("2000.00"),
        hourly=M("20.00"),
        wage_class=2,
        document="新最低工资",
    )
    march = run_month("370812", "2022-03")
    assert (
        "低于月最低工资标准"
        not in cast.client(cast.hr_other_county).get(reverse("subsidies:run-detail", args=[march.pk])).text
    )
    january = run_month("370812", "2023-01")
    page = cast.client(cast.hr_other_county).get(reverse("subsidies:run-detail", args=[january.pk])).text
    assert "城镇岗位补贴标准" in page and "月补贴1900.00元，低于月最低工资标准2000.00元（新最低工资）" in page
