"""Attendance recorded in the village, submitted by the village, confirmed by the township
(docs/policy.md §9.2); only confirmed attendance is paid; a county that requires it gets a blocking
finding for a holder without it (§11, §15)."""

import datetime as dt
import importlib
from decimal import Decimal as M

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.services import village_user_create
from placements.models import Placement
from subsidies import payroll
from subsidies.checks import finding_resolve
from subsidies.models import Attendance, AttendanceSheet, Finding, PayrollRun
from subsidies.village_attendance import (
    VillageMark,
    village_month_confirm,
    village_month_record,
    village_month_return,
    village_month_rows,
    village_month_submit,
)
from tests import factories
from townships.models import County, Membership, Role, Township, Village

MARCH = dt.date(2022, 3, 1)
S = AttendanceSheet.State


def days_present(n: int, length: int = 31) -> str:
    return "1" * n + "0" * (length - n)


@pytest.fixture
def village(cast) -> Village:
    village = Township.objects.get(code="371502101").villages.order_by("pk").first()
    assert village is not None  # the seeded township has villages
    return village


@pytest.fixture
def keeper(cast, village) -> User:
    user, _ = village_user_create(actor=cast.clerk, village=village, username="cun")
    return user


@pytest.fixture
def holders(cast, village) -> tuple[Placement, Placement]:
    return factories.placement("371502101", name="甲"), factories.placement("371502101", name="乙")


def run_march() -> PayrollRun:
    return payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), MARCH))


def pay(run: PayrollRun) -> dict[str, M]:
    return {line.placement.person.name: line.pay for line in run.lines.select_related("placement__person")}


def record_both(keeper: User, village: Village, holders: tuple[Placement, Placement]) -> None:
    first, second = holders
    village_month_record(
        actor=keeper,
        village=village,
        month=MARCH,
        marks=[
            VillageMark(first.pk, presence=days_present(15), note="病假五天"),
            VillageMark(second.pk, days=22),
        ],
    )


def test_only_the_confirmed_village_month_is_paid(cast, keeper, village, holders) -> None:
    record_both(keeper, village, holders)
    assert Attendance.objects.filter(confirmed_at__isnull=True).count() == 2
    assert pay(run_march()) == {"甲": M("680.00"), "乙": M("680.00")}  # waiting: not counted
    village_month_submit(actor=keeper, village=village, month=MARCH)
    assert pay(run_march()) == {"甲": M("680.00"), "乙": M("680.00")}  # submitted: not yet
    sheet = village_month_confirm(actor=cast.clerk, village=village, month=MARCH)
    assert (sheet.state, sheet.confirmed_by, sheet.submitted_by) == (S.CONFIRMED, cast.clerk, keeper)
    first = Attendance.objects.get(placement=holders[0])
    assert (first.days, first.presence, first.confirmed_by) == (15, days_present(15), cast.clerk)
    assert first.recorded_by == keeper
    assert pay(run_march()) == {"甲": M("510.00"), "乙": M("680.00")}  # 680 × 15/20


def test_a_confirmation_after_the_computation_stops_approval_until_computed_again(
    cast, keeper, village, holders
) -> None:
    record_both(keeper, village, holders)
    village_month_submit(actor=keeper, village=village, month=MARCH)
    run = run_march()
    village_month_confirm(actor=cast.clerk, village=village, month=MARCH)
    with pytest.raises(ValidationError, match="计算之后有2条考勤记录有变动"):
        payroll.approve(run, cast.finance)
    run = run_march()
    payroll.approve(run, cast.finance)
    assert pay(run)["甲"] == M("510.00")


