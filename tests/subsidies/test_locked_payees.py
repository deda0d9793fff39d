"""What a locked month paid, and to whom, never changes (issue 23, high 1–2): the payee is frozen
on the lines at the lock and every output of the month reads it; a bank account is changed by
two people; runs and lines cannot be rewritten or deleted through the admin."""

import datetime as dt
import io
from decimal import Decimal as M

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Entry
from people.bank import bank_change_decide, bank_change_request
from people.models import BankAccountChange, Person
from subsidies import payroll
from subsidies.models import PayrollRun, SubsidyPolicy
from tests import factories
from townships.models import County

OLD, NEW = "6228480012345678901", "6217000099998888777"


def locked_month(cast, month: str = "2022-03") -> PayrollRun:
    county = County.objects.get(code="371502")
    run = payroll.compute_run(payroll.run_for(county, payroll.month_start(month)))
    payroll.approve(run, cast.finance)
    return payroll.lock(run, cast.finance2)


def workbook_row(client, run: PayrollRun) -> list:
    response = client.get(reverse("subsidies:run-download", args=[run.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["沙镇镇"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(rows) if row[0] == "序号")
    return rows[header + 1]


def test_a_locked_months_workbook_sheet_and_lines_keep_the_payee_after_the_person_changes(cast) -> None:
    holder = factories.placement("371502101", name="王五", bank_account=OLD).person
    run = locked_month(cast)
    finance = cast.client(cast.finance)
    before = workbook_row(finance, run)
    assert (before[3], before[12]) == ("王五", OLD)

    Person.objects.filter(pk=holder.pk).update(name="王六")  # any later change of the person
    change = bank_change_request(person=holder, bank_account=NEW, bank_name="", actor=cast.clerk)
    bank_change_decide(change=change, confirm=True, actor=cast.hr)
    assert Person.objects.get(pk=holder.pk).bank_account == NEW

    after = workbook_row(finance, run)
    assert (after[3], after[4], after[12]) == ("王五", holder.id_number, OLD)
    sheet = finance.get(reverse("subsidies:run-sheet", args=[run.pk]))
    assert OLD in sheet.text and NEW not in sheet.text and "王五" in sheet.text
    lines = finance.get(reverse("subsidies:run-lines", args=[run.pk]))
    assert "王五" in lines.text and "王六" not in lines.text
    # the next, open month pays the confirmed new account
    county = County.objects.get(code="371502")
    april = payroll.compute_run(payroll.run_for(county, dt.date(2022, 4, 1)))
    assert workbook_row(finance, april)[12] == NEW


def test_the_lock_freezes_every_line_with_its_payee(cast) -> None:
    factories.placement("371502101", name="甲某", bank_account=OLD)
    factories.placement("371502102", name="乙某", bank_account=NEW)
    run = locked_month(cast)
    frozen = set(run.lines.values_list("payee_name", "bank_account", "payee_id_number"))
    people = {(p.name, p.bank_account, p.id_number) for p in Person.objects.all()}
    assert frozen == people


def test_an_account_entered_on_the_edit_page_waits_for_a_second_person(cast) -> None:
    holder = factories.placement("371502101", name="王五", bank_account=OLD).person
    clerk = cast.client(cast.clerk)
    edit = reverse("people:person-edit", args=[holder.pk])
    form = clerk.get(edit).context["form"].initial
    data = {**form, "groups": form["groups"], "bank_account": NEW, "bank_name": "邮储银行"}
    response = clerk.post(edit, data, follow=True)
    assert "须由本乡镇其他经办人或区人社局确认后生效" in response.text
    assert Person.objects.get(pk=holder.pk).bank_account == OLD  # not yet
    change = BankAccountChange.objects.get(person=holder, state="pending")
    decide = reverse("people:bank-change-decide", args=[change.pk])

    response = clerk.post(decide, {"decision": "confirm"}, follow=True)  # the one who entered it
    assert "录入人以外" in response.text
    assert Person.objects.get(pk=holder.pk).bank_account == OLD
    assert cast.client(cast.other_clerk).post(decide, {"decision": "confirm"}).status_code == 404
    assert cast.client(cast.hr_other_county).post(decide, {"decision": "confirm"}).status_code == 404

    response = cast.client(cast.hr).post(decide, {"decision": "confirm"}, follow=True)
    assert "此后的发放使用新账号" in response.text
    holder.refresh_from_db()
    assert (holder.bank_account, holder.bank_name) == (NEW, "邮储银行")
    change.refresh_from_db()
    assert (change.state, change.requested_by, change.decided_by) == ("confirmed", cast.clerk, cast.hr)
    entries = Entry.objects.filter(subject=f"people.person:{holder.pk}")
    assert entries.filter(actor=cast.clerk, content_type__model="bankaccountchange").exists()
    confirmed = entries.get(actor=cast.hr, content_type__model="person", changes__has_key="bank_account")
    assert NEW not in str(confirmed.changes) and NEW[-4:] in str(confirmed.changes)  # masked


def test_a_second_change_waits_for_the_first_and_a_withdrawal_needs_no_second_person(cast) -> None:
    holder = factories.person("371502101", bank_account=OLD)
    first = bank_change_request(person=holder, bank_account=NEW, bank_name="", actor=cast.clerk)
    with pytest.raises(Exception, match="待确认"):
        bank_change_request(person=holder, bank_account="6217000099998888000", bank_name="", actor=cast.hr)
    with pytest.raises(Exception, match="写明原因"):
        bank_change_decide(change=first, confirm=False, actor=cast.clerk)
    bank_change_decide(change=first, confirm=False, actor=cast.clerk, note="填错了")
    assert Person.objects.get(pk=holder.pk).bank_account == OLD
    with pytest.raises(Exception, match="相同"):
        bank_change_request(person=holder, bank_account=OLD, bank_name="", actor=cast.clerk)


def test_the_admin_reads_runs_but_cannot_change_or_delete_them(cast) -> None:
    factories.placement("371502101")
    run = locked_month(cast)
    admin = cast.client(cast.county_admin)
    cast.county_admin.is_staff = cast.county_admin.is_superuser = True
    cast.county_admin.save()
    admin.force_login(cast.county_admin)
    page = admin.get(reverse("admin:subsidies_payrollrun_change", args=[run.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.text
    moved = admin.post(reverse("admin:subsidies_payrollrun_change", args=[run.pk]), {"month": "2022-04-01"})
    assert moved.status_code == 403
    deleted = admin.post(reverse("admin:subsidies_payrollrun_delete", args=[run.pk]), {"post": "yes"})
    assert deleted.status_code == 403
    assert admin.get(reverse("admin:subsidies_payrollrun_add")).status_code == 403
    run.refresh_from_db()
    assert (run.month, run.state, run.lines.count()) == (dt.date(2022, 3, 1), "locked", 1)
    with pytest.raises(ProtectedError):
        run.delete()  # nor through any other path of the ORM: its lines protect it


def test_the_run_page_totals_only_the_runs_county_townships(cast) -> None:
    factories.placement("371502101", name="东昌人")
    factories.placement("370812101", name="兖州人")
    yanzhou = payroll.compute_run(payroll.run_for(County.objects.get(code="370812"), dt.date(2022, 3, 1)))
    PayrollRun.objects.filter(pk=yanzhou.pk).update(county=County.objects.get(code="371502"))  # moved
    page = cast.client(cast.finance).get(reverse("subsidies:run-detail", args=[yanzhou.pk]))
    assert page.status_code == 200
    assert "大安镇" not in page.text and "833.33" not in page.text


def test_a_policy_saved_over_locked_months_says_what_it_will_correct(cast) -> None:
    factories.placement("371502101")
    locked_month(cast)
    admin = cast.client(cast.county_admin)
    cast.county_admin.is_staff = cast.county_admin.is_superuser = True
    cast.county_admin.save()
    admin.force_login(cast.county_admin)
    policy = SubsidyPolicy.objects.get(county__code="371502", line="rural")
    url = reverse("admin:subsidies_subsidypolicy_change", args=[policy.pk])
    data = {
        "county": policy.county_id,
        "line": "rural",
        "valid_from": policy.valid_from,
        "document": policy.document,
        "basis": policy.basis,
        "hourly_rate": "18.00",
        "hours_per_day": policy.hours_per_day,
        "required_days": policy.required_days,
        "split": policy.split,
        "province_annual": policy.province_annual,
        "city_percent": policy.city_percent,
        "valid_to": "",
    }
    response = admin.post(url, {k: "" if v is None else v for k, v in data.items()}, follow=True)
    assert "已锁定的1个月（2022年03月）" in response.text
    assert SubsidyPolicy.objects.get(pk=policy.pk).hourly_rate == M("18.00")


def test_a_month_whose_attendance_changed_after_computing_is_recomputed_before_approval(cast) -> None:
    from subsidies.models import Attendance

    holder = factories.placement("371502101")
    county = County.objects.get(code="371502")
    run = payroll.compute_run(payroll.run_for(county, dt.date(2022, 3, 1)))
    Attendance.objects.create(placement=holder, month=dt.date(2022, 3, 1), days=10, recorded_by=cast.clerk)
    finance = cast.client(cast.finance)
    decide = reverse("subsidies:run-decide", args=[run.pk])
    response = finance.post(decide, {"action": "approve"}, follow=True)
    assert "计算之后有1条考勤记录有变动，请重新计算" in response.text
    assert PayrollRun.objects.get(pk=run.pk).state == "computed"
    run = payroll.compute_run(run)
    assert run.lines.get().pay == M("340.00")
    finance.post(decide, {"action": "approve"})
    assert PayrollRun.objects.get(pk=run.pk).state == "approved"


def test_another_countys_run_on_the_export_page_answers_404(cast) -> None:
    factories.placement("370812101")
    yanzhou = payroll.compute_run(payroll.run_for(County.objects.get(code="370812"), dt.date(2022, 3, 1)))
    url = reverse("workspace:export-new") + f"?list=payroll_lines&run={yanzhou.pk}"
    assert cast.client(cast.finance).get(url).status_code == 404
    assert cast.client(cast.finance).post(url).status_code == 404
    assert cast.client(cast.hr_other_county).get(url).status_code == 200


def test_two_people_move_a_month(cast) -> None:
    """docs/policy.md §9.4: whoever computes a month neither approves nor locks it; a month the scheduled
    job computed is approved and locked by two different finance users; only this county's
    finance users approve or lock; a county switches this off only with a recorded reason."""
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    factories.placement("371502101")
    county = County.objects.get(code="371502")
    run = payroll.compute_run(payroll.run_for(county, dt.date(2022, 3, 1)), cast.finance)
    with pytest.raises(ValidationError, match="由您计算，须由另一名财务人员审核"):
        payroll.approve(run, cast.finance)
    with pytest.raises(ValidationError, match="只有东昌府区的财务人员可以审核"):
        payroll.approve(run, cast.hr)
    payroll.approve(run, cast.finance2)
    with pytest.raises(ValidationError, match="由您计算，须由另一名财务人员锁定"):
        payroll.lock(run, cast.finance)
    assert payroll.lock(run, cast.finance2).state == "locked"

    april = payroll.compute_run(payroll.run_for(county, dt.date(2022, 4, 1)))  # the beat job's
    payroll.approve(april, cast.finance)
    with pytest.raises(ValidationError, match="由您审核，须由另一名财务人员锁定"):
        payroll.lock(april, cast.finance)
    assert payroll.lock(april, cast.finance2).locked_by == cast.finance2

    with pytest.raises(IntegrityError), transaction.atomic():
        County.objects.filter(pk=county.pk).update(payroll_two_people=False)  # no reason: refused
    County.objects.filter(pk=county.pk).update(
        payroll_two_people=False, payroll_two_people_off_reason="财务仅一人，经区政府同意（文号）"
    )
    may = payroll.compute_run(payroll.run_for(county, dt.date(2022, 5, 1)), cast.finance)
    assert payroll.lock(payroll.approve(may, cast.finance), cast.finance).state == "locked"
    page = cast.client(cast.finance).get(reverse("subsidies:run-detail", args=[may.pk])).text
    assert "本区县已关闭双人审核：财务仅一人" in page and "计算：finance" in page
