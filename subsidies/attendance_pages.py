"""What the attendance pages read (docs/policy.md §9.2): the months a village may record, a village's
month as the clerk's grid shows it, the township's villages with their sheets, and the month's
template of a township. Every rule stays in its service (subsidies.attendance for the township's
own records, subsidies.village_attendance for the village's): the pages' writes here only
compose them. The caller has the village or township from the gate (townships.access)."""

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass
from typing import IO

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from openpyxl import Workbook
from openpyxl.styles import Font

from common.retirement import add_months
from common.xlsx import FORMULA_STARTS
from placements.models import Placement
from townships.models import County, Township, Village

from .attendance import AttendanceReport, MonthSheet, attendance_import, closed_counties
from .models import Attendance, AttendanceSheet, PayrollRun
from .months import month_last, month_open_check, on_post_during
from .payroll import policies_in_force
from .village_attendance import (
    HolderMonth,
    VillageMark,
    village_month_record,
    village_month_rows,
    village_month_submit,
)

# The template's columns: those the upload reads (subsidies.attendance COLUMNS and OPTIONAL).
TEMPLATE_COLUMNS = ["序号", "姓名", "身份证号", "村（社区）", "出勤天数", "备注", "暂停发放"]
WITHHELD_YES = "是"
RECENT_MONTHS = 3  # months a village user is offered: the latest ones open


def latest_open_month(today: dt.date) -> dt.date:
    """The latest month that takes attendance on `today` (docs/policy.md §6.5)."""
    month = today.replace(day=1)
    try:
        month_open_check(month, today)
    except ValidationError:
        month = add_months(month, -1)
    return month


def open_months(county: County, today: dt.date) -> list[dt.date]:
    """The latest months a village records (newest first): begun (§6.5) and not approved or
    locked in the county (an approved month takes no attendance, a locked one only the township's
    corrections, §9.2). One query."""
    latest = latest_open_month(today)
    months = [add_months(latest, -n) for n in range(RECENT_MONTHS)]
    final = (PayrollRun.State.APPROVED, PayrollRun.State.LOCKED)
    closed = set(
        PayrollRun.objects.filter(county=county, month__in=months, state__in=final).values_list(
            "month", flat=True
        )
    )
    return [m for m in months if m not in closed]


def month_closed(county: County, month: dt.date) -> str:
    """'approved' or 'locked' when the county's run of `month` is, else ''. One query."""
    return closed_counties(month).get(county.pk, "")


def required_days(county: County, month: dt.date, lines: set[str]) -> dict[str, int]:
    """Per line, the required days of the policy in force in `month` (none: the month's length).
    One query per line."""
    found = {}
    for line in lines:
        days = policies_in_force(county, line, month).values_list("required_days", flat=True).first()
        found[line] = days or month_last(month).day
    return found


@dataclass(frozen=True)
class GridRow:
    """One holder's row of a village's month: what the page shows."""

    holder: HolderMonth
    required: int
    recorded_by: str
    confirmed_by: str

    @property
    def placement(self) -> Placement:
        return self.holder.placement

    @property
    def record(self) -> Attendance | None:
        return self.holder.record


@dataclass(frozen=True)
class VillageMonth:
    village: Village
    month: dt.date
    sheet: AttendanceSheet | None
    rows: list[GridRow]
    closed: str  # the county's run of the month: "approved", "locked" or ""

    @property
    def state(self) -> str:
        return self.sheet.state if self.sheet else AttendanceSheet.State.FILLING

    @property
    def state_label(self) -> str:
        return AttendanceSheet.State(self.state).label

    @property
    def recorded(self) -> int:
        return sum(1 for row in self.rows if row.record is not None)

    @property
    def days(self) -> list[str]:
        """The month's days, "1" to "31", as the day boxes' values."""
        return [str(d) for d in range(1, month_last(self.month).day + 1)]

    @property
    def editable_by_village(self) -> bool:
        """Whether the village may still record (the service decides; the page offers)."""
        recordable = (AttendanceSheet.State.FILLING, AttendanceSheet.State.RETURNED)
        return self.state in recordable and not self.closed


def village_month(village: Village, month: dt.date) -> VillageMonth:
    """A village's month: its sheet, its holders on post (by name) with their records, the
    required days and who recorded and confirmed each. Six queries, whatever the number of
    holders (village_month_rows two, users one, policies one per line, sheet, runs)."""
    rows = village_month_rows(village=village, month=month)
    users = {r.record.recorded_by_id for r in rows if r.record} | {
        r.record.confirmed_by_id for r in rows if r.record and r.record.confirmed_by_id
    }
    names = dict(User.objects.filter(pk__in=users).values_list("pk", "username")) if users else {}
    county = village.township.county
    required = required_days(county, month, {r.placement.line for r in rows})
    grid = [
        GridRow(
            holder=row,
            required=required[row.placement.line],
            recorded_by=names.get(row.record.recorded_by_id, "") if row.record else "",
            confirmed_by=names.get(row.record.confirmed_by_id or 0, "") if row.record else "",
        )
        for row in rows
    ]
    sheet = AttendanceSheet.objects.filter(village=village, month=month).first()
    return VillageMonth(village, month, sheet, grid, month_closed(county, month))