def test_a_returned_month_is_corrected_and_submitted_again(cast, keeper, village, holders) -> None:
    record_both(keeper, village, holders)
    village_month_submit(actor=keeper, village=village, month=MARCH)
    with pytest.raises(ValidationError, match="退回须写明原因"):
        village_month_return(actor=cast.clerk, village=village, month=MARCH, reason=" ")
    with pytest.raises(ValidationError, match="已报送，不能再修改"):
        village_month_record(
            actor=keeper, village=village, month=MARCH, marks=[VillageMark(holders[0].pk, days=1)]
        )
    sheet = village_month_return(actor=cast.clerk, village=village, month=MARCH, reason="甲的病假请附证明")
    assert (sheet.state, sheet.returned_reason) == (S.RETURNED, "甲的病假请附证明")
    with pytest.raises(ValidationError, match="已退回，不能确认"):
        village_month_confirm(actor=cast.clerk, village=village, month=MARCH)
    village_month_record(
        actor=keeper, village=village, month=MARCH, marks=[VillageMark(holders[0].pk, days=20)]
    )
    village_month_submit(actor=keeper, village=village, month=MARCH)
    village_month_confirm(actor=cast.clerk, village=village, month=MARCH)
    assert pay(run_march()) == {"甲": M("680.00"), "乙": M("680.00")}
    with pytest.raises(ValidationError, match="已确认，不能再修改"):
        village_month_record(
            actor=keeper, village=village, month=MARCH, marks=[VillageMark(holders[0].pk, days=1)]
        )
    with pytest.raises(ValidationError, match="已确认，不能报送"):
        village_month_submit(actor=keeper, village=village, month=MARCH)


def test_the_user_who_submitted_never_confirms(cast, keeper, village, holders) -> None:
    record_both(keeper, village, holders)
    village_month_submit(actor=keeper, village=village, month=MARCH)
    # the same person, now the township's clerk, still may not confirm what they submitted
    Membership.objects.filter(user=keeper).update(role=Role.CLERK, village=None)
    keeper = User.objects.get(pk=keeper.pk)
    with pytest.raises(ValidationError, match="由您报送，须由乡镇（街道）另一名人员确认"):
        village_month_confirm(actor=keeper, village=village, month=MARCH)
    assert AttendanceSheet.objects.get().state == S.SUBMITTED
    assert not Attendance.objects.filter(confirmed_at__isnull=False).exists()


def test_a_month_is_submitted_only_whole_and_confirmed_only_when_submitted(
    cast, keeper, village, holders
) -> None:
    with pytest.raises(ValidationError, match="尚未填报"):
        village_month_submit(actor=keeper, village=village, month=MARCH)
    village_month_record(
        actor=keeper, village=village, month=MARCH, marks=[VillageMark(holders[0].pk, days=20)]
    )
    with pytest.raises(ValidationError, match="还有1人未填报考勤：乙"):
        village_month_submit(actor=keeper, village=village, month=MARCH)
    with pytest.raises(ValidationError, match="填报中，不能确认"):
        village_month_confirm(actor=cast.clerk, village=village, month=MARCH)
    assert AttendanceSheet.objects.get().state == S.FILLING


BAD = [
    (lambda h: [VillageMark(h.pk, days=32)], "出勤天数应为0至31的整数"),
    (lambda h: [VillageMark(h.pk, days=-1)], "出勤天数应为0至31的整数"),
    (lambda h: [VillageMark(h.pk)], "请填写出勤天数或每日出勤"),
    (
        lambda h: [VillageMark(h.pk, days=14, presence=days_present(15))],
        "出勤天数14天与每日出勤中的15天不一致",
    ),
    (lambda h: [VillageMark(h.pk, presence=days_present(15, 30))], "每日出勤应为31位"),
    (lambda h: [VillageMark(h.pk, presence="1" * 30 + "x")], "每日出勤应为31位"),
    (lambda h: [VillageMark(h.pk, days=3), VillageMark(h.pk, days=4)], "重复填报"),
    (lambda h: [VillageMark(h.pk, days=3), VillageMark(0, days=4)], "第3人：2022年03月不在"),
]


@pytest.mark.parametrize(("marks", "message"), BAD)
def test_bad_input_is_refused_whole_and_changes_nothing(
    cast, keeper, village, holders, marks, message
) -> None:
    good = VillageMark(holders[1].pk, days=20)
    with pytest.raises(ValidationError, match=message):
        village_month_record(actor=keeper, village=village, month=MARCH, marks=[good, *marks(holders[0])])
    assert not Attendance.objects.exists() and not AttendanceSheet.objects.exists()


