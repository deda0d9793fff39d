"""The bank's return (回盘, docs/policy.md §9.11), through the one import pipeline
(common.imports): finance uploads the batch's workbook with a 结果 column (and 失败原因), or the
bank's text file in the batch's layout with 结果 and 失败原因 after the layout's columns. Each row
must name a line of the batch (by 序号, or by 账号 when the layout has no 序号) with its account,
name and amount as sent; 结果 is 成功 or 失败, and a failure gives the bank's reason. The lines a
return names as failed become failed (their items unpaid, to be paid again once the account is
corrected); every other line of the batch is paid. Any wrong row refuses the whole file, named by
its row; nothing is half-applied. A return is applied once."""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from common import imports
from common.bulk import update_rows
from common.imports import Cells, Checked, Importer
from common.sheets import CellProblem, SheetError, Table, normalise_header, read_table
from common.uploads import UploadRefused, read_bounded

from .batches import finance_check, move_check
from .files import columns
from .models import BankLayout, Batch, Item, LayoutColumn, Line

F = LayoutColumn.Field
RESULT, REASON = "结果", "失败原因"
PAID, FAILED = "成功", "失败"
TOTALS = "合计"


@dataclass(frozen=True)
class Outcome:
    line: int
    item: int
    failed: bool
    reason: str


class ReturnImporter(Importer[Outcome]):
    """A return of `batch`, its amounts as the layout writes them (yuan, or whole fen)."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.fen = batch.bank.layout.amount_format == BankLayout.AmountFormat.FEN
        self.header = {c.field: normalise_header(c.header) for c in columns(batch.bank.layout)}
        self.key = F.SEQ if F.SEQ in self.header else F.ACCOUNT
        named = [self.header[f] for f in (F.SEQ, F.ACCOUNT, F.NAME, F.AMOUNT) if f in self.header]
        # the columns are the batch's layout's, so they are the instance's own
        self.required = [*named, RESULT]  # type: ignore[misc]  # Importer declares them per class
        self.optional = [*(h for h in self.header.values() if h not in named), REASON]  # type: ignore[misc]  # as above
        self.lines: dict[str, tuple] = {}
        self.seen: dict[str, int] = {}

    def prepare(self, table: Table) -> None:
        """The batch's lines the file names, by key (one query)."""
        keys = {self._key(values.get(self.header[self.key], "")) for _, values in table.rows}
        field = "seq" if self.key == F.SEQ else "account"
        wanted: list = [int(k) for k in keys if k.isdigit()] if field == "seq" else list(keys)
        found = Line.objects.filter(batch=self.batch, **{f"{field}__in": wanted})
        for line in found.values_list("pk", "item_id", "seq", "account", "name", "amount"):
            self.lines[str(line[2] if field == "seq" else line[3])] = line

    def _key(self, text: str) -> str:
        """序号 as a number (a fixed-width file pads it with zeros), an account as written."""
        text = text.strip()
        return str(int(text)) if self.key == F.SEQ and text.isdigit() else text

    def row(self, cells: Cells) -> Outcome | None:
        first = next(iter(cells.values.values()), "").strip()
        if first == TOTALS:
            return None
        key_header = self.header[self.key]
        key = self._key(cells.text(key_header, required=True))
        line = self.lines.get(key)
        if key and line is None:
            cells.problem(key_header, f"{key_header}「{key}」不在本批次中")
            return None
        if line is None:
            return None
        if key in self.seen:
            cells.problem(key_header, f"与第{self.seen[key]}行重复")
        self.seen.setdefault(key, cells.number)
        self._same(cells, F.ACCOUNT, line[3])
        self._same(cells, F.NAME, line[4])
        self._amount(cells, line[5])
        result = cells.text(RESULT, required=True)
        if result and result not in (PAID, FAILED):
            cells.problem(RESULT, f"结果应为「{PAID}」或「{FAILED}」")
        reason = cells.text(REASON)
        if result == FAILED and not reason:
            cells.problem(REASON, "发放失败的须写明失败原因")
        cells.at_most(REASON, 200)
        return Outcome(line[0], line[1], result == FAILED, reason[:200])

    def _same(self, cells: Cells, field: str, sent: str) -> None:
        header = self.header.get(field)
        if header and cells.text(header) != sent:
            cells.problem(header, f"{header}与批次中的不一致（批次中为「{sent}」）")

    def _amount(self, cells: Cells, sent: Decimal) -> None:
        header = self.header.get(F.AMOUNT)
        if not header:
            return
        text = cells.text(header).replace(",", "")
        try:
            amount = Decimal(text) / 100 if self.fen else Decimal(text)
        except InvalidOperation:
            cells.problem(header, f"{header}「{text}」不是金额")
            return
        if amount != sent:
            cells.problem(header, f"{header}「{text}」与批次中的{sent}元不一致")

    def write(self, rows: list[Outcome]) -> None:
        """Only the failures are written: every other line of the batch, and its item, is paid
        from the batch's state (payments.batches.line_state, item_state)."""
        batch = Batch.objects.select_for_update().get(pk=self.batch.pk)
        move_check(batch, Batch.State.RETURNED)  # again, under the lock: a return applied meanwhile
        failed = [r for r in rows if r.failed]
        update_rows(Line, ["id", "state", "reason"], [[r.line, Line.State.FAILED, r.reason] for r in failed])
        update_rows(Item, ["id", "state", "reason"], [[r.item, Item.State.FAILED, r.reason] for r in failed])
        batch.state, batch.returned_at = Batch.State.RETURNED, timezone.now()
        batch.failed_count, batch.paid_count = len(failed), batch.line_count - len(failed)
        batch.save(update_fields=["state", "returned_at", "failed_count", "paid_count"])


