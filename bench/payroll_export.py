"""Benchmark: exporting the payroll workbook of a 100,000-line month, against the bare writer
(rustpy-xlsxwriter).

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench [ROUNDS=3] .venv/bin/python bench/payroll_export.py

Run bench/payroll_compute.py first (it leaves 东昌府区 2022-03 computed). Each measurement runs in
its own process so that its peak memory (RSS) is its own: `ours` writes the real workbook
(summary, each township's payment sheet, 待扣回, each township's lines; styles, totals, text
cells); `bare` writes the same rows with rustpy-xlsxwriter (the writer common.xlsx uses) and
nothing else: the lines, and the people's nets as the database sums them; `query` only reads
both. The month gets a few corrections first (ADJUSTMENTS: 补发 and 扣回 lines, some people's
nets below or at 0), as a month after a locked one has."""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

from benchkit import setup

BARE_FIELDS = [
    "township__name",
    "placement__post__village__name",
    "placement__person__name",
    "placement__person__id_number",
    "line",
    "placement__post__duty__name",
    "days_attended",
    "pay",
    "province",
    "city",
    "district",
    "placement__person__bank_account",
    "placement__person__bank_name",
    "note",
]
BARE_NETS = [
    "village",
    "holder",
    "holder_id_number",
    "holder_bank",
    "holder_account",
    "regular",
    "back_pay",
    "recovery",
    "net",
    "province",
    "city",
    "district",
]


# Corrections of earlier months, as a month after locked ones has (once; a new computation by
# bench/payroll_compute.py removes them): for every 40th placement two 扣回 of 680.00 (the net
# is below 0: 待扣回), every 40th another a 补发 of 340.00, and every 400th a 扣回 of its own
# month's pay (a net of 0).
ADJUSTMENTS = """
INSERT INTO subsidies_payrollline (run_id, placement_id, township_id, line, kind, corrects_month,
    days_on_post, days_attended, fraction, pay, province, city, district, note)
SELECT l.run_id, l.placement_id, l.township_id, l.line, a.kind, a.month, 0, 0, 0,
       a.pay, a.province, a.city, a.district,
       CASE a.kind WHEN 'recovery' THEN '扣回' ELSE '补发' END || to_char(a.month, 'YYYY"年"MM"月"')
FROM subsidies_payrollline l
CROSS JOIN LATERAL (VALUES
    (l.placement_id %% 40 = 0, 'recovery', DATE '2022-01-01', -680.00, -333.33, -138.67, -208.00),
    (l.placement_id %% 40 = 0, 'recovery', DATE '2022-02-01', -680.00, -333.34, -138.66, -208.00),
    (l.placement_id %% 40 = 20, 'back_pay', DATE '2022-02-01', 340.00, 166.67, 69.33, 104.00),
    (l.placement_id %% 400 = 10, 'recovery', DATE '2022-02-01', -l.pay, -l.province, -l.city, -l.district)
) AS a(wanted, kind, month, pay, province, city, district)
WHERE l.run_id = %s AND l.kind = 'regular' AND a.wanted
"""


def corrections(run) -> int:
    """The run's 补发/扣回 lines, added once (ADJUSTMENTS)."""
    from django.db import connection

    from subsidies.models import PayrollLine

    if not PayrollLine.objects.filter(run=run).exclude(kind="regular").exists():
        with connection.cursor() as cursor:
            cursor.execute(ADJUSTMENTS, [run.pk])
            cursor.execute("VACUUM ANALYZE subsidies_payrollline")
    return PayrollLine.objects.filter(run=run).exclude(kind="regular").count()


def measure(kind: str) -> dict:
    """`ours`: the real workbook; `bare`: rustpy-xlsxwriter writing the same rows as they
    come from the database, nothing else; `query`: reading those rows and writing nothing."""
    setup()
    import datetime as dt

    from rustpy_xlsxwriter import FastExcel

    from subsidies.exports import HEADERS, PAYMENT_HEADERS, payroll_workbook_write
    from subsidies.models import PayrollLine, PayrollRun
    from subsidies.payment import nets

    run = PayrollRun.objects.select_related("county").get(county__code="371502", month=dt.date(2022, 3, 1))
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        target = handle.name
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    rows = PayrollLine.objects.filter(run=run).values_list(*BARE_FIELDS).iterator(chunk_size=2000)
    people = nets(run).filter(net__gt=0).values_list(*BARE_NETS).iterator(chunk_size=2000)
    count = 0
    if kind == "ours":
        count = payroll_workbook_write(run=run, target=target)
    elif kind == "bare":
        records = (dict(zip(HEADERS, (n, *row), strict=True)) for n, row in enumerate(rows, start=1))
        paid = (dict(zip(PAYMENT_HEADERS, (n, *row), strict=True)) for n, row in enumerate(people, start=1))
        seen: list[int] = []

        def counted(rows: Iterator[dict]) -> Iterator[dict]:  # as the writer pulls them
            for row in rows:
                seen.append(1)
                yield row

        book = FastExcel(target)
        book.sheet("发放表", paid)
        book.sheet("明细", counted(records))
        book.save()
        count = len(seen)
    else:
        count = sum(1 for _ in rows)
        sum(1 for _ in people)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = os.path.getsize(target)
    os.unlink(target)
    return {
        "kind": kind,
        "lines": count,
        "seconds": elapsed,
        "peak_mb": peak / 1024,
        "grew_mb": (peak - base) / 1024,
        "file_mb": size / 1024 / 1024,
    }


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(measure(sys.argv[1])))
        sys.exit(0)
    setup()
    import datetime as dt

    from subsidies.models import PayrollRun

    month = PayrollRun.objects.get(county__code="371502", month=dt.date(2022, 3, 1))
    print(f"{corrections(month)} 补发/扣回 lines in the month")
    kinds = ("query", "bare", "ours")
    rounds = int(os.environ.get("ROUNDS", "3"))
    runs: dict[str, list[dict]] = {kind: [] for kind in kinds}
    # Rounds of the three in turn: on a shared machine the load changes from minute to minute,
    # and each round's ratio compares measurements taken under the same load.
    for _ in range(rounds):
        for kind in kinds:
            out = subprocess.run([sys.executable, __file__, kind], capture_output=True, text=True, check=True)
            runs[kind].append(json.loads(out.stdout.strip().splitlines()[-1]))
    results = {}
    for kind in kinds:
        r = results[kind] = sorted(runs[kind], key=lambda m: m["seconds"])[len(runs[kind]) // 2]
        every = ", ".join(f"{m['seconds']:.2f}" for m in runs[kind])
        print(
            f"{kind:<5} {r['lines']} lines  median {r['seconds']:6.2f} s (all: {every})  "
            f"peak RSS {r['peak_mb']:6.0f} MB (+{r['grew_mb']:.0f} MB while writing)  "
            f"file {r['file_mb']:.1f} MB"
        )
    ratios = sorted(o["seconds"] / b["seconds"] for o, b in zip(runs["ours"], runs["bare"], strict=True))
    memory = results["ours"]["peak_mb"] / results["bare"]["peak_mb"]
    every = ", ".join(f"{r:.2f}" for r in ratios)
    ratio = ratios[len(ratios) // 2]
    print(f"ours / bare time: {ratio:.2f}x (median of the rounds: {every}); memory: {memory:.2f}x")
