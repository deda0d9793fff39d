"""Benchmark: exporting the payroll workbook of a 100,000-line month, against the bare writer
(rustpy-xlsxwriter).

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/payroll_export.py

Run bench/payroll_compute.py first (it leaves 东昌府区 2022-03 computed). Each measurement runs in
its own process so that its peak memory (RSS) is its own: `ours` writes the real workbook
(summary, a sheet per township, styles, totals, text cells); `bare` writes the same rows with
rustpy-xlsxwriter (the writer common.xlsx uses) and nothing else; `query` only reads them."""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from benchkit import setup

BARE_FIELDS = [
    "township__name", "placement__post__village__name", "placement__person__name",
    "placement__person__id_number", "line", "placement__post__duty__name", "days_attended", "pay", "province",
    "city", "district",
    "placement__person__bank_account", "placement__person__bank_name", "note",
]  # fmt: skip


def measure(kind: str) -> dict:
    """`ours`: the real workbook; `bare`: rustpy-xlsxwriter writing the same rows as they
    come from the database, nothing else; `query`: reading those rows and writing nothing."""
    setup()
    import datetime as dt

    from rustpy_xlsxwriter import FastExcel

    from subsidies.exports import HEADERS, payroll_workbook_write
    from subsidies.models import PayrollLine, PayrollRun

    run = PayrollRun.objects.select_related("county").get(county__code="371502", month=dt.date(2022, 3, 1))
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        target = handle.name
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    rows = PayrollLine.objects.filter(run=run).values_list(*BARE_FIELDS).iterator(chunk_size=2000)
    count = 0
    if kind == "ours":
        count = payroll_workbook_write(run=run, target=target)
    elif kind == "bare":
        records = (dict(zip(HEADERS, (n, *row), strict=True)) for n, row in enumerate(rows, start=1))
        seen = []
        FastExcel(target).sheet("发放表", (seen.append(1) or r for r in records)).save()
        count = len(seen)
    else:
        count = sum(1 for _ in rows)
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
    results = {}
    for kind in ("query", "bare", "ours"):
        runs = []
        for _ in range(3):  # the median of three: this machine's timings vary by a third
            out = subprocess.run([sys.executable, __file__, kind], capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = results[kind] = sorted(runs, key=lambda m: m["seconds"])[1]
        every = ", ".join(f"{m['seconds']:.2f}" for m in runs)
        print(
            f"{kind:<5} {r['lines']} lines  median {r['seconds']:6.2f} s (all: {every})  "
            f"peak RSS {r['peak_mb']:6.0f} MB (+{r['grew_mb']:.0f} MB while writing)  "
            f"file {r['file_mb']:.1f} MB"
        )
    ratio = results["ours"]["seconds"] / results["bare"]["seconds"]
    memory = results["ours"]["peak_mb"] / results["bare"]["peak_mb"]
    print(f"ours / bare time: {ratio:.2f}x; memory: {memory:.2f}x")
