"""The one import pipeline for spreadsheets (applicants, department rosters, 新老衔接, attendance).

    checked = check(importer, source)    # read once, validate every row once; no database writes
    written = commit(importer, checked)  # all rows in one transaction, or none

`check` reads the file once (common.sheets: calamine, with the size, zip-bomb, extent and formula
checks), then hands each data row to the importer as `Cells` and gets back a typed row, or
nothing with the row's problems by Excel row and column. A preview is that result: the rows and
problems, nothing written. `commit` writes the rows in one transaction; a problem found only
while writing (RowsRefused, a late ValidationError, a database error) rolls all of it back and
is reported like any other. Problems of every importer go to the same error workbook
(common.jobs.problems_result).

An importer gives only its columns, its row check (calling the services' cleaners, so each rule
is written once), and its writer; `prepare` loads what the row checks need for the whole file in
a few queries, and `finish` checks across rows once all are read."""

import datetime as dt
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import IO, ClassVar, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.http import FileResponse

from .idcard import IdNumberError, parse_id_number
from .sheets import CellProblem, SheetError, Table, parse_date, read_table
from .xlsx import Sheet, write_workbook

log = logging.getLogger(__name__)
R = TypeVar("R")
Progress = Callable[[int, int], None]  # (rows done, rows in all): a background job's bar
Reader = Callable[..., Table]  # (source, *, required, optional) -> Table, raising SheetError
PROGRESS_EVERY = 1_000  # rows between two reports of progress
NO_ROWS = "文件中没有数据行"
WRITE_FAILED = "导入失败：数据库写入失败，未导入任何数据，请稍后重试（如多次失败请联系管理员）"


class RowsRefused(Exception):
    """Rows found wrong only while writing; the whole file is rolled back."""

    def __init__(self, problems: list[CellProblem]) -> None:
        super().__init__(problems)
        self.problems = problems


class Cells:
    """One data row's cells as text (common.sheets), and the problems found in them. A cell Excel
    already spoilt (a long number stored as a number) is named once, by the reader."""

    def __init__(self, number: int, values: dict[str, str], problems: list[CellProblem], spoilt: set) -> None:
        self.number, self.values = number, values
        self.bad = False  # the row has a problem: it is not written
        self._problems, self._spoilt = problems, spoilt

    def problem(self, column: str, message: str) -> None:
        self.bad = True
        if (self.number, column) not in self._spoilt:
            self._problems.append(CellProblem(self.number, column, message))

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.values.get(column, "").strip()
        if required and not value:
            self.problem(column, f"{column}不能为空")
        return value

    def at_most(self, column: str, length: int) -> None:
        """Text longer than its column is named (a database error otherwise)."""
        if len(self.values.get(column, "").strip()) > length:
            self.problem(column, f"{column}不能超过{length}个字")

    def id_number_once(self, seen: dict[str, int], column: str = "身份证号") -> str | None:
        """The row's ID number, checked (common.idcard) and given by no earlier row of the file
        (`seen`: number → its row, kept by the importer); None with the problem named."""
        try:
            number = parse_id_number(self[column]).number
        except IdNumberError as exc:
            self.problem(column, str(exc))
            return None
        if number in seen:
            self.problem(column, f"与第{seen[number]}行重复")
            return None
        seen[number] = self.number
        return number

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            self.problem(column, str(exc))
            return None


class Importer(Generic[R]):
    """One kind of file: its columns, its row check and its writer."""

    required: ClassVar[Sequence[str]] = ()
    optional: ClassVar[Sequence[str]] = ()

    def prepare(self, table: Table) -> None:
        """Load what the row checks need for the whole file (a few queries; nothing written)."""

    def row(self, cells: Cells) -> R | None:
        """The row checked into a typed row, or None (its problems told through `cells`)."""
        raise NotImplementedError

    def finish(self, rows: list[R], problems: list[CellProblem]) -> None:
        """Checks across the good rows or against the database, once every row is read."""

    def write(self, rows: list[R]) -> None:
        """Write every row (inside commit's transaction). Raise RowsRefused or ValidationError
        for what only writing finds."""
        raise NotImplementedError

    def problem_order(self, problem: CellProblem) -> tuple:
        """Problems are listed by row, then by column as in the template (the file's own
        problems, row 0 or 1, first)."""
        return (problem.row, self._columns.get(problem.column, -1))

    @cached_property
    def _columns(self) -> dict[str, int]:
        return {column: i for i, column in enumerate([*self.required, *self.optional])}


