"""The printable payroll sheet (发放表) of a run, for the print page and its PDF: the workbook's
rows (exports.township_lines, the same query) and totals, one section per township, and for the
whole county a summary first, as the workbook's 汇总 sheet. An unlocked month is marked 草稿.

A page holds every line at once (the workbook streams), so a sheet above a given number of
lines is refused with a message pointing to the .xlsx."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from townships.models import Township

from .exports import HEADERS, sheet_townships, title, township_lines, township_totals
from .models import PayrollRun

AMOUNTS = ("pay", "province", "city", "district")
ZERO = Decimal("0.00")


@dataclass
class Section:
    township: Township
    rows: list[list]
    people: int
    totals: list[Decimal]  # 补贴金额, 省级承担, 市级承担, 区级承担, as summed by the database


@dataclass
class PayrollSheet:
    run: PayrollRun
    title: str
    draft: bool
    headers: list[str]
    sections: list[Section]
    township: Township | None  # None: the whole county
    made_on: dt.date  # printed beside 制表人/审核人, as on the workbook

    @property
    def people(self) -> int:
        return sum(s.people for s in self.sections)

    @property
    def totals(self) -> list[Decimal]:
        return [sum((s.totals[i] for s in self.sections), ZERO) for i in range(len(AMOUNTS))]


def payroll_sheet(
    *, run: PayrollRun, township: Township | None = None, limit: int, full: bool = True
) -> PayrollSheet:
    """The run's sheet (or one township's). Raises ValidationError above `limit` lines.
    Queries: one aggregate, then one per township listed."""
    totals = township_totals(run)
    townships = sheet_townships(run, totals, township)
    size = sum(totals[t.pk]["lines"] for t in townships if t.pk in totals)
    if size > limit:
        where = "请按镇街分别打印，或下载发放表（.xlsx）" if township is None else "请下载发放表（.xlsx）"
        scope = township.name if township else run.county.name
        month = f"{run.month:%Y年%m月}"
        raise ValidationError(f"{scope}{month}共{size}条发放记录，超过打印上限{limit}条：{where}。")
    sections = []
    for town in townships:
        sums = totals.get(town.pk, {})
        sections.append(
            Section(
                township=town,
                rows=list(township_lines(run, town, full=full)),
                people=sums.get("people", 0),
                totals=[sums.get(key) or ZERO for key in AMOUNTS],
            )
        )
    heading = title(run) if township is None else f"{title(run)}——{township.name}"
    return PayrollSheet(
        run=run,
        title=heading,
        draft=run.state != PayrollRun.State.LOCKED,
        headers=HEADERS,
        sections=sections,
        township=township,
        made_on=timezone.localdate(),
    )
