"""The bank's return (docs/policy.md §9.11): the batch's workbook with 结果 and 失败原因, or the
bank's text file in the batch's layout; failed lines become unpaid with the bank's reason and are
paid again in a later batch once the account is corrected (two people); a row naming a person not
in the batch or another amount refuses the whole file, named by its row; nothing half-applied."""

import datetime as dt
import io
from decimal import Decimal as M

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from payments.batches import batch_approve, batches_make, item_state, line_state
from payments.files import text_write, workbook_write
from payments.models import Batch, Item, Line
from payments.returns import return_apply
from people.bank import bank_change_decide, bank_change_request

from .conftest import month_locked

D = dt.date


def return_workbook(
    batch: Batch, results: dict[int, tuple[str, str]], *, extra: list | None = None
) -> io.BytesIO:
    """The batch's own workbook with 结果 and 失败原因 added; `results` by 序号 (others: 成功)."""
    mine = io.BytesIO()
    workbook_write(batch, mine)
    mine.seek(0)
    rows = list(load_workbook(mine).active.iter_rows(values_only=True))
    book = Workbook()
    sheet = book.active
    sheet.append([*rows[0], "结果", "失败原因"])
    for row in rows[1:]:
        if row[0] == "合计":
            sheet.append(list(row))
            continue
        sheet.append([*row, *results.get(row[0], ("成功", ""))])
    for row in extra or []:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


@pytest.fixture
def batch(cast, january) -> Batch:
    """January's 农商银行 batch (丙, 丁), approved."""
    made = batches_make(run=january, actor=cast.finance, pay_date=D(2022, 1, 31))
    found = next(b for b in made if b.bank.name == "农商银行")
    return batch_approve(batch=found, actor=cast.finance2)


def test_failed_lines_become_unpaid_with_the_banks_reason(cast, batch) -> None:
    checked = return_apply(
        batch=batch, source=return_workbook(batch, {1: ("失败", "户名不符")}), actor=cast.finance
    )
    assert checked.written and not checked.problems
    lines = {line.name: line for line in batch.lines.annotate(shown=line_state())}
    items = {item.name: item for item in Item.objects.filter(batch=batch).annotate(shown=item_state())}
    assert (lines["丙"].shown, lines["丙"].reason, items["丙"].shown) == ("failed", "户名不符", "failed")
    assert (lines["丁"].shown, items["丁"].shown) == ("paid", "paid")
    assert lines["丁"].state == "sent"  # only the failures are written
    batch.refresh_from_db()
    assert (batch.state, batch.paid_count, batch.failed_count) == ("returned", 1, 1)
    with pytest.raises(ValidationError, match="只有已审核、尚未回盘的批次"):
        return_apply(batch=batch, source=return_workbook(batch, {}), actor=cast.finance)


def test_a_failed_line_is_paid_again_after_the_account_is_corrected(cast, county, batch, holders) -> None:
    return_apply(batch=batch, source=return_workbook(batch, {1: ("失败", "账户已销户")}), actor=cast.finance)
    february = month_locked(county, D(2022, 2, 1), cast)
    made = batches_make(run=february, actor=cast.finance, pay_date=D(2022, 2, 28))
    assert [line.name for b in made for line in b.lines.all()].count(
        "丙"
    ) == 1  # February's only: same account
    change = bank_change_request(
        person=holders["丙"], bank_account="6217000011112222333", bank_name="农商行", actor=cast.clerk
    )
    bank_change_decide(change=change, confirm=True, actor=cast.hr)  # the second person
    march = month_locked(county, D(2022, 3, 1), cast)
    made = batches_make(run=march, actor=cast.finance, pay_date=D(2022, 3, 31))
    again = Line.objects.get(batch__in=made, item__run__month=D(2022, 1, 1))
    assert (again.name, again.account, again.amount) == ("丙", "6217000011112222333", M("680.00"))
    assert (again.item.state, again.item.batch_id) == ("in_batch", again.batch_id)
    rural = next(b for b in made if b.pk == again.batch_id)
    rural = batch_approve(batch=rural, actor=cast.finance2)
    return_apply(batch=rural, source=return_workbook(rural, {}), actor=cast.finance)
    item = Item.objects.annotate(shown=item_state()).get(pk=again.item_id)
    assert (item.shown, item.reason) == ("repaid", "账户已销户")


