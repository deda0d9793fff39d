"""The one safe spreadsheet writer. Exports only yield rows; this turns them into .xlsx with
XlsxWriter in constant-memory mode: each row goes to disk as it is written, so memory stays flat
for a 100,000-line payroll, and the cost per cell stays close to the bare writer's.

- Text is always written as text: ID and bank numbers keep leading zeros and the X.
- Text starting with = + - @ (or a tab/CR) gets a quote prefix so Excel never runs it as a formula.
- Money columns are numbers with two decimals; dates are real dates. Floats are refused: money is
  Decimal from the database to the cell.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.utils import timezone
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"


@dataclass
class Sheet:
    name: str
    title: str
    headers: list[str]
    rows: Iterable[Sequence[Any]]
    totals: Sequence[Any] | None = None
    money_columns: set[int] = field(default_factory=set)
    widths: dict[int, int] = field(default_factory=dict)
    signatures: bool = False
    subtitle: str = ""


class Styles:
    """The workbook's formats, made once (XlsxWriter shares them between cells): plain and
    bold, each as text, quoted text, number, money, date and date-time."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        box = {"border": 1, "border_color": "#999999"}
        kinds = {
            "text": {},
            "quoted": {"quote_prefix": True},
            "number": {},
            "money": {"num_format": MONEY_FORMAT},
            "date": {"num_format": "yyyy-mm-dd"},
            "datetime": {"num_format": "yyyy-mm-dd hh:mm"},
        }
        self.plain = {k: wb.add_format({**box, **v}) for k, v in kinds.items()}
        self.bold = {k: wb.add_format({**box, **v, "bold": True}) for k, v in kinds.items()}
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd"})


def _write_row(
    ws: Worksheet, row: int, values: Sequence[Any], money: set[int], formats: dict[str, Format]
) -> None:
    for col, value in enumerate(values):
        kind = type(value)
        if kind is str and value:
            ws.write_string(
                row, col, value, formats["quoted" if value.startswith(FORMULA_STARTS) else "text"]
            )
        elif kind is Decimal or kind is int:
            ws.write_number(row, col, value, formats["money" if col in money else "number"])
        elif value is None or value == "":
            ws.write_blank(row, col, None, formats["text"])
        elif kind is float:
            raise TypeError("float values are not written: money must be Decimal")
        elif kind is bool:
            ws.write_boolean(row, col, value, formats["text"])
        elif kind is dt.datetime:
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            ws.write_datetime(row, col, local.replace(tzinfo=None), formats["datetime"])
        elif kind is dt.date:
            ws.write_datetime(row, col, value, formats["date"])
        else:
            ws.write_string(row, col, str(value), formats["text"])


def _write_sheet(wb: xlsxwriter.Workbook, styles: Styles, sheet: Sheet) -> int:
    ws = wb.add_worksheet(sheet.name[:31])
    for index, width in sheet.widths.items():
        ws.set_column(index, index, width)
    ws.write_string(0, 0, sheet.title, styles.title)
    row = 1
    if sheet.subtitle:
        ws.write_string(row, 0, sheet.subtitle)
        row += 1
    _write_row(ws, row, sheet.headers, set(), styles.bold)
    count = 0
    for count, values in enumerate(sheet.rows, start=1):
        _write_row(ws, row + count, values, sheet.money_columns, styles.plain)
    row += count + 1
    if sheet.totals is not None:
        _write_row(ws, row, sheet.totals, sheet.money_columns, styles.bold)
        row += 1
    if sheet.signatures:
        row += 1
        for col, text in ((0, "制表人："), (2, "审核人："), (4, "日期：")):
            ws.write_string(row, col, text)
        ws.write_datetime(row, 5, timezone.localdate(), styles.date)
    return count


def write_workbook(target: str | IO[bytes], sheets: Iterable[Sheet]) -> int:
    """Write the sheets to a path or binary stream; returns the number of data rows written."""
    wb = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    styles = Styles(wb)
    try:
        return sum(_write_sheet(wb, styles, sheet) for sheet in sheets)
    finally:
        wb.close()