@dataclass
class Checked(Generic[R]):
    """A file read and checked: its good rows, every problem (sorted by row, then column as in
    the template), the rows as read (for a preview) and its headers."""

    rows: list[R] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)
    read: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def preview(self, columns: Sequence[str]) -> list[tuple[int, list[str]]]:
        """The rows as read, in the template's column order, for a file that passed its checks
        (nothing to preview otherwise)."""
        if not self.ok:
            return []
        return [(number, [values.get(column, "") for column in columns]) for number, values in self.read]


def check(
    importer: Importer[R],
    source: str | IO[bytes],
    *,
    progress: Progress | None = None,
    reader: Reader = read_table,
) -> Checked[R]:
    """Read `source` once and check every row once; nothing is written. `reader` turns the file
    into a Table (a spreadsheet by default; a bank's text file reads its own way)."""
    checked: Checked[R] = Checked()
    try:
        table = reader(source, required=list(importer.required), optional=importer.optional)
    except SheetError as exc:
        checked.problems.append(CellProblem(1, "", str(exc)))
        return checked
    checked.read, checked.headers = table.rows, table.headers
    problems = checked.problems
    problems.extend(table.problems)
    if not table.rows:
        problems.append(CellProblem(2, "", NO_ROWS))
        return checked
    total = len(table.rows)
    if progress is not None:
        progress(0, total)
    importer.prepare(table)
    spoilt = {(p.row, p.column) for p in table.problems}
    for done, (number, values) in enumerate(table.rows, start=1):
        cells = Cells(number, values, problems, spoilt)
        row = importer.row(cells)
        if row is not None and not cells.bad:
            checked.rows.append(row)
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
    importer.finish(checked.rows, problems)
    problems.sort(key=importer.problem_order)
    return checked


def commit(importer: Importer[R], checked: Checked[R]) -> bool:
    """Write a checked file's rows in one transaction, all or nothing; whether they went in.
    What writing refuses is added to `checked.problems`."""
    if not checked.ok:
        return False
    try:
        with transaction.atomic():
            importer.write(checked.rows)
    except RowsRefused as exc:
        checked.problems.extend(exc.problems)
    except ValidationError as exc:  # a late check (a race) fails the whole file
        checked.problems.append(CellProblem(0, "", "；".join(exc.messages)))
    except DatabaseError as exc:
        # The database's own message may quote a row (an ID number): not for the page or the log.
        log.warning("%s: %s while writing", type(importer).__name__, exc.__class__.__name__)
        checked.problems.append(CellProblem(0, "", WRITE_FAILED))
    else:
        checked.written = True
    return checked.written


def run(
    importer: Importer[R],
    source: str | IO[bytes],
    *,
    dry_run: bool,
    progress: Progress | None = None,
    reader: Reader = read_table,
) -> Checked[R]:
    """check, then (unless `dry_run`, and when nothing is wrong) commit."""
    checked = check(importer, source, progress=progress, reader=reader)
    if not dry_run:
        commit(importer, checked)
    return checked


def template_response(
    importer: type[Importer], *, name: str, filename: str, notes: Sequence[str]
) -> FileResponse:
    """An empty sheet of the importer's columns (the headers in the first row, as the reader wants
    them) and a sheet of notes on filling it, as a download."""
    buffer = io.BytesIO()
    columns = [*importer.required, *importer.optional]
    write_workbook(
        buffer, [Sheet(name, "", columns, []), Sheet("填写说明", "", ["填写说明"], [[n] for n in notes])]
    )
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=filename)