def test_a_person_not_in_the_batch_or_another_amount_refuses_the_whole_file(cast, batch) -> None:
    stranger = ["9", "6228480000000000099", "陌生人", 680, "", "", "", "失败", "户名不符"]
    source = return_workbook(batch, {1: ("失败", "户名不符")}, extra=[stranger])
    checked = return_apply(batch=batch, source=source, actor=cast.finance)
    assert not checked.written
    assert [(p.row, p.column) for p in checked.problems] == [(5, "序号")]
    assert "「9」不在本批次中" in checked.problems[0].message
    rows = list(load_workbook(return_workbook(batch, {})).active.iter_rows(values_only=True))
    book = Workbook()
    for row in rows:
        book.active.append([*row[:3], 600 if row[0] == 2 else row[3], *row[4:]])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    checked = return_apply(batch=batch, source=out, actor=cast.finance)
    assert [(p.row, p.column, p.message) for p in checked.problems] == [
        (3, "金额（分）", "金额（分）「600」与批次中的680.00元不一致")
    ]
    assert set(Line.objects.filter(batch=batch).values_list("state", flat=True)) == {"sent"}
    assert set(Item.objects.filter(lines__batch=batch).values_list("state", flat=True)) == {"in_batch"}
    assert Batch.objects.get(pk=batch.pk).state == "approved"


def test_a_failure_needs_its_reason_and_a_row_is_named_once(cast, batch) -> None:
    source = return_workbook(
        batch, {1: ("失败", "")}, extra=[[2, "6228480000000000044", "丁", 68000, "", "", "", "成功", ""]]
    )
    checked = return_apply(batch=batch, source=source, actor=cast.finance)
    assert [(p.row, p.column) for p in checked.problems] == [(2, "失败原因"), (5, "序号")]
    assert "与第3行重复" in checked.problems[1].message


def test_the_text_return_in_the_batchs_fixed_gbk_layout(cast, batch) -> None:
    """The 农商银行's layout: fixed-width GBK, amounts in fen; the bank appends 结果 and the reason."""
    sent = io.BytesIO()
    text_write(batch, sent)
    lines = sent.getvalue().decode("gbk").split("\r\n")
    returned = [lines[0], lines[1] + "失败 账号不存在", lines[2] + "成功", ""]
    source = io.BytesIO("\r\n".join(returned).encode("gbk"))
    checked = return_apply(batch=batch, source=source, actor=cast.finance)
    assert checked.written, checked.problems
    assert dict(batch.lines.values_list("name", "reason")) == {"丙": "账号不存在", "丁": ""}


def test_a_text_return_with_another_amount_is_refused(cast, batch) -> None:
    sent = io.BytesIO()
    text_write(batch, sent)
    lines = sent.getvalue().decode("gbk").split("\r\n")
    lines[2] = lines[2].replace("000000000068000", "000000000068001") + "成功"
    checked = return_apply(
        batch=batch, source=io.BytesIO("\r\n".join(lines).encode("gbk")), actor=cast.finance
    )
    assert [(p.row, p.column) for p in checked.problems] == [(2, "结果"), (3, "金额（分）")]
    assert Batch.objects.get(pk=batch.pk).state == "approved"


def test_the_command_applies_a_return(cast, batch, tmp_path) -> None:
    path = tmp_path / "return.xlsx"
    path.write_bytes(return_workbook(batch, {2: ("失败", "冻结")}).getvalue())
    out = io.StringIO()
    call_command(
        "payment_return", user=cast.finance.username, batch=batch.pk, file=str(path), dry_run=True, stdout=out
    )
    assert "检查无误（未导入）" in out.getvalue() and Batch.objects.get(pk=batch.pk).state == "approved"
    call_command("payment_return", user=cast.finance.username, batch=batch.pk, file=str(path), stdout=out)
    assert "失败1笔" in out.getvalue() and Batch.objects.get(pk=batch.pk).failed_count == 1
