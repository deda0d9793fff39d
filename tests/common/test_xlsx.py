from decimal import Decimal

from openpyxl import load_workbook

from common.xlsx import Sheet, write_workbook


def test_it_writes_ids_as_text_neutralises_formulas_and_formats_money(tmp_path) -> None:
    path = tmp_path / "out.xlsx"
    sheet = Sheet(
        name="s",
        title="标题",
        headers=["身份证号", "姓名", "金额"],
        rows=[
            ["11010519491231002X", '=HYPERLINK("x")', Decimal("680.00")],
            ["0012", "@SUM(A1)", Decimal("1.5")],
        ],
        totals=["", "合计", Decimal("681.50")],
        money_columns={2},
        signatures=True,
    )
    assert write_workbook(str(path), [sheet]) == 2
    ws = load_workbook(path).active
    assert ws["A1"].value == "标题"
    assert ws["A3"].value == "11010519491231002X"
    assert ws["A4"].value == "0012" and ws["A4"].data_type == "s"
    assert ws["B3"].data_type == "s" and ws["B3"].quotePrefix
    assert ws["B4"].quotePrefix
    assert ws["C3"].value == 680 and ws["C3"].number_format == "#,##0.00"
    assert ws["C5"].value == 681.5 and ws["B5"].value == "合计"
    assert ws["A7"].value.startswith("制表人：") and "审核人：" in ws["A7"].value


def test_signature_line_sits_under_the_columns_it_names(tmp_path) -> None:
    path = tmp_path / "wide.xlsx"
    headers = ["序号", "镇街", "姓名", "身份证号", "金额", "备注"]
    rows = [[1, "沙镇镇", "张三", "37150219700101003X", Decimal("680.00"), ""]]
    sheet = Sheet(
        name="s",
        title="标题",
        headers=headers,
        rows=rows,
        totals=["合计"],
        money_columns={4},
        signatures=True,
    )
    write_workbook(str(path), [sheet])
    ws = load_workbook(path).active
    assert [ws["A4"].value, ws["A4"].font.b] == ["合计", True]
    assert ws["A5"].value is None and ws["C5"].value is None
    assert (ws["A6"].value, ws["B6"].value, ws["C6"].value) == ("制表人：", None, "审核人：")
    assert ws["E6"].value.startswith("日期：")


def test_a_sheet_without_rows_still_has_its_header_row() -> None:
    import io

    from openpyxl import load_workbook

    from common.xlsx import Sheet, write_workbook

    buffer = io.BytesIO()
    written = write_workbook(
        buffer, [Sheet(name="空", title="空表", headers=["姓名", "身份证号"], rows=iter([]))]
    )
    buffer.seek(0)
    assert written == 0
    assert list(load_workbook(buffer).active.iter_rows(values_only=True))[:2] == [
        ("空表", None),
        ("姓名", "身份证号"),
    ]
