"""Reading uploaded sheets: cells calamine reads as empty although they hold a formula Excel never
computed, or an error value, are named; what Excel computed as empty text is empty text."""

import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from common import uploads
from common.sheets import FORMULA_OR_ERROR, SheetError, read_table


def xlsx(rows: list[list[str]], cells: dict[str, str]) -> bytes:
    """A workbook of `rows` under headers 甲, 乙, with the XML of some cells replaced (by reference)."""
    wb = Workbook()
    ws = wb.active
    ws.append(["甲", "乙"])
    for values in rows:
        ws.append(values)
    buffer = io.BytesIO()
    wb.save(buffer)
    source = zipfile.ZipFile(buffer)
    name = "xl/worksheets/sheet1.xml"
    xml = source.read(name).decode()
    for ref, cell in cells.items():
        if f'r="{ref}"' in xml:
            xml = re.sub(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', cell, xml)
        else:  # a cell of a row the sheet does not have yet
            row = re.sub(r"\D", "", ref)
            xml = xml.replace("</sheetData>", f'<row r="{row}">{cell}</row></sheetData>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, xml if item.filename == name else source.read(item.filename))
    out.seek(0)
    return out.getvalue()


def problems(data: bytes) -> list[tuple[int, str, str]]:
    table = read_table(io.BytesIO(data), required=["甲", "乙"])
    return [(p.row, p.column, p.message) for p in table.problems]


def test_a_formula_never_computed_and_an_error_value_are_named() -> None:
    data = xlsx(
        [["a", "x"], ["b", "y"]],
        {"B2": '<c r="B2"><f>1+1</f><v /></c>', "B3": "<c r='B3' t='e'><v>#N/A</v></c>"},
    )
    assert problems(data) == [(2, "乙", FORMULA_OR_ERROR), (3, "乙", FORMULA_OR_ERROR)]
    only_error = xlsx([["a", "x"]], {"B2": "<c r='B2' t='e'><v>#REF!</v></c>"})  # quoted either way
    assert problems(only_error) == [(2, "乙", FORMULA_OR_ERROR)]


def test_a_text_formula_excel_computed_as_empty_is_empty_text() -> None:
    data = xlsx([["a", "x"]], {"B2": '<c r="B2" t="str"><f>IF(A2="a","","X")</f><v></v></c>'})
    table = read_table(io.BytesIO(data), required=["甲", "乙"])
    assert table.problems == [] and table.rows == [(2, {"甲": "a", "乙": ""})]


def test_formulas_filled_down_empty_rows_are_no_data() -> None:
    data = xlsx([["a", "x"]], {"B5": '<c r="B5"><f>A5&amp;""</f><v /></c>'})
    assert problems(data) == []


def test_a_sheet_that_unpacks_beyond_the_limit_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_PART_BYTES", 1000)
    with pytest.raises(SheetError, match="解压后超过"):
        read_table(io.BytesIO(xlsx([["a" * 2000, "x"]], {})), required=["甲", "乙"])
