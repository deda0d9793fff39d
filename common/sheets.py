"""Reading uploaded spreadsheets as text. Township clerks' files come from many Excel versions:
IDs, phones and bank numbers may be stored as numbers, dates as dates or as text. Every cell is
turned into text here, and every problem is named with its Excel row and column.

Files are read with python-calamine (a Rust reader): about ten times faster than openpyxl's
read-only mode on a 10,000-row file, and it also reads the old .xls format clerks still use."""

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

from defusedxml import ElementTree  # uploaded XML: no entity expansion, no external entities
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from .uploads import UploadRefused, archive_check, read_bounded

MAX_EXACT_DIGITS = 15  # Excel keeps 15 significant digits of a number; more are lost.
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


class SheetError(ValueError):
    """The file as a whole cannot be read (not xlsx, no sheet, wrong headers)."""


@dataclass(frozen=True)
class CellProblem:
    row: int
    column: str
    message: str


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (Excel row number, values)
    problems: list[CellProblem] = field(default_factory=list)
    sheet: str = ""  # the worksheet read


def cell_text(value: object) -> tuple[str, str | None]:
    """The cell as text, and a problem message when Excel's storage lost information."""
    if type(value) is str:  # most cells: first
        return value.replace("\u3000", " ").strip(), None
    if value is None:
        return "", None
    if isinstance(value, bool):
        return ("是" if value else "否"), None
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, float):
        if value.is_integer():
            text = str(int(value))
            if len(text) > MAX_EXACT_DIGITS:
                return text, "该单元格被Excel存成了数字，超过15位的部分已丢失，请把该列设为文本后重新填写"
            return text, None
        return repr(value), None
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    return str(value).replace("\u3000", " ").strip(), None


def parse_date(text: str) -> dt.date:
    """Accept the usual ways of writing a date; raise ValueError with a Chinese message."""
    cleaned = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"日期「{text}」无法识别，请写成 2024-03-01 的格式")


def normalise_header(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("(", "（").replace(")", "）"))


def read_table(source: str | IO[bytes], *, required: list[str], optional: Sequence[str] = ()) -> Table:
    """Read the first visible worksheet (a hidden one is never what the clerk looked at):
    headers in the first row, data below; empty rows are skipped. The file is first bounded
    (common.uploads: its size, each part's real unpacked size, the sheet's extent). Raises
    SheetError when the file is refused, not a readable .xlsx/.xls, or its headers are wrong."""
    try:
        data = read_bounded(source)  # the format is told by the content, never by the file name
        archive_check(data)
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = _first_visible(workbook)
        unreadable = _sheet_check(data, sheet)  # before calamine lays the sheet out in memory
        grid = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False) if sheet else []
    except UploadRefused as exc:
        raise SheetError(str(exc)) from exc
    except (
        CalamineError,
        OSError,
        ValueError,
        TypeError,
        IndexError,
        KeyError,
        AttributeError,
        StopIteration,
        SyntaxError,
        RuntimeError,
        EOFError,
        zipfile.BadZipFile,
    ) as exc:
        raise SheetError("无法读取文件：请上传 Excel 文件（.xlsx 或 .xls，可用模板填写）") from exc
    if not grid or not any(cell_text(v)[0] for v in grid[0]):
        raise SheetError(f"{_named(sheet)}是空的：第一行应为列标题")
    headers = [normalise_header(cell_text(v)[0]) for v in grid[0]]
    _check_headers(headers, required, list(optional), sheet)
    table = Table(headers=[h for h in headers if h], sheet=sheet)
    for number, values in enumerate(grid[1:], start=2):
        _read_row(table, headers, number, values)
    data_rows = {number for number, _ in table.rows}  # a formula down an empty row is no data
    for number, column in unreadable:
        if number in data_rows and column < len(headers) and headers[column]:
            table.problems.append(CellProblem(number, headers[column], FORMULA_OR_ERROR))
    return table


def _named(sheet: str) -> str:
    return f"工作表「{sheet[:31]}」" if sheet else "文件"


def _first_visible(workbook: CalamineWorkbook) -> str:
    """The name of the first visible worksheet, or "" when there is none."""
    for meta in workbook.sheets_metadata:
        if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet:
            return meta.name
    return ""


FORMULA_OR_ERROR = "该单元格是公式或错误值（如 #N/A），读不到内容，请改为直接填写"
FORMULA_MARKUP = (b"<f", b":f>", b":f ", b't="e"', b"t='e'")  # a formula (maybe prefixed), an error value
# calamine lays a sheet out as a full grid from A1 to its last cell, whatever lies between: a
# 5 KB file with one cell at XFD1048576 asks for 550 GB and aborts the process. 3 million cells
# is 200,000 rows of 15 columns (the templates have 10 to 19).
MAX_GRID_CELLS = 3_000_000
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")
# Elements may carry a namespace prefix (<x:c …>); Excel writes none, and without the optional
# prefix the patterns run three times faster (a literal start): `_extent` uses these when the
# sheet has no prefixed row or cell element, which then find exactly the same.
PREFIX = "(?:[\\w.-]+:)?"
ROW_REF, ROW_REF_PLAIN = (
    re.compile(rf"<{p}row\b[^>]*?\sr=[\"']([0-9]+)[\"']".encode()) for p in (PREFIX, "")
)
CELL_REF_BYTES, CELL_REF_PLAIN = (
    re.compile(rf"<{p}c\b[^>]*?\sr=[\"']([A-Z]+)([0-9]+)[\"']".encode()) for p in (PREFIX, "")
)
ROW_START, ROW_START_PLAIN = (re.compile(rf"<{p}row[\s/>]".encode()) for p in (PREFIX, ""))
CELL_START, CELL_START_PLAIN = (re.compile(rf"<{p}c[\s/>]".encode()) for p in (PREFIX, ""))
PREFIXED = re.compile(rb":(?:row|c)\b")  # where a prefixed row or cell element could be


