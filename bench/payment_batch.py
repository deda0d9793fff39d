"""Benchmark: paying a 100,000-line month through the bank (docs/policy.md §9.11).

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/payment_batch.py

Uses the month bench/payroll_compute.py computed (东昌府区 2022-03: run it first), locks it
(state and frozen payees), spreads the holders' 开户银行 over five banks, and times:

- the batches (payments.batches.batches_make: the nets, the items, one batch per bank, its
  lines) and their files (the workbook and the text file of each bank, in its layout), against
  the floor: the same rows, read once beforehand, written by openpyxl's write-only workbook and a
  plain file write, with none of the application's logic — ratio must be ≤ 1.3;
- a return of 5,000 failures applied to the largest batch (payments.returns.return_apply:
  read, checked, every line and item marked) — must be ≤ 2 s.

Each attempt starts from a month without batches (the bench's payments rows deleted)."""

import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchkit import setup

setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from payments.batches import batch_approve, batches_make  # noqa: E402
from payments.files import columns, text_write, workbook_write  # noqa: E402
from payments.models import Batch, Item, Line, Recovery, Settlement  # noqa: E402
from payments.returns import return_apply  # noqa: E402
from subsidies import payroll  # noqa: E402
from subsidies.models import PayrollLine, PayrollRun  # noqa: E402

MONTH = dt.date(2022, 3, 1)
BANKS = ["农业银行", "聊城农村商业银行", "工商银行", "建设银行", "邮储银行"]
FAILURES = 5_000
ATTEMPTS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
SPREAD = os.environ.get("ONE_BANK") != "1"  # ONE_BANK=1: the whole month in one bank, one batch
maker = User.objects.get(username="finance_371502")
checker = User.objects.get(username="finance2_371502")
run = PayrollRun.objects.select_related("county").get(county__code="371502", month=MONTH)
lines = PayrollLine.objects.filter(run=run)
if not lines.exists():
    raise SystemExit("no lines for 东昌府区 2022-03: run bench/payroll_compute.py first")