def test_only_holders_on_post_in_the_village_that_month(cast, keeper, village, holders) -> None:
    april = factories.placement("371502101", on_post=dt.date(2022, 4, 1), name="四月上岗")
    neighbour = factories.placement("371502101", name="邻村人")
    neighbour.post.village = Township.objects.get(code="371502101").villages.exclude(pk=village.pk).first()
    neighbour.post.save()
    elsewhere = factories.placement("371502102", name="邻镇人")
    for stranger in (april, neighbour, elsewhere):
        with pytest.raises(ValidationError, match=f"2022年03月不在{village.name}的公益性岗位上"):
            village_month_record(
                actor=keeper, village=village, month=MARCH, marks=[VillageMark(stranger.pk, days=5)]
            )
    assert [row.placement.person.name for row in village_month_rows(village=village, month=MARCH)] == [
        "乙",
        "甲",
    ]
    assert not Attendance.objects.exists()


def test_a_user_outside_the_village_or_township_gets_404(cast, keeper, village, holders) -> None:
    other = Township.objects.get(code="371502101").villages.exclude(pk=village.pk).first()
    assert other is not None  # the seeded township has more than one village
    other_keeper, _ = village_user_create(actor=cast.clerk, village=other, username="cun_other")
    mark = [VillageMark(holders[0].pk, days=5)]
    for who in (other_keeper, cast.clerk, cast.hr):
        with pytest.raises(Http404):
            village_month_record(actor=who, village=village, month=MARCH, marks=mark)
    record_both(keeper, village, holders)
    village_month_submit(actor=keeper, village=village, month=MARCH)
    for who in (cast.other_clerk, cast.clerk_other_county, keeper, cast.finance):
        with pytest.raises(Http404):
            village_month_confirm(actor=who, village=village, month=MARCH)
        with pytest.raises(Http404):
            village_month_return(actor=who, village=village, month=MARCH, reason="不对")
    assert AttendanceSheet.objects.get().state == S.SUBMITTED


def test_a_future_or_approved_month_takes_nothing(cast, keeper, village, holders) -> None:
    next_month = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    with pytest.raises(ValidationError, match="尚未到来"):
        village_month_record(
            actor=keeper, village=village, month=next_month, marks=[VillageMark(holders[0].pk, days=5)]
        )
    payroll.approve(run_march(), cast.finance2)
    with pytest.raises(ValidationError, match="已审核，考勤不能再修改"):
        village_month_record(
            actor=keeper, village=village, month=MARCH, marks=[VillageMark(holders[0].pk, days=5)]
        )
    assert not Attendance.objects.exists()


def test_a_month_approved_after_submission_is_not_confirmed(cast, keeper, village, holders) -> None:
    record_both(keeper, village, holders)
    village_month_submit(actor=keeper, village=village, month=MARCH)
    payroll.approve(run_march(), cast.finance2)
    with pytest.raises(ValidationError, match="甲：2022年03月的补贴已审核"):
        village_month_confirm(actor=cast.clerk, village=village, month=MARCH)
    assert AttendanceSheet.objects.get().state == S.SUBMITTED


def test_a_locked_month_takes_a_village_correction_only_with_its_reason(
    cast, keeper, village, holders
) -> None:
    run = run_march()
    payroll.approve(run, cast.finance)
    payroll.lock(run, cast.finance2)
    first = VillageMark(holders[0].pk, days=10)
    with pytest.raises(ValidationError, match="须在备注中写明更正原因"):
        village_month_record(actor=keeper, village=village, month=MARCH, marks=[first])
    village_month_record(
        actor=keeper,
        village=village,
        month=MARCH,
        marks=[VillageMark(holders[0].pk, days=10, note="补报缺勤")],
    )
    assert Attendance.objects.get().days == 10


def test_the_township_own_records_are_confirmed_and_not_the_villages_to_change(
    cast, keeper, village, holders
) -> None:
    first, second = holders
    village_month_record(actor=keeper, village=village, month=MARCH, marks=[VillageMark(first.pk, days=12)])
    upload = factories.xlsx(
        [[first.person.id_number, 18, ""], [second.person.id_number, 16, ""]],
        ["身份证号", "出勤天数", "备注"],
    )
    upload.name = "march.xlsx"
    page = cast.client(cast.clerk).post(reverse("subsidies:attendance"), {"month": "2022-03", "file": upload})
    assert page.status_code == 302
    records = {a.placement_id: a for a in Attendance.objects.all()}
    assert {pk: (a.days, a.confirmed_by) for pk, a in records.items()} == {
        first.pk: (18, cast.clerk),
        second.pk: (16, cast.clerk),
    }
    assert all(a.confirmed_at is not None for a in records.values())
    with pytest.raises(ValidationError, match="乙：本月考勤已由乡镇（街道）录入"):
        village_month_record(
            actor=keeper, village=village, month=MARCH, marks=[VillageMark(second.pk, days=3)]
        )
    assert Attendance.objects.get(placement=second).days == 16


