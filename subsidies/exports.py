"""The payroll workbook (发放表): a summary sheet and one sheet per township, streamed through
the safe writer (IDs and bank numbers as text, formulas neutralised, money as numbers with two
decimals, a totals row and the 制表人/审核人/日期 line). An unlocked month is marked 草稿."""

import itertools
import operator
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO

from django.db import connection, transaction
from django.db.models import Count, Sum

from common.idcard import mask_id_number
from common.xlsx import Sheet, write_workbook
from townships.models import Line, Township

from .models import PayrollLine, PayrollRun, people_paid

HEADERS = [
    "序号",
    "镇街",
    "村（社区）",
    "姓名",
    "身份证号",
    "岗位类型",
    "岗位名称",
    "出勤天数",
    "补贴金额",
    "省级承担",
    "市级承担",
    "区级承担",
    "银行账号",
    "开户银行",
    "备注",
]
MONEY = {8, 9, 10, 11}
LINES = dict(Line.choices)
ZERO = Decimal("0.00")


def title(run: PayrollRun) -> str:
    draft = "" if run.state == PayrollRun.State.LOCKED else "（草稿，未锁定）"
    return f"{run.county.name}{run.month:%Y年%m月}城乡公益性岗位补贴发放表{draft}"


# The payee: the person's values while the month is open, and those frozen on the line at the
# lock once it is locked (payroll.payees_freeze), so a locked month's files never change.
LIVE_PAYEE = (
    "placement__person__name", "placement__person__id_number",
    "placement__person__bank_account", "placement__person__bank_name",
)  # fmt: skip
FROZEN_PAYEE = ("payee_name", "payee_id_number", "bank_account", "bank_name")
KIND_LABEL = {"back_pay": "补发", "recovery": "扣回"}


def line_values(run: PayrollRun) -> tuple[str, ...]:
    """The values of a line the workbook and the printed sheet read, in _rows' order."""
    name, id_number, bank, bank_name = FROZEN_PAYEE if run.state == PayrollRun.State.LOCKED else LIVE_PAYEE
    return (
        "township_id", "placement__post__village__name", name, id_number, "line",
        "placement__post__duty__name", "days_attended", "pay", "province", "city", "district",
        bank, bank_name, "note", "kind",
    )  # fmt: skip


def _lines(run: PayrollRun, townships: list[Township]) -> Iterator[tuple]:
    """The lines of `townships` (of the run's county only) as line_values, by township code,
    village, name: one query, streamed from a server-side cursor in chunks of 2,000."""
    lines = PayrollLine.objects.filter(run=run, township__in=townships, township__county_id=run.county_id)
    order = ("township__code", "placement__post__village__name", line_values(run)[2], "id")
    return lines.order_by(*order).values_list(*line_values(run)).iterator(chunk_size=2000)


def _rows(township: Township, lines: Iterable[tuple], full: bool) -> Iterator[list]:
    """Rows under HEADERS, numbered from 1. ID and bank numbers are whole only when `full`
    (finance pays from them); otherwise masked as on the pages."""
    name = township.name
    for number, line in enumerate(lines, start=1):
        _, village, person, id_number, kind_of_post, duty, days, pay, province, city, district = line[:11]
        bank, bank_name, note, kind = line[11:]
        if not full:
            id_number, bank = mask_id_number(id_number), mask_id_number(bank) if bank else bank
        label = KIND_LABEL.get(kind, "")
        yield [
            number, name, village, person, id_number, LINES[kind_of_post], duty, days, pay, province, city,
            district, bank, bank_name, f"{label} {note}".strip(),
        ]  # fmt: skip


def township_lines(run: PayrollRun, township: Township, *, full: bool = True) -> Iterator[list]:
    """One township's payroll lines as rows under HEADERS (the printable sheet lists these)."""
    return _rows(township, _lines(run, [township]), full)


def townships_lines(run: PayrollRun, townships: list[Township], *, full: bool = True) -> list[Iterator[list]]:
    """The rows of each township in turn, all from one query: a sheet's rows are read while it is
    written, so the sheets must be written in the order of `townships` (by code)."""
    grouped = itertools.groupby(_lines(run, townships), key=operator.itemgetter(0))

    def rows(township: Township) -> Iterator[list]:
        for township_id, lines in grouped:
            if township_id == township.pk:
                yield from _rows(township, lines, full)
                return

    return [rows(town) for town in townships]


def township_totals(run: PayrollRun) -> dict[int, dict]:
    """Per township id: people, lines and the four amounts summed by the database (one query)."""
    sums = PayrollLine.objects.filter(run=run, township__county_id=run.county_id).values("township_id")
    sums = sums.annotate(
        people=people_paid(),
        lines=Count("id"),
        pay=Sum("pay"),
        province=Sum("province"),
        city=Sum("city"),
        district=Sum("district"),
    )
    return {row["township_id"]: row for row in sums}


def sheet_townships(run: PayrollRun, totals: dict[int, dict], township: Township | None) -> list[Township]:
    """The townships a sheet covers: the one asked for, or every township with lines, by code."""
    if township is not None:
        return [township]
    return list(run.county.townships.filter(pk__in=totals).order_by("code"))


def payroll_workbook_write(
    *, run: PayrollRun, target: str | IO[bytes], township: Township | None = None, full: bool = True
) -> int:
    """Write the run's workbook (or one township's); returns the number of payroll lines. ID and
    bank numbers are whole only when `full` (township_lines)."""
    totals = township_totals(run)
    townships = sheet_townships(run, totals, township)
    money = ("pay", "province", "city", "district")

    def amounts(row: dict | None) -> list[Decimal]:
        return [(row or {}).get(k) or ZERO for k in money]

    summary_rows = [[t.code, t.name, totals[t.pk]["people"], *amounts(totals[t.pk])] for t in townships]
    grand = [sum((r[i] for r in summary_rows), ZERO) for i in range(3, 7)]
    sheets = [
        Sheet(
            name="汇总",
            title=title(run),
            headers=["镇街代码", "镇街", "人数", "补贴金额", "省级承担", "市级承担", "区级承担"],
            rows=summary_rows,
            totals=["合计", "", sum(r[2] for r in summary_rows), *grand],
            money_columns={3, 4, 5, 6},
            widths={0: 12, 1: 14},
            signatures=True,
        )
    ]
    for town, rows in zip(townships, townships_lines(run, townships, full=full), strict=True):
        sheets.append(
            Sheet(
                name=town.name,
                title=f"{title(run)}——{town.name}",
                headers=HEADERS,
                rows=rows,
                count=totals[town.pk]["lines"] if town.pk in totals else 0,
                totals=["合计", "", "", "", "", "", "", "", *amounts(totals.get(town.pk)), "", "", ""],
                money_columns=MONEY,
                number_columns={0, 7},
                widths={2: 14, 3: 10, 4: 21, 6: 16, 12: 22, 13: 14},
                signatures=True,
            )
        )
    with transaction.atomic():  # rows stream from a server-side cursor instead of being held whole
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")  # the query's sort in memory, not in files
                # A cursor is planned for its first rows (cursor_tuple_fraction 0.1): an incremental
                # sort over nested loops, 1.4 s for 100,000 lines here. Every row is read: plan for
                # all of them (hash joins and one sort, 0.8 s).
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1")
        write_workbook(target, sheets)
    return sum(totals[t.pk]["lines"] for t in townships if t.pk in totals)
