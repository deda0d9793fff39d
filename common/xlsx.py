"""The one safe spreadsheet writer. Exports only yield rows; this turns them into .xlsx in
openpyxl's streaming (write-only) mode, so memory stays flat for large files.

- Text is always written as text: ID and bank numbers keep leading zeros and the X.
- Text starting with = + - @ (or a tab/CR) gets a quote prefix so Excel never runs it as a formula.
- Money columns are numbers with two decimals; dates are real dates.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


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


def _cell(ws: WriteOnlyWorksheet, value: Any, *, money: bool = False, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=None)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # never a formula, never a number
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    elif isinstance(value, float):
        raise TypeError("float values are not written: money must be Decimal")
    elif isinstance(value, Decimal):
        cell.value = value
        cell.number_format = "#,##0.00" if money else "General"
    elif isinstance(value, dt.datetime | dt.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(value, dt.datetime) else "yyyy-mm-dd"
    else:
        cell.value = value
        if money and value is not None:
            cell.number_format = "#,##0.00"
    cell.border = BOX
    if bold:
        cell.font = Font(bold=True)
    return cell


def _row(ws: WriteOnlyWorksheet, values: Sequence[Any], sheet: Sheet, *, bold: bool = False) -> list:
    return [_cell(ws, v, money=i in sheet.money_columns, bold=bold) for i, v in enumerate(values)]


def _write_sheet(wb: Workbook, sheet: Sheet) -> int:
    ws = wb.create_sheet(title=sheet.name[:31])
    for index, width in sheet.widths.items():
        ws.column_dimensions[chr(ord("A") + index)].width = width
    title = WriteOnlyCell(ws, value=sheet.title)
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="left")
    ws.append([title])
    if sheet.subtitle:
        ws.append([_cell(ws, sheet.subtitle)])
    ws.append([_cell(ws, h, bold=True) for h in sheet.headers])
    count = 0
    for values in sheet.rows:
        ws.append(_row(ws, values, sheet))
        count += 1
    if sheet.totals is not None:
        ws.append(_row(ws, sheet.totals, sheet, bold=True))
    if sheet.signatures:
        ws.append([])
        ws.append(["制表人：", None, "审核人：", None, "日期：", timezone.localdate()])
    return count


def write_workbook(target: str | IO[bytes], sheets: Iterable[Sheet]) -> int:
    """Write the sheets to a path or binary stream; returns the number of data rows written."""
    wb = Workbook(write_only=True)
    total = sum(_write_sheet(wb, sheet) for sheet in sheets)
    wb.save(target)
    return total