def test_missing_confirmed_attendance_is_a_blocking_finding_where_required(
    cast, keeper, village, holders
) -> None:
    assert not run_march().findings.filter(kind=Finding.Kind.MISSING_ATTENDANCE).exists()  # the setting off
    County.objects.filter(code="371502").update(attendance_required=True)
    record_both(keeper, village, holders)  # recorded, not confirmed: still missing
    run = run_march()
    missing = run.findings.filter(kind=Finding.Kind.MISSING_ATTENDANCE).order_by("message")
    assert [(f.blocking, f.message) for f in missing] == [
        (
            True,
            f"沙镇镇{village.name}乙2022年03月没有经确认的考勤，暂按全月计算：请乡镇（街道）录入或确认后重新计算",
        ),
        (
            True,
            f"沙镇镇{village.name}甲2022年03月没有经确认的考勤，暂按全月计算：请乡镇（街道）录入或确认后重新计算",
        ),
    ]
    assert pay(run) == {"甲": M("680.00"), "乙": M("680.00")}  # the line is still a full month
    with pytest.raises(ValidationError, match="还有2个须处理的核算前检查问题"):
        payroll.approve(run, cast.finance2)
    village_month_submit(actor=keeper, village=village, month=MARCH)
    village_month_confirm(actor=cast.clerk, village=village, month=MARCH)
    run = run_march()
    assert not run.findings.filter(kind=Finding.Kind.MISSING_ATTENDANCE).exists()
    payroll.approve(run, cast.finance2)
    assert pay(run) == {"甲": M("510.00"), "乙": M("680.00")}


def test_finance_may_resolve_a_missing_attendance_with_a_note(cast, holders) -> None:
    County.objects.filter(code="371502").update(attendance_required=True)
    run = run_march()
    for finding in run.findings.filter(kind=Finding.Kind.MISSING_ATTENDANCE):
        finding_resolve(finding=finding, resolution="乡镇已电话核实全勤", actor=cast.finance)
    payroll.approve(run, cast.finance2)
    assert PayrollRun.objects.get(pk=run.pk).state == PayrollRun.State.APPROVED


def test_the_migration_marks_every_earlier_record_confirmed_by_its_recorder(cast, holders) -> None:
    migration = importlib.import_module("subsidies.migrations.0019_attendance_confirmed_as_recorded")
    at = timezone.now() - dt.timedelta(days=400)
    for placement in holders:
        Attendance.objects.create(placement=placement, month=MARCH, days=11, recorded_by=cast.clerk)
    Attendance.objects.update(confirmed_by=None, confirmed_at=None, recorded_at=at)
    migration.confirm_as_recorded(apps, None)
    assert set(Attendance.objects.values_list("confirmed_by", "confirmed_at")) == {(cast.clerk.pk, at)}


def test_the_finding_costs_one_query_however_many_holders(cast, holders) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from subsidies.checks import findings_refresh

    County.objects.filter(code="371502").update(attendance_required=True)
    run = payroll.run_for(County.objects.get(code="371502"), MARCH)

    def queries() -> int:
        run.findings.all().delete()
        with CaptureQueriesContext(connection) as captured:
            findings_refresh(run)
        return len(captured.captured_queries)

    few = queries()
    for name in ("丙", "丁", "戊"):
        factories.placement("371502101", name=name)
    assert queries() == few
    assert run.findings.filter(kind=Finding.Kind.MISSING_ATTENDANCE).count() == 5
    County.objects.filter(code="371502").update(attendance_required=False)
    run.county.refresh_from_db()
    assert queries() < few  # no query for the finding where the county does not require it