@dataclass(frozen=True)
class VillageSummary:
    village: Village
    holders: int
    recorded: int
    confirmed: int
    sheet: AttendanceSheet | None

    @property
    def state_label(self) -> str:
        return self.sheet.get_state_display() if self.sheet else "未填报"


def township_villages(township: Township, month: dt.date) -> list[VillageSummary]:
    """The township's villages with holders on post in `month`, or a sheet of it: holders,
    records, confirmed records and the sheet. Four queries."""
    on_post = Counter(
        dict(
            on_post_during(month)
            .filter(township=township)
            .values_list("post__village")
            .annotate(n=Count("pk"))
            .values_list("post__village", "n")
        )
    )
    records = Attendance.objects.filter(month=month, placement__township=township)
    recorded: Counter = Counter()
    confirmed: Counter = Counter()
    for village_id, is_confirmed in records.values_list("placement__post__village", "confirmed_at"):
        recorded[village_id] += 1
        confirmed[village_id] += is_confirmed is not None
    sheets = {
        s.village_id: s for s in AttendanceSheet.objects.filter(village__township=township, month=month)
    }
    villages = township.villages.order_by("name")
    return [
        VillageSummary(v, on_post[v.pk], recorded[v.pk], confirmed[v.pk], sheets.get(v.pk))
        for v in villages
        if on_post[v.pk] or v.pk in sheets
    ]


# -- the village's page ---------------------------------------------------------------------


@transaction.atomic
def village_month_send(
    *, actor: User, village: Village, month: dt.date, marks: list[VillageMark], submit: bool
) -> AttendanceSheet | None:
    """The village page's one POST: record `marks` (when any), then submit the month when asked;
    all or nothing (a refused submission keeps nothing of what was recorded with it). The sheet,
    or None when there was nothing to record and nothing to submit."""
    sheet = None
    if marks:
        sheet = village_month_record(actor=actor, village=village, month=month, marks=marks)
    if submit:
        sheet = village_month_submit(actor=actor, village=village, month=month)
    return sheet


# -- the township's template and the clerk's grid ------------------------------------------


def _text(ws, row: int, column: int, value: str) -> None:
    """Text stays text (a leading = + - @ is never a formula), formatted as text for editing."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    cell.number_format = "@"


def sheet_write(rows: list[list[str]], target: IO[bytes] | str, title: str) -> None:
    """An attendance sheet (TEMPLATE_COLUMNS) of `rows`, headers in the first row as the upload
    reads them, every cell text."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(TEMPLATE_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFG", (6, 10, 22, 16, 10, 30, 10), strict=True):
        ws.column_dimensions[letter].width = width
    for number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            _text(ws, number, column, value)
    wb.save(target)


def template_rows(township: Township, month: dt.date) -> list[list[str]]:
    """The township's holders on post in `month` (by village, then name), each with the month as
    it stands: the confirmed record (or a locked month's line), else the village's unconfirmed
    record, else the required days (what no record pays). Uploaded back unchanged, it changes
    nothing that counts. Seven queries."""
    sheet = MonthSheet(township, month, keeps_withheld=False)
    placements = list(sheet.placements.values())
    ids = [p.pk for p in placements]
    villages = dict(Placement.objects.filter(pk__in=ids).values_list("pk", "post__village__name"))
    drafts = {
        a.placement_id: (a.days, a.withheld, a.note)
        for a in Attendance.objects.filter(month=month, placement_id__in=ids, confirmed_at__isnull=True)
    }
    required = required_days(township.county, month, {p.line for p in placements})
    placements.sort(key=lambda p: (villages.get(p.pk) or "", p.person.name, p.person.id_number))
    rows = []
    for number, p in enumerate(placements, start=1):
        days, withheld, note = sheet.baseline.get(p.pk) or drafts.get(p.pk) or (required[p.line], False, "")
        rows.append(
            [
                str(number),
                p.person.name,
                p.person.id_number,
                villages.get(p.pk) or "",
                str(days),
                note,
                WITHHELD_YES if withheld else "",
            ]
        )
    return rows


@dataclass(frozen=True)
class GridEntry:
    """One row the clerk changed in the grid."""

    placement: Placement
    days: int | None
    withheld: bool
    note: str


def grid_save(*, actor: User, village: Village, month: dt.date, entries: list[GridEntry]) -> AttendanceReport:
    """The clerk's changed rows of a village's month, saved as the township's upload saves a
    sheet (subsidies.attendance.attendance_import: the same checks, confirmed at entry, all or
    nothing, a locked month's corrections with their reason). Each problem's row is 2 + the
    entry's index."""
    rows = [
        [
            str(number),
            e.placement.person.name,
            e.placement.person.id_number,
            village.name,
            "" if e.days is None else str(e.days),
            e.note,
            WITHHELD_YES if e.withheld else "",
        ]
        for number, e in enumerate(entries, start=1)
    ]
    buffer = io.BytesIO()
    sheet_write(rows, buffer, "考勤")
    buffer.seek(0)
    return attendance_import(township=village.township, month=month, source=buffer, actor=actor)
