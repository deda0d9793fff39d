"""Attendance (考勤): a township's month sheet (身份证号, 出勤天数, 备注), all or nothing, only for
people on post that month in the clerk's township; and single records from the page. The sheet
is imported through the one pipeline (common.imports): read once, each row checked once against
what the month stands at, then every record written in one transaction."""

import datetime as dt
from dataclasses import dataclass, field
from typing import IO

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit import record as audit
from common import imports
from common.bulk import insert_rows, update_rows
from common.retirement import add_months
from common.sheets import CellProblem, Table
from placements.models import Placement
from townships.access import Act, act_check, is_agency
from townships.models import Township, Village

from .models import Attendance, PayrollLine, PayrollRun
from .months import month_last, month_open_check, on_post_during

COLUMNS = ["身份证号", "出勤天数"]
# 村（社区）: the downloaded template carries it (subsidies.attendance_pages); read, not judged
OPTIONAL = ["备注", "姓名", "序号", "暂停发放", "村（社区）"]
MAX_DAYS = 31


@dataclass
class AttendanceReport:
    saved: int = 0
    corrections: int = 0  # of those, records of a locked month: paid or recovered in a later month
    problems: list[CellProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def on_post_in(
    township: Township | None, month: dt.date, village: Village | None = None
) -> dict[str, Placement]:
    """Placements on post at some day of `month` (of one township, or anywhere; of the posts of one
    village), by ID number."""
    placements = on_post_during(month)
    if township is not None:
        placements = placements.filter(township=township)
    if village is not None:
        placements = placements.filter(post__village=village)
    return {p.person.id_number: p for p in placements.select_related("person", "township", "post")}


def closed_counties(month: dt.date) -> dict[int, str]:
    """Counties whose run of `month` is approved or locked, with that state. An approved month
    takes no attendance; a locked one takes corrections (docs/policy.md §9.7: the month never changes,
    the difference becomes a 补发/扣回 line of a later month)."""
    final = (PayrollRun.State.APPROVED, PayrollRun.State.LOCKED)
    return dict(PayrollRun.objects.filter(month=month, state__in=final).values_list("county_id", "state"))


def correctable(county_id: int, month: dt.date) -> bool:
    """Whether a correction of locked `month` can still be settled: the county's next month to
    compute (the first later run not locked, else the month after its last locked one) must be
    within the 12 months whose locked months a computation corrects (payroll.locked_before).
    Two queries; callers ask once per county."""
    later = PayrollRun.objects.filter(county_id=county_id, month__gt=month)
    final = (PayrollRun.State.APPROVED, PayrollRun.State.LOCKED)  # an approved run is not recomputed
    open_run = later.exclude(state__in=final).order_by("month").first()
    if open_run is not None:
        next_month = open_run.month
    else:
        last = later.order_by("-month").first()
        next_month = add_months(last.month if last else month, 1)
    return next_month <= add_months(month, 12)


def _days(text: str) -> int | None:
    """The whole number of days written in a cell, or None. Only decimal digits: str.isdigit()
    also passes "²" or "①", which int() refuses; and a cell of thousands of digits would pass
    Python's limit on converting long digit strings."""
    digits = text.strip()
    if not digits.isdecimal() or len(digits.lstrip("0")) > 2:
        return None
    return int(digits)


@dataclass(frozen=True)
class Mark:
    """A checked row: the attendance to record for a placement."""

    row: int
    placement_id: int
    days: int
    withheld: bool
    note: str


class AttendanceImporter(imports.Importer[Mark]):
    """One month's sheet, of a township (a clerk's upload) or of anyone on post (the county's
    command)."""

    required = COLUMNS
    optional = OPTIONAL

    def __init__(self, *, township: Township | None, month: dt.date, actor: User) -> None:
        self.township, self.month, self.actor = township, month, actor
        self.seen: dict[str, int] = {}

    def prepare(self, table: Table) -> None:
        self.sheet = MonthSheet(self.township, self.month, keeps_withheld="暂停发放" not in table.headers)

    def row(self, cells: imports.Cells) -> Mark | None:
        id_number = cells.id_number_once(self.seen)
        return None if id_number is None else self.sheet.row(cells, id_number)

    def write(self, rows: list[Mark]) -> None:
        """Records that change; a record the sheet gives again as it is keeps its time, so that a
        computed month stays current. The township's records are confirmed as they are made
        (docs/policy.md §9.2): one replacing a village's unconfirmed record confirms it."""
        placements = {p.pk: p for p in self.sheet.placements.values()}
        records = [Record(placements[m.placement_id], m.days, m.withheld, m.note) for m in rows]
        records_write(self.month, records, actor=self.actor, confirmed=True)


@dataclass(frozen=True)
class Record:
    """A month's attendance of a placement as a user gives it (the placement read with its person
    and post: the audit entry names them)."""

    placement: Placement
    days: int
    withheld: bool
    note: str
    presence: str = ""  # one mark a day, where the village ticked the days; "" not given


# what an audit entry of a record holds, as a single save records it (audit/registry.py leaves
# out the times)
AUDITED = ("days", "withheld", "note", "presence", "recorded_by", "confirmed_by")
WRITTEN = [f"{name}_id" if name.endswith("_by") else name for name in AUDITED]  # their columns


def records_write(month: dt.date, records: list[Record], *, actor: User, confirmed: bool) -> int:
    """Write some records of `month` at once, the township's confirmed as they are made, a
    village's waiting for confirmation (docs/policy.md §9.2). A record given again as it stands
    keeps its time, so that a computed month stays current (a township's record given without
    the day marks keeps the village's). The rows go in bulk, each change recorded on its placement
    in the audit log as a single save would be (audit.record): a village's 60 records were
    some 250 queries saved one by one. The caller has checked them and holds the transaction.
    Returns how many records were written."""
    now = timezone.now()
    confirmer = actor.pk if confirmed else None
    stored = Attendance.objects.select_for_update().filter(
        month=month, placement_id__in=[r.placement.pk for r in records]
    )
    kept = {
        row[1]: row for row in stored.order_by().values_list("pk", "placement_id", *WRITTEN, "confirmed_at")
    }
    updates: list[tuple[object, ...]] = []
    inserts: list[tuple[object, ...]] = []
    changes: list[tuple[int | None, Record, dict[str, object] | None, dict[str, object]]] = []
    for record in records:
        values = (
            record.days,
            record.withheld,
            record.note,
            record.presence,
            actor.pk,
            confirmer,
        )
        row = kept.get(record.placement.pk)
        if row is not None:
            same = row[2:5] == values[:3] and (row[-1] is not None) == confirmed
            if same and (not record.presence or row[5] == record.presence):
                continue
            before: dict[str, object] = dict(zip(AUDITED, row[2:8], strict=True))
            after: dict[str, object] = dict(zip(AUDITED, values, strict=True))
            updates.append((row[0], *after.values(), now if confirmed else None, now))
            changes.append((row[0], record, before, after))
        else:
            inserts.append((record.placement.pk, month, *values, now if confirmed else None))
            changes.append(
                (
                    None,
                    record,
                    None,
                    {
                        "placement": record.placement.pk,
                        "month": month,
                        **dict(zip(AUDITED, values, strict=True)),
                    },
                )
            )
    update_rows(
        Attendance,
        ["id", *WRITTEN, "confirmed_at", "recorded_at"],
        updates,
    )
    insert_rows(
        Attendance,
        ["placement_id", "month", *WRITTEN, "confirmed_at"],
        inserts,
    )
    made = {}
    if inserts:
        fresh = Attendance.objects.filter(month=month, placement_id__in=[row[0] for row in inserts])
        made = dict(fresh.order_by().values_list("placement_id", "pk"))
    audit.write(
        Attendance,
        [
            audit.Change(
                pk or made[record.placement.pk],
                f"{record.placement} {month:%Y-%m} {record.days}天",
                before,
                after,
                record.placement.township_id,
                None,
                audit.subject(Placement, record.placement.pk),
            )
            for pk, record, before, after in changes
        ],
    )
    return len(changes)


def attendance_import(
    *, township: Township | None, month: dt.date, source: str | IO[bytes], actor: User, dry_run: bool = False
) -> AttendanceReport:
    """All or nothing. With a township (a clerk's upload) only its people on post that month;
    without (the county's command) anyone on post that month. A dry run writes nothing."""
    report = AttendanceReport()
    try:
        month_open_check(month)
        if township is not None and is_agency(actor):  # a contracted agency, on the day of entry (§1.5)
            act_check(actor, Act.ATTENDANCE, township, timezone.localdate())
    except ValidationError as exc:
        report.problems.append(CellProblem(1, "", "；".join(exc.messages)))
        return report
    importer = AttendanceImporter(township=township, month=month, actor=actor)
    checked = imports.run(importer, source, dry_run=dry_run)
    report.problems = checked.problems
    if checked.ok:
        report.corrections = importer.sheet.corrections
    if checked.written:
        report.saved = len(checked.rows)
    return report


class MonthSheet:
    """One month's sheet: the placements on post, the state of the month's runs and what each
    placement's attendance stands at, read once for all rows."""

    def __init__(
        self,
        township: Township | None,
        month: dt.date,
        *,
        keeps_withheld: bool,
        village: Village | None = None,
    ) -> None:
        self.month, self.keeps_withheld = month, keeps_withheld
        self.placements = on_post_in(township, month, village)
        self.closed = closed_counties(month)
        self.baseline = _as_paid(month, [p.pk for p in self.placements.values()], locked=bool(self.closed))
        self.settle: dict[int, bool] = {}  # per county: whether a correction can still be settled
        self.where = village.name if village else township.name if township else "本系统"
        self.corrections = 0  # records of a locked month: paid or recovered in a later month

    def row(self, cells: imports.Cells, id_number: str) -> Mark | None:
        """The record to save for the row, or None (a problem, or a locked month's row as it
        stands)."""
        month = self.month
        placement = self.placements.get(id_number)
        if placement is None:
            cells.problem("身份证号", f"该人员{month:%Y年%m月}不在{self.where}的公益性岗位上")
            return None
        state = self.closed.get(placement.township.county_id)
        if state == PayrollRun.State.APPROVED:
            cells.problem("身份证号", f"{month:%Y年%m月}的补贴已审核，考勤不能再修改（锁定后可上传更正）")
            return None
        days = _days(cells["出勤天数"])
        last = month_last(month).day
        if days is None or days > min(MAX_DAYS, last):
            cells.problem("出勤天数", f"出勤天数应为0至{last}的整数")
            return None
        before = self.baseline.get(placement.pk)
        note = cells.text("备注")[:200]
        if self.keeps_withheld:  # a sheet without the column leaves withholding (and its reason) as it is
            withheld = before is not None and before[1]
            note = note or (before[2] if withheld else "")  # type: ignore[index]  # withheld is true only when before is set
        else:
            withheld = cells.text("暂停发放") in ("是", "暂停", "1", "Y", "y")
        if withheld and not note:
            cells.problem("备注", "暂停发放须在备注中写明原因")
            return None
        mark = Mark(cells.number, placement.pk, days, withheld, note)
        if state == PayrollRun.State.LOCKED:
            return self._correction(cells, placement, mark, before)
        return mark

    def _correction(
        self, cells: imports.Cells, placement: Placement, mark: Mark, before: tuple[int, bool, str] | None
    ) -> Mark | None:
        if before is not None and before[:2] == (mark.days, mark.withheld):
            return None  # as paid (or as already corrected): nothing to correct, its note is kept
        county = placement.township.county_id
        if county not in self.settle:
            self.settle[county] = correctable(county, self.month)
        if problem := _correction_problem(self.month, mark.note, self.settle[county]):
            cells.problem("备注", problem)
            return None
        self.corrections += 1
        return mark


def corrected(report: AttendanceReport) -> str:
    """What the clerk is told of the corrections among the saved records."""
    if not report.corrections:
        return ""
    return f"其中{report.corrections}人为已锁定月份的考勤更正，差额将在下一次核算的月份中补发或扣回。"


def _as_paid(month: dt.date, placement_ids: list[int], *, locked: bool) -> dict[int, tuple[int, bool, str]]:
    """Per placement: the attendance (days, withheld, note) the month stands at: its confirmed
    record, or else (when a run of the month is `locked`) what its locked line was computed from."""
    found: dict[int, tuple[int, bool, str]] = {}
    if locked:
        paid = PayrollLine.objects.filter(run__month=month, run__state=PayrollRun.State.LOCKED)
        lines = paid.filter(kind=PayrollLine.Kind.REGULAR, placement_id__any=placement_ids)
        found.update(
            (pk, (days, withheld, note))
            for pk, days, withheld, note in lines.values_list(
                "placement_id", "days_attended", "withheld", "note"
            )
        )
    marks = Attendance.objects.filter(
        month=month, placement_id__any=placement_ids, confirmed_at__isnull=False
    )
    found.update(
        (pk, (d, w, n)) for pk, d, w, n in marks.values_list("placement_id", "days", "withheld", "note")
    )
    return found


def _correction_problem(month: dt.date, note: str, settled: bool) -> str | None:
    """Why a locked month's attendance cannot be corrected this way, or None."""
    if not note:
        return f"{month:%Y年%m月}的补贴已锁定：更正考勤须在备注中写明更正原因（差额在以后月份补发或扣回）"
    if not settled:
        return f"{month:%Y年%m月}距下一个待核算月份已超过12个月，差额无法再补发或扣回，请联系财政部门"
    return None