def text_reader(layout: BankLayout) -> imports.Reader:
    """A reader of the bank's text return in `layout` (common.imports' Reader): the layout's
    columns, then 结果 and 失败原因 (delimited: two more fields; fixed-width: the rest of the line,
    结果 then the reason after a space). The first line(s) of totals and headers are skipped."""

    def read(source: str | IO[bytes], *, required: list[str], optional: Sequence[str] = ()) -> Table:
        try:
            data = read_bounded(source)
            text = data.decode(layout.encoding)
        except UploadRefused as exc:
            raise SheetError(str(exc)) from exc
        except UnicodeDecodeError:
            raise SheetError(
                f"无法按{layout.get_encoding_display()}编码读取回盘文件，请确认文件格式"
            ) from None
        cols = columns(layout)
        headers = [normalise_header(c.header) for c in cols] + [RESULT, REASON]
        table = Table(headers=headers)
        skip = int(layout.totals_line) + int(layout.header_line)
        fixed = layout.text_format == BankLayout.TextFormat.FIXED
        for number, raw in enumerate(text.splitlines(), start=1):
            if number <= skip or not raw.strip():
                continue
            fields = _fixed_fields(raw, cols, layout.encoding) if fixed else raw.split(layout.delimiter)
            if len(fields) < len(cols):
                table.problems.append(
                    CellProblem(number, "", f"第{number}行的字段数不对：应有{len(cols)}列及结果、失败原因")
                )
                continue
            fields += [""] * (len(cols) + 2 - len(fields))  # no 结果 or reason: named by the row check
            fields = [*fields[: len(cols) + 1], layout.delimiter.join(fields[len(cols) + 1 :])]
            table.rows.append((number, {h: f.strip() for h, f in zip(headers, fields, strict=True)}))
        return table

    return read


def _fixed_fields(raw: str, cols: list[LayoutColumn], encoding: str) -> list[str]:
    data = raw.encode(encoding)
    fields, at = [], 0
    for col in cols:
        fields.append(data[at : at + col.width].decode(encoding, errors="replace"))
        at += col.width
    rest = data[at:].decode(encoding, errors="replace").strip().split(maxsplit=1)
    return fields + rest if rest else fields


def is_text(data: bytes) -> bool:
    """A workbook is a zip (.xlsx) or an OLE file (.xls); anything else is read as text."""
    return not (data.startswith(b"PK") or data.startswith(b"\xd0\xcf\x11\xe0"))


def return_check(*, batch: Batch, source: IO[bytes]) -> tuple[ReturnImporter, Checked[Outcome], io.BytesIO]:
    """Read and check a return of `batch` (nothing written): its importer, the checked rows and
    the file kept in memory for the commit."""
    move_check(batch, Batch.State.RETURNED)
    data = io.BytesIO(read_bounded(source))
    text = is_text(data.getvalue())
    layout = batch.bank.layout
    importer = ReturnImporter(batch)
    checked = imports.check(importer, data, reader=text_reader(layout) if text else read_table)
    return importer, checked, data


@transaction.atomic
def return_apply(*, batch: Batch, source: IO[bytes], actor: User) -> Checked[Outcome]:
    """Check the return and, when every row is right, apply it in one transaction."""
    finance_check(actor, batch.county_id, "导入回盘文件")
    importer, checked, _ = return_check(batch=batch, source=source)
    imports.commit(importer, checked)
    return checked