def _sheet_check(data: bytes, sheet: str) -> list[tuple[int, int]]:
    """Refuse an .xlsx sheet whose extent passes MAX_GRID_CELLS, and return the cells calamine
    would read as empty although the clerk sees something (see _formula_cells)."""
    if not data.startswith(b"PK") or not sheet:
        return []  # .xls: at most 65,536 rows of 256 columns, and Excel stores computed values
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(_sheet_path(archive, sheet))  # bounded by common.uploads.archive_check
    rows, columns = _extent(xml)
    if rows * columns > MAX_GRID_CELLS:
        raise UploadRefused(
            f"工作表「{sheet[:31]}」的范围过大（{rows}行×{columns}列）：请删去多余的空行、空列，或拆分后分批上传"
        )
    return _formula_cells(xml)


def _extent(xml: bytes) -> tuple[int, int]:
    """Rows and columns from A1 to the sheet's farthest cell, as calamine will lay them out;
    rows or cells without a reference (allowed, never written by Excel) count as one more each."""
    prefixed = PREFIXED.search(xml) is not None
    row_refs = (ROW_REF if prefixed else ROW_REF_PLAIN).findall(xml)
    cell_refs = (CELL_REF_BYTES if prefixed else CELL_REF_PLAIN).findall(xml)
    unreferenced_rows = max(0, len((ROW_START if prefixed else ROW_START_PLAIN).findall(xml)) - len(row_refs))
    unreferenced_cells = max(
        0, len((CELL_START if prefixed else CELL_START_PLAIN).findall(xml)) - len(cell_refs)
    )
    numbers = {*row_refs, *(r for _c, r in cell_refs)}  # as text: a row number repeats in each of its cells
    rows = max(map(int, numbers), default=0) + unreferenced_rows
    columns = max((_column_index(c.decode()) + 1 for c in {c for c, _r in cell_refs}), default=0)
    return rows, columns + unreferenced_cells


def _formula_cells(xml: bytes) -> list[tuple[int, int]]:
    """(Excel row, column index) of the sheet's cells that hold an error value (#N/A …) or a
    formula without a computed value (files written by programs rather than saved by Excel):
    calamine reads both as empty cells, which would silently lose what the clerk sees. The
    XML is parsed only when its text shows such cells (a byte search)."""
    if not any(markup in xml for markup in FORMULA_MARKUP):
        return []
    found = []
    for _event, cell in ElementTree.iterparse(io.BytesIO(xml)):
        if cell.tag != f"{MAIN}c":
            continue
        value = cell.find(f"{MAIN}v")
        # No value saved: written by a program, never computed. An empty value of a text formula
        # (t="str", such as IF(…,"",…)) is the empty text Excel computed.
        empty = value is None or (not value.text and cell.get("t") != "str")
        uncomputed = cell.find(f"{MAIN}f") is not None and empty
        ref = CELL_REF.match(cell.get("r", ""))
        if ref and (cell.get("t") == "e" or uncomputed):
            found.append((int(ref[2]), _column_index(ref[1])))
        cell.clear()
    return found


def _sheet_path(archive: zipfile.ZipFile, name: str) -> str:
    """The archive path of the worksheet called `name` (the workbook's own list of sheets)."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheet = next(s for s in book.iter(f"{MAIN}sheet") if s.get("name") == name)
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target", "") for r in rels if r.get("Id") == sheet.get(RELATIONSHIP))
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _check_headers(headers: list[str], required: list[str], optional: list[str], sheet: str) -> None:
    present = [h for h in headers if h]
    missing = [h for h in required if h not in present]
    unknown = [h for h in present if h not in required and h not in optional]
    duplicated = sorted({h for h in present if present.count(h) > 1})
    problems = []
    if missing:
        problems.append("缺少列：" + "、".join(missing))
    if unknown:
        problems.append("无法识别的列：" + "、".join(unknown))
    if duplicated:
        problems.append("重复的列：" + "、".join(duplicated))
    if problems:
        raise SheetError(
            f"{_named(sheet)}的列标题不符合模板（" + "；".join(problems) + "）。"
            "请使用下载的模板，第一行为列标题（读取的是第一个未隐藏的工作表）。"
        )


def _read_row(table: Table, headers: list[str], number: int, values: Sequence[object]) -> None:
    row: dict[str, str] = {}
    for header, value in zip(headers, values, strict=False):
        if not header:
            continue
        text, problem = cell_text(value)
        row[header] = text
        if problem:
            table.problems.append(CellProblem(number, header, problem))
    if any(row.values()):
        for header in table.headers:
            row.setdefault(header, "")
        table.rows.append((number, row))
