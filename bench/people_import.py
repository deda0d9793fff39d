"""Benchmark: import a 10,000-row applicant file for one township with all checks.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/people_import.py [ROWS]

Prints the time of the dry run, the first import (all new) and a re-import (all updates)."""

import sys
import time
from io import BytesIO

from benchkit import chinese_name, setup, unique_ids

setup()

from openpyxl import Workbook  # noqa: E402

from people.imports import COLUMNS, applicants_import  # noqa: E402
from people.models import Person  # noqa: E402
from townships.models import Township  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
township = Township.objects.get(code="371502101")
villages = list(township.villages.values_list("name", flat=True))
Person.objects.filter(township=township).exclude(
    note__startswith="bench-generated"
).delete()  # keep people_list's
taken = set(Person.objects.values_list("id_number", flat=True))


def workbook(ids: list[str], phone_prefix: str = "138") -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("申请人")
    ws.append(COLUMNS)
    groups = ["脱贫享受政策人口", "农村低收入人口", "农村残疾人、脱贫享受政策人口", "农村大龄人员"]
    for i, number in enumerate(ids):
        ws.append(
            [
                chinese_name(i),
                number,
                f"{phone_prefix}{i:08d}",
                villages[i % len(villages)],
                f"沙镇{i}号",
                f"H{i // 3}",
                groups[i % 4],
                f"62284800{i:011d}",
                "农业银行",
                "",
            ]
        )
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


ids = unique_ids(ROWS, seed=7, taken=taken)
data, changed = workbook(ids), workbook(ids, phone_prefix="139")
print(f"file: {ROWS} rows, {len(data) / 1024:.0f} KiB; database: {Person.objects.count()} people before")
runs = (
    ("dry run (preview)", data, True),
    ("import, all new", data, False),
    ("re-import, same file", data, False),
    ("re-import, every phone changed", changed, False),
)
for label, content, dry_run in runs:
    start = time.perf_counter()
    report = applicants_import(township=township, source=BytesIO(content), dry_run=dry_run)
    elapsed = time.perf_counter() - start
    assert report.ok, report.problems[:5]
    print(f"{label:<32} {elapsed:6.2f} s  (new {report.created}, updated {report.updated})")
after = Person.objects.filter(township=township).count()
print(f"people in township after: {after} (with people_list's generated)")
