"""The payroll workbook (发放表): a summary sheet and one sheet per township, streamed through
the safe writer (IDs and bank numbers as text, formulas neutralised, money as numbers with two
decimals, a totals row and the 制表人/审核人/日期 line). An unlocked month is marked 草稿."""

from collections.abc import Iterator
from decimal import Decimal
from typing import IO

from django.db import transaction
from django.db.models import Count, Sum

from common.idcard import mask_id_number
from common.xlsx import Sheet, write_workbook
from townships.models import Line, Township

from .models import PayrollLine, PayrollRun

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


def township_lines(run: PayrollRun, township: Township, *, full: bool = True) -> Iterator[list]:
    """The township's payroll lines as rows under HEADERS (one query, streamed in chunks of 2,000);
    the workbook and the printable sheet both list these. ID and bank numbers are whole only when
    `full` (finance pays from them); otherwise masked as on the pages."""
    rows = (
        PayrollLine.objects.filter(run=run, township=township)
        .order_by("placement__post__village__name", "placement__person__name", "id")
        .values_list(
            "placement__post__village__name",
            "placement__person__name",
            "placement__person__id_number",
            "line",
            "placement__post__duty__name",
            "days_attended",
            "pay",
            "province",
            "city",
            "district",
            "placement__person__bank_account",
            "placement__person__bank_name",
            "note",
            "kind",
        )
    )
    for number, row in enumerate(rows.iterator(chunk_size=2000), start=1):
        (
            village,
            name,
            id_number,
            line,
            duty,
            days,
            pay,
            province,
            city,
            district,
            bank,
            bank_name,
            note,
            kind,
        ) = row
        label = {"back_pay": "补发", "recovery": "扣回"}.get(kind, "")
        if not full:
            id_number, bank = mask_id_number(id_number), mask_id_number(bank) if bank else bank
        yield [
            number,
            township.name,
            village,
            name,
            id_number,
            LINES[line],
            duty,
            days,
            pay,
            province,
            city,
            district,
            bank,
            bank_name,
            f"{label} {note}".strip(),
        ]


def township_totals(run: PayrollRun) -> dict[int, dict]:
    """Per township id: people, lines and the four amounts summed by the database (one query)."""
    sums = PayrollLine.objects.filter(run=run).values("township_id")
    sums = sums.annotate(
        people=Count("placement", distinct=True),
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
    for town in townships:
        sheets.append(
            Sheet(
                name=town.name,
                title=f"{title(run)}——{town.name}",
                headers=HEADERS,
                rows=township_lines(run, town, full=full),
                count=totals[town.pk]["lines"] if town.pk in totals else 0,
                totals=["合计", "", "", "", "", "", "", "", *amounts(totals.get(town.pk)), "", "", ""],
                money_columns=MONEY,
                number_columns={0, 7},
                widths={2: 14, 3: 10, 4: 21, 6: 16, 12: 22, 13: 14},
                signatures=True,
            )
        )
    with transaction.atomic():  # rows stream from server-side cursors instead of being held whole
        write_workbook(target, sheets)
    return sum(totals[t.pk]["lines"] for t in townships if t.pk in totals)
