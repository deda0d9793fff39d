"""The files a bank takes for a batch (docs/policy.md §9.11), laid out by the bank's column map
(BankLayout): the workbook (the columns in order under their headers in the first row, account
and ID numbers as text cells, amounts as numbers in yuan, a 合计 row last) and the text file
(fixed-width or delimited, GBK or UTF-8, the layout's date and amount formats, optionally a first
line of 总笔数 and 总金额 and a line of headers). Rows stream from the batch's lines in order."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import IO

from django.core.exceptions import ValidationError

from common.xlsx import Sheet, write_workbook

from .models import BankLayout, Batch, LayoutColumn, Line

F = LayoutColumn.Field
LINE_VALUES = ("seq", "account", "name", "amount", "id_number", "bank_name", "township_name", "village")
NUMBERS = {F.SEQ, F.AMOUNT}  # right-aligned and zero-padded in a fixed-width file


def purpose(batch: Batch) -> str:
    return f"{batch.run.month:%Y年%m月}公益性岗位补贴"


def columns(layout: BankLayout) -> list[LayoutColumn]:
    return list(layout.columns.order_by("position"))


def _lines(batch: Batch) -> Iterator[tuple]:
    return (
        Line.objects.filter(batch=batch).order_by("seq").values_list(*LINE_VALUES).iterator(chunk_size=5000)
    )


def _values(batch: Batch, cols: list[LayoutColumn]) -> Iterator[list]:
    """Each line's values in the layout's order: text, Decimal amounts, the batch's date."""
    at: dict[str, int] = {
        F.SEQ: 0,
        F.ACCOUNT: 1,
        F.NAME: 2,
        F.AMOUNT: 3,
        F.ID_NUMBER: 4,
        F.BANK: 5,
        F.TOWNSHIP: 6,
        F.VILLAGE: 7,
    }
    fixed: dict[str, object] = {
        F.DATE: batch.pay_date.strftime(batch.bank.layout.date_format),
        F.PURPOSE: purpose(batch),
    }
    picks = [(at.get(c.field), fixed.get(c.field)) for c in cols]
    for line in _lines(batch):
        yield [line[i] if i is not None else value for i, value in picks]


def workbook_write(batch: Batch, target: str | IO[bytes]) -> int:
    """The batch's workbook; returns the number of lines."""
    cols = columns(batch.bank.layout)
    kinds = [c.field for c in cols]
    totals: list = [""] * len(cols)
    totals[0] = "合计"
    fen = batch.bank.layout.amount_format == BankLayout.AmountFormat.FEN
    if F.AMOUNT in kinds:
        totals[kinds.index(F.AMOUNT)] = batch.total * 100 if fen else batch.total
    if F.NAME in kinds and kinds.index(F.NAME) != 0:
        totals[kinds.index(F.NAME)] = f"{batch.line_count}笔"
    sheet = Sheet(
        name=batch.bank.name,
        title="",
        headers=[c.header for c in cols],
        rows=_in_fen(_values(batch, cols), kinds.index(F.AMOUNT))
        if fen and F.AMOUNT in kinds
        else _values(batch, cols),
        count=batch.line_count,
        totals=totals,
        money_columns=set() if fen else {i for i, k in enumerate(kinds) if k == F.AMOUNT},
        number_columns={i for i, k in enumerate(kinds) if k in (F.SEQ, F.AMOUNT)},
        widths={i: max(10, min(c.width, 40)) for i, c in enumerate(cols)},
    )
    return write_workbook(target, [sheet])


def _in_fen(rows: Iterator[list], at: int) -> Iterator[list]:
    """Rows with the amount in whole fen (a layout of amounts in fen)."""
    for row in rows:
        row[at] = int(row[at] * 100)
        yield row


def amount_text(amount: Decimal, layout: BankLayout) -> str:
    if layout.amount_format == BankLayout.AmountFormat.FEN:
        return str(int(amount * 100))
    return f"{amount:.2f}"


def _text(value: object, layout: BankLayout, field: str) -> str:
    if field == F.AMOUNT:
        return amount_text(value, layout)  # type: ignore[arg-type]  # the amount column holds Decimals
    if isinstance(value, dt.date):
        return value.strftime(layout.date_format)
    return str(value)


def _fixed(text: str, width: int, number: bool, encoding: str, where: str) -> bytes:
    data = text.encode(encoding)
    if len(data) > width:
        raise ValidationError(f"{where}「{text}」超过定长宽度{width}字节，请区县管理员调整代发文件格式的列宽")
    return data.rjust(width, b"0") if number else data.ljust(width, b" ")


def _encoded(text: str, encoding: str, where: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        raise ValidationError(
            f"{where}「{text}」含有{encoding.upper()}编码不能表示的字，请改用UTF-8格式或更正"
        ) from None


def text_write(batch: Batch, target: IO[bytes]) -> int:
    """The batch's text file, written to a binary stream; returns the number of lines. A value
    that does not fit its width, or a character the encoding lacks, refuses the file (named)."""
    layout = batch.bank.layout
    cols = columns(layout)
    encoding, newline = layout.encoding, b"\r\n"
    fixed = layout.text_format == BankLayout.TextFormat.FIXED
    delimiter = _encoded(layout.delimiter, encoding, "分隔符")
    if layout.totals_line:
        count, total = str(batch.line_count), amount_text(batch.total, layout)
        head = count.rjust(10, "0") + total.rjust(18, "0") if fixed else f"{count}{layout.delimiter}{total}"
        target.write(head.encode(encoding) + newline)
    if layout.header_line:
        headers = [_encoded(c.header, encoding, "列标题") for c in cols]
        target.write(
            (
                b"".join(h.ljust(c.width) for h, c in zip(headers, cols, strict=True))
                if fixed
                else delimiter.join(headers)
            )
            + newline
        )
    written = 0
    for values in _values(batch, cols):
        cells = []
        for col, value in zip(cols, values, strict=True):
            text = _text(value, layout, col.field)
            where = f"第{values[0] if cols[0].field == F.SEQ else written + 1}行{col.header}"
            if fixed:
                cells.append(_fixed(text, col.width, col.field in NUMBERS, encoding, where))
            else:
                if layout.delimiter in text:
                    raise ValidationError(f"{where}「{text}」含有分隔符{layout.delimiter}")
                cells.append(_encoded(text, encoding, where))
        target.write((b"" if fixed else delimiter).join(cells) + newline)
        written += 1
    return written


def file_name(batch: Batch, kind: str) -> str:
    extension = "xlsx" if kind == "xlsx" else "txt"
    return f"payment-{batch.county.code}-{batch.run.month:%Y-%m}-{batch.pk}.{extension}"