def prepare() -> None:
    """The month locked with frozen payees over five banks, and no payments rows."""
    with transaction.atomic():
        Settlement.objects.filter(item__run=run).delete()
        Line.objects.filter(item__run=run).delete()
        Item.objects.filter(run=run).delete()
        Batch.objects.filter(run=run).delete()
        Recovery.objects.filter(run=run).delete()
    if run.state != PayrollRun.State.LOCKED or not lines.exclude(bank_account="").exists():
        PayrollRun.objects.filter(pk=run.pk).update(state=PayrollRun.State.LOCKED)
        run.state = PayrollRun.State.LOCKED
        payroll.payees_freeze(run)
    banks = BANKS if SPREAD else BANKS[:1]
    if lines.filter(bank_name=BANKS[1]).exists() != SPREAD:
        whens = " ".join(f"WHEN {i} THEN '{name}'" for i, name in enumerate(banks))
        sql = f"UPDATE subsidies_payrollline SET bank_name = CASE placement_id %% {len(banks)} {whens} END"
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} WHERE run_id = %s", [run.pk])
    with connection.cursor() as cursor:
        for table in ("subsidies_payrollline", "payments_item", "payments_line"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def app(folder: Path) -> tuple[float, float, list[Batch]]:
    """The batches and their files, as finance makes and takes them; (make, files) seconds."""
    started = time.perf_counter()
    made = batches_make(run=run, actor=maker, pay_date=dt.date(2022, 3, 31))
    made_in = time.perf_counter() - started
    started = time.perf_counter()
    for batch in made:
        workbook_write(batch, str(folder / f"{batch.pk}.xlsx"))
        with (folder / f"{batch.pk}.txt").open("wb") as target:
            text_write(batch, target)
    return made_in, time.perf_counter() - started, made


def floor(folder: Path, made: list[Batch]) -> float:
    """The same rows, read beforehand, written bare: openpyxl write-only and plain text."""
    rows = {
        b.pk: list(
            Line.objects.filter(batch=b)
            .order_by("seq")
            .values_list("seq", "account", "name", "amount", "id_number")
        )
        for b in made
    }
    headers = {b.pk: [c.header for c in columns(b.bank.layout)] for b in made}
    started = time.perf_counter()
    for batch in made:
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(headers[batch.pk])
        for seq, account, name, amount, id_number in rows[batch.pk]:
            sheet.append([seq, account, name, amount, id_number, "2022-03-31", "2022年03月公益性岗位补贴"])
        sheet.append(["合计", "", f"{batch.line_count}笔", batch.total])
        book.save(str(folder / f"floor-{batch.pk}.xlsx"))
        with (folder / f"floor-{batch.pk}.txt").open("w", encoding="gbk", newline="") as target:
            target.write(f"{batch.line_count}|{batch.total}\r\n")
            for seq, account, name, amount, id_number in rows[batch.pk]:
                target.write(
                    f"{seq}|{account}|{name}|{amount}|{id_number}|20220331|2022年03月公益性岗位补贴\r\n"
                )
    return time.perf_counter() - started


def returned(batch: Batch) -> io.BytesIO:
    """A return of the batch listing FAILURES failed lines (workbook, the layout's headers)."""
    cols = columns(batch.bank.layout)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([*(c.header for c in cols), "结果", "失败原因"])
    fen = batch.bank.layout.amount_format == "fen"
    chosen = (
        Line.objects.filter(batch=batch)
        .order_by("seq")
        .values_list("seq", "account", "name", "amount", "id_number")
    )
    for seq, account, name, amount, id_number in chosen[
        : batch.line_count : max(1, batch.line_count // FAILURES)
    ][:FAILURES]:
        values = {
            "seq": seq,
            "account": account,
            "name": name,
            "amount": int(amount * 100) if fen else amount,
            "id_number": id_number,
        }
        sheet.append([*(values.get(c.field, "") for c in cols), "失败", "账户已销户"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


makes, files_times, floors, ratios, returns = [], [], [], [], []
for attempt in range(1, ATTEMPTS + 1):
    prepare()
    with tempfile.TemporaryDirectory(prefix="bench-payments-") as name:
        folder = Path(name)
        made_in, files_in, made = app(folder)
        bare = floor(folder, made)
        total = made_in + files_in
        count = sum(b.line_count for b in made)
        print(
            f"attempt {attempt}: {len(made)} batches, {count} lines: make {made_in:.2f} s"
            f" + files {files_in:.2f} s = {total:.2f} s;"
            f" floor (openpyxl write-only + plain text) {bare:.2f} s; ratio {total / bare:.2f}",
            flush=True,
        )
        makes.append(made_in)
        files_times.append(files_in)
        floors.append(bare)
        ratios.append(total / bare)
        largest = max(made, key=lambda b: b.line_count)
        largest = batch_approve(batch=largest, actor=checker)
        source = returned(largest)
        started = time.perf_counter()
        checked = return_apply(batch=largest, source=source, actor=maker)
        took = time.perf_counter() - started
        failed = Line.objects.filter(batch=largest, state="failed").count()
        assert checked.written and failed == FAILURES, (checked.problems[:3], failed)
        print(f"  return of {FAILURES} failures on a batch of {largest.line_count}: {took:.2f} s", flush=True)
        returns.append(took)

make, files = statistics.median(makes), statistics.median(files_times)
print(
    f"batches of {count} lines for {len(made)} banks with their files: median {make + files:.2f} s"
    f" (make {make:.2f} s, files {files:.2f} s); floor median {statistics.median(floors):.2f} s;"
    f" ratio median {statistics.median(ratios):.2f} (limit 1.3)"
)
print(f"return of {FAILURES} failures applied: median {statistics.median(returns):.2f} s (limit 2 s)")
