"""The files a bank takes (docs/policy.md §9.11), read back: the workbook (openpyxl) and the
text file (decoded as GBK or UTF-8), every row's account, name and amount and the totals, in each
built-in layout; a layout the county administrator edits changes the files."""

import datetime as dt
import io
from decimal import Decimal as M

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import load_workbook

from payments.batches import batch_approve, batches_make
from payments.files import text_write, workbook_write
from payments.models import BankLayout, Batch, LayoutColumn

D = dt.date


@pytest.fixture
def batches(cast, january) -> dict[str, Batch]:
    made = batches_make(run=january, actor=cast.finance, pay_date=D(2022, 1, 31))
    return {b.bank.name: batch_approve(batch=b, actor=cast.finance2) for b in made}


def _sent(batch: Batch) -> list[tuple]:
    return list(batch.lines.order_by("seq").values_list("seq", "account", "name", "amount", "id_number"))


def test_the_workbook_has_the_layouts_columns_text_numbers_and_totals(batches) -> None:
    batch = batches["农业银行"]
    out = io.BytesIO()
    assert workbook_write(batch, out) == 2  # 甲 and 乙
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("序号", "账号", "户名", "金额", "身份证号", "代发日期", "用途")
    (seq, account, name, amount, id_number) = _sent(batch)[0]
    row = rows[1]
    assert row[:3] == (1, account, name) and M(str(row[3])).quantize(M("0.01")) == amount == M("680.00")
    assert row[4] == id_number and row[5] == "2022-01-31" and row[6] == "2022年01月公益性岗位补贴"
    assert sheet.cell(row=2, column=2).data_type == "s" and sheet.cell(row=2, column=5).data_type == "s"
    assert sheet.cell(row=2, column=4).number_format == "#,##0.00"
    assert M(str(rows[2][3])) == _sent(batch)[1][3]
    assert rows[3][0] == "合计" and rows[3][2] == "2笔" and M(str(rows[3][3])) == batch.total == M("1360.00")


def test_the_workbook_in_fen_for_a_layout_in_fen(batches) -> None:
    batch = batches["农商银行"]
    out = io.BytesIO()
    workbook_write(batch, out)
    rows = list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))
    assert rows[0][3] == "金额（分）"
    assert [(r[1], r[2], r[3]) for r in rows[1:3]] == [(a, n, int(m * 100)) for _, a, n, m, _ in _sent(batch)]
    assert rows[3][0] == "合计" and rows[3][3] == 136000


def test_the_delimited_utf8_file_read_back(batches) -> None:
    batch = batches["工商银行"]
    out = io.BytesIO()
    text_write(batch, out)
    lines = out.getvalue().decode("utf-8").split("\r\n")
    assert lines[0] == f"1|{batch.total:.2f}" == "1|680.00"
    assert lines[1] == "序号|账号|户名|金额|身份证号|代发日期|用途"
    fields = lines[2].split("|")
    (seq, account, name, amount, id_number) = _sent(batch)[0]
    assert fields == [
        str(seq),
        account,
        name,
        f"{amount:.2f}",
        id_number,
        "2022-01-31",
        "2022年01月公益性岗位补贴",
    ]
    assert account.startswith("0") and lines[3:] == [""]


def test_the_fixed_width_gbk_file_read_back(batches) -> None:
    """Each column its width in GBK bytes; amounts and 序号 right-aligned with zeros; the first
    line the count (10) and the total in fen (18)."""
    batch = batches["农商银行"]
    out = io.BytesIO()
    text_write(batch, out)
    data = out.getvalue()
    records = data.split(b"\r\n")
    assert records[0].decode("gbk") == "0000000002" + "000000000000136000"
    widths = [c.width for c in batch.bank.layout.columns.order_by("position")]
    assert widths == [6, 32, 40, 15, 18, 8, 40]
    total = M("0.00")
    for record, sent in zip(records[1:3], _sent(batch), strict=True):
        assert len(record) == sum(widths)
        at, fields = 0, []
        for width in widths:
            fields.append(record[at : at + width].decode("gbk").strip())
            at += width
        seq, account, name, amount, id_number = sent
        assert fields[:5] == [f"{seq:06d}", account, name, f"{int(amount * 100):015d}", id_number]
        assert fields[5:] == ["20220131", "2022年01月公益性岗位补贴"]
        total += M(fields[3]) / 100
    assert total == batch.total == M("1360.00")


def test_a_layout_edited_by_the_administrator_changes_the_files(batches) -> None:
    batch = batches["工商银行"]
    layout = batch.bank.layout
    BankLayout.objects.filter(pk=layout.pk).update(
        delimiter=",",
        encoding="gbk",
        header_line=False,
        totals_line=False,
        amount_format="fen",
        date_format="%Y/%m/%d",
    )
    LayoutColumn.objects.filter(layout=layout, field__in=["id_number", "purpose"]).delete()
    LayoutColumn.objects.filter(layout=layout, field="seq").update(position=9)
    LayoutColumn.objects.filter(layout=layout, field="name").update(position=1)
    LayoutColumn.objects.filter(layout=layout, field="seq").update(position=3)
    batch = Batch.objects.select_related("bank__layout", "run").get(pk=batch.pk)
    out = io.BytesIO()
    text_write(batch, out)
    (_, account, name, _, _) = _sent(batch)[0]
    assert out.getvalue().decode("gbk") == f"{name},{account},1,68000,2022/01/31\r\n"


def test_a_name_too_long_for_its_width_refuses_the_file(batches) -> None:
    batch = batches["农商银行"]
    LayoutColumn.objects.filter(layout=batch.bank.layout, field="name").update(width=1)
    with pytest.raises(ValidationError, match="超过定长宽度1字节"):
        text_write(batch, io.BytesIO())


def test_the_command_makes_batches_and_writes_an_approved_ones_files(cast, january, tmp_path) -> None:
    out = io.StringIO()
    call_command(
        "payment_batch",
        user=cast.finance.username,
        county="371502",
        month="2022-01",
        bank="工商银行",
        pay_date="2022-01-31",
        stdout=out,
    )
    batch = Batch.objects.get()
    assert f"批次 {batch.pk}：工商银行 1 笔，合计 680.00 元（待审核）" in out.getvalue()
    with pytest.raises(Exception, match="须经另一名财务人员审核后才能下载文件"):
        call_command("payment_batch", user=cast.finance.username, files=batch.pk, output=str(tmp_path / "b"))
    batch_approve(batch=batch, actor=cast.finance2)
    call_command(
        "payment_batch", user=cast.finance.username, files=batch.pk, output=str(tmp_path / "b"), stdout=out
    )
    assert (tmp_path / f"b{batch.pk}.txt").read_bytes().startswith(b"1|680.00\r\n")
    assert load_workbook(tmp_path / f"b{batch.pk}.xlsx").active.cell(row=2, column=3).value == "戊"
