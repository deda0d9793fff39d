"""Attendance recorded in the village, submitted by the village, confirmed by the township
(docs/policy.md §9.2).

A village user (村（社区）协管员) records their village's month for the holders of its posts on post that
month: each day's presence or only the month's days, and a note. The records wait unconfirmed
(Attendance.confirmed_at None: the payroll does not read them). The village submits the month;
a clerk of the township, never the user who submitted, confirms it (then every record of it
counts) or returns it with a reason (the village corrects and submits again).

Each record is judged by the township sheet's own checks (subsidies.attendance.MonthSheet: on post
that month, days 0 to the month's length, an approved month takes none, a locked month only a
correction with its reason), again at submission and at confirmation, since the month's runs may
have moved in between. Every service is all or nothing and refuses in Chinese; a user outside the
village (or township) gets 404 from the gate (townships.access). Sheets and records are audited
through their models' signals (audit.registry)."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from common import imports
from common.sheets import CellProblem
from placements.models import Placement
from townships.access import get_village_or_404, require_role
from townships.models import Role, Village

from .attendance import Mark, MonthSheet, Record, on_post_in, records_write
from .models import Attendance, AttendanceSheet
from .months import month_last, month_open_check

State = AttendanceSheet.State
PRESENT, ABSENT = "1", "0"


@dataclass(frozen=True)
class Move:
    role: str
    checks_submission: bool = False  # confirms what someone submitted: never by the submitter


# The whole map of a sheet's moves; recording keeps a sheet 填报中 (or 已退回 until it is submitted).
MOVES: dict[tuple[str, str], Move] = {
    (State.FILLING, State.SUBMITTED): Move(Role.VILLAGE),
    (State.RETURNED, State.SUBMITTED): Move(Role.VILLAGE),
    (State.SUBMITTED, State.CONFIRMED): Move(Role.CLERK, checks_submission=True),
    (State.SUBMITTED, State.RETURNED): Move(Role.CLERK),
}
RECORDABLE = (State.FILLING, State.RETURNED)


@dataclass(frozen=True)
class VillageMark:
    """One holder's month as the village enters it: the days present, or each day's presence
    (one character per day, "1" present, "0" absent; its count of "1" is the days), or both."""

    placement_id: int
    days: int | None = None
    presence: str = ""
    note: str = ""


def presence_check(mark: VillageMark, month: dt.date) -> int:
    """The days present `mark` gives, or ValidationError: presence one "1" or "0" per day of the
    month, whose count of days present equals the days when both are given."""
    if not mark.presence:
        if mark.days is None:
            raise ValidationError("请填写出勤天数或每日出勤")
        return mark.days
    length = month_last(month).day
    if len(mark.presence) != length or set(mark.presence) - {PRESENT, ABSENT}:
        raise ValidationError(f"每日出勤应为{length}位，每天一位：1为出勤，0为缺勤")
    present = mark.presence.count(PRESENT)
    if mark.days is not None and mark.days != present:
        raise ValidationError(f"出勤天数{mark.days}天与每日出勤中的{present}天不一致")
    return present


def _in_scope(actor: User, village: Village, role: str) -> Village:
    """The village if `actor` holds `role` and sees it (a village user: theirs; a clerk: their
    township's); Http404 otherwise (townships.access)."""
    require_role(actor, role)
    return get_village_or_404(actor, village.pk)


def _sheet(village: Village, month: dt.date, *, create: bool = False) -> AttendanceSheet:
    """The village's sheet of `month`, its row locked for this transaction."""
    if create:
        AttendanceSheet.objects.get_or_create(village=village, month=month)
    sheet = AttendanceSheet.objects.select_for_update().filter(village=village, month=month).first()
    if sheet is None:
        raise ValidationError(f"{village.name}{month:%Y年%m月}的考勤尚未填报")
    sheet.village = village
    return sheet


class _Judge:
    """The township sheet's checks (MonthSheet) over a village's month, with each problem named by
    the person it concerns."""

    def __init__(self, village: Village, month: dt.date) -> None:
        self.month = month
        self.sheet = MonthSheet(village.township, month, keeps_withheld=True, village=village)
        self.by_pk = {p.pk: p for p in self.sheet.placements.values()}
        self.problems: list[str] = []

    def judge(self, placement: Placement, days: int, note: str) -> Mark | None:
        """The record to write, or None: a problem (kept), or a locked month's record as paid."""
        found: list[CellProblem] = []
        values = {"出勤天数": str(days), "备注": note}
        cells = imports.Cells(0, values, found, set())
        mark = self.sheet.row(cells, placement.person.id_number)
        self.problems += [f"{placement.person.name}：{p.message}" for p in found]
        return mark

    def refuse(self) -> None:
        if self.problems:
            raise ValidationError(self.problems)


@transaction.atomic
def village_month_record(
    *, actor: User, village: Village, month: dt.date, marks: list[VillageMark]
) -> AttendanceSheet:
    """Record (or change) the month of some of the village's holders, all or none. Refused: a
    month not open, a sheet submitted or confirmed, a holder not on post in the village that
    month, one the township has recorded itself, and what the township sheet refuses."""
    month = month.replace(day=1)  # a month is its first day
    village = _in_scope(actor, village, Role.VILLAGE)
    month_open_check(month)
    sheet = _sheet(village, month, create=True)
    if sheet.state not in RECORDABLE:
        raise ValidationError(f"{sheet}{sheet.get_state_display()}，不能再修改")
    judge = _Judge(village, month)
    township_own = set(
        Attendance.objects.filter(
            month=month, placement_id__in=list(judge.by_pk), confirmed_at__isnull=False
        ).values_list("placement_id", flat=True)
    )
    writes: list[tuple[Mark, str]] = []
    seen: set[int] = set()
    for number, mark in enumerate(marks, start=1):
        placement = judge.by_pk.get(mark.placement_id)
        if placement is None:
            judge.problems.append(f"第{number}人：{month:%Y年%m月}不在{village.name}的公益性岗位上")
            continue
        name = placement.person.name
        if mark.placement_id in seen:
            judge.problems.append(f"{name}：重复填报")
            continue
        seen.add(mark.placement_id)
        if mark.placement_id in township_own:
            judge.problems.append(f"{name}：本月考勤已由乡镇（街道）录入，如需更改请联系乡镇（街道）")
            continue
        try:
            days = presence_check(mark, month)
        except ValidationError as exc:
            judge.problems += [f"{name}：{message}" for message in exc.messages]
            continue
        if (checked := judge.judge(placement, days, mark.note.strip())) is not None:
            writes.append((checked, mark.presence))
    judge.refuse()
    _write(actor, month, judge, writes)
    return sheet


def _write(actor: User, month: dt.date, judge: _Judge, writes: list[tuple[Mark, str]]) -> None:
    """The village's records, unconfirmed, written as the township's are (attendance.records_write)."""
    records = [
        Record(judge.by_pk[checked.placement_id], checked.days, checked.withheld, checked.note, presence)
        for checked, presence in writes
    ]
    records_write(month, records, actor=actor, confirmed=False)


def _drafts(sheet: AttendanceSheet) -> list[Attendance]:
    """The sheet's records waiting for confirmation: of its month, its village's posts."""
    waiting = Attendance.objects.filter(
        month=sheet.month, placement__post__village=sheet.village, confirmed_at__isnull=True
    )
    return list(waiting.select_related("placement__person").order_by("pk"))


def _judge_again(sheet: AttendanceSheet, drafts: list[Attendance]) -> None:
    """The drafts judged again as the month stands now (a run approved or locked since)."""
    month_open_check(sheet.month)
    judge = _Judge(sheet.village, sheet.month)
    for draft in drafts:
        judge.judge(draft.placement, draft.days, draft.note)
    judge.refuse()


def _move(sheet: AttendanceSheet, to: str, actor: User) -> None:
    """Check the move against MOVES (the role, and maker ≠ checker), then make it."""
    move = MOVES.get((sheet.state, to))
    if move is None:
        raise ValidationError(f"{sheet}{sheet.get_state_display()}，不能{State(to).label.removeprefix('已')}")
    require_role(actor, move.role)
    if move.checks_submission and actor.pk == sheet.submitted_by_id:
        raise ValidationError(f"{sheet}由您报送，须由乡镇（街道）另一名人员确认")
    sheet.state = to


@transaction.atomic
def village_month_submit(*, actor: User, village: Village, month: dt.date) -> AttendanceSheet:
    """The village submits its month to the township: every holder on post in the village that
    month has a record (the village's or the township's own), each still as the month allows."""
    month = month.replace(day=1)  # a month is its first day
    village = _in_scope(actor, village, Role.VILLAGE)
    sheet = _sheet(village, month)
    _move(sheet, State.SUBMITTED, actor)
    drafts = _drafts(sheet)
    _judge_again(sheet, drafts)
    on_post = on_post_in(village.township, month, village)
    if not on_post:
        raise ValidationError(f"{village.name}{month:%Y年%m月}没有在岗人员，无需报送考勤")
    recorded = set(
        Attendance.objects.filter(month=month, placement__post__village=village).values_list(
            "placement_id", flat=True
        )
    )
    missing = [p.person.name for p in on_post.values() if p.pk not in recorded]
    if missing:
        raise ValidationError(f"还有{len(missing)}人未填报考勤：{'、'.join(missing[:10])}")
    sheet.submitted_by, sheet.submitted_at, sheet.returned_reason = actor, timezone.now(), ""
    sheet.save()
    return sheet


@transaction.atomic
def village_month_confirm(*, actor: User, village: Village, month: dt.date) -> AttendanceSheet:
    """A clerk of the township confirms the submitted month (not the user who submitted it):
    each of its records counts from now on (confirmed_at), judged again as the month stands."""
    month = month.replace(day=1)  # a month is its first day
    village = _in_scope(actor, village, Role.CLERK)
    sheet = _sheet(village, month)
    _move(sheet, State.CONFIRMED, actor)
    drafts = _drafts(sheet)
    _judge_again(sheet, drafts)
    now = timezone.now()
    for draft in drafts:  # one save each: each record's confirmation is in the audit log
        draft.confirmed_by, draft.confirmed_at = actor, now
        draft.save(update_fields=["confirmed_by", "confirmed_at"])
    sheet.confirmed_by, sheet.confirmed_at = actor, now
    sheet.save()
    return sheet


@transaction.atomic
def village_month_return(*, actor: User, village: Village, month: dt.date, reason: str) -> AttendanceSheet:
    """A clerk of the township returns the submitted month with a reason; the village corrects it
    and submits again. Its records stay unconfirmed."""
    month = month.replace(day=1)  # a month is its first day
    village = _in_scope(actor, village, Role.CLERK)
    reason = reason.strip()
    if not reason:
        raise ValidationError("退回须写明原因")
    if len(reason) > 200:
        raise ValidationError("退回原因不能超过200个字")
    sheet = _sheet(village, month)
    _move(sheet, State.RETURNED, actor)
    sheet.returned_reason = reason
    sheet.save()
    return sheet


@dataclass(frozen=True)
class HolderMonth:
    """One holder of the village's posts on post in the month, with their record if any."""

    placement: Placement
    record: Attendance | None

    @property
    def confirmed(self) -> bool:
        return self.record is not None and self.record.confirmed_at is not None


def village_month_rows(*, village: Village, month: dt.date) -> list[HolderMonth]:
    """The village's holders on post in `month` (by name) and their records: what a sheet page
    lists. Two queries. The caller has the village from the gate (townships.access)."""
    on_post = on_post_in(village.township, month, village)
    records = {
        a.placement_id: a
        for a in Attendance.objects.filter(month=month, placement_id__in=[p.pk for p in on_post.values()])
    }
    rows = [HolderMonth(p, records.get(p.pk)) for p in on_post.values()]
    return sorted(rows, key=lambda row: row.placement.person.name)


def missing_attendance(active: QuerySet, first: dt.date) -> list[tuple[int, str]]:
    """The finding 缺少考勤 (docs/policy.md §11) of a county that requires confirmed attendance
    (County.attendance_required): the placements of `active` paid for some day of the month
    (within their subsidy period) without a confirmed record of it, each with the sentence naming
    the person and the village. One query, whatever the number of holders. Their line is still a
    full month; approval waits until the township records or confirms the month and it is
    computed again, or finance resolves the finding with a note."""
    confirmed = Attendance.objects.filter(placement=OuterRef("pk"), month=first, confirmed_at__isnull=False)
    missing = active.filter(subsidy_until__gte=first).filter(~Exists(confirmed))
    rows = missing.values_list("pk", "person__name", "township__name", "post__village__name")
    return [
        (
            pk,
            f"{township}{village}{name}{first:%Y年%m月}没有经确认的考勤，暂按全月计算：请乡镇（街道）录入或确认后重新计算",
        )
        for pk, name, township, village in rows
    ]
