"""Benchmark: import a 10,000-row applicant file for one township with all checks, against its
floor in the same run.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/people_import.py [ROWS [ROUNDS]]

The database needs the reference data (seed_demo: townships, villages); benchkit.setup creates,
migrates and seeds it. The floor is reading the same file with the bare reader (calamine, no
checks) plus a committed COPY (common.bulk.bulk_insert) of its rows into the people table.
Prints the time of the preview, the first import (all new) and two re-imports (all updates),
each with its ratio to the floor (the target: ≤ 3×): the best of ROUNDS rounds, each starting
from the township without the file's people."""

import datetime as dt
import sys
import time
from io import BytesIO
from typing import cast

from benchkit import chinese_name, setup, unique_ids

setup()

from django.db import transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from common.bulk import bulk_insert  # noqa: E402
from people.imports import COLUMNS, applicants_import  # noqa: E402
from people.models import Person  # noqa: E402
from townships.models import Township  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
township = Township.objects.get(code="371502101")
villages = list(township.villages.values_list("name", flat=True))
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


def floor(data: bytes) -> float:
    """The bare reader and a COPY of the same rows (sex and birth date sliced from the number),
    committed like the import (the deferred foreign keys are checked at the commit), then removed
    untimed: what any import of this file must at least do."""
    start = time.perf_counter()
    sheet = CalamineWorkbook.from_filelike(BytesIO(data)).get_sheet_by_index(0).to_python()
    grid = cast(list[list[str]], sheet)  # the bench wrote every cell as text
    village = township.villages.first()
    people = [
        Person(
            name=name,
            id_number=number,
            phone=phone,
            township=township,
            village=village,
            address=address,
            household_no=household,
            bank_account=account,
            bank_name=bank,
            note=note,
            sex="male" if int(number[16]) % 2 else "female",
            birth_date=dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
            retirement_category="male_60",
        )
        for name, number, phone, _village, address, household, _groups, account, bank, note in grid[1:]
    ]
    with transaction.atomic():
        bulk_insert(Person, people)
    elapsed = time.perf_counter() - start
    Person.objects.filter(id_number__in=[p.id_number for p in people]).delete()
    return elapsed


def clear() -> None:
    Person.objects.filter(township=township).exclude(note__startswith="bench-generated").delete()


ids = unique_ids(ROWS, seed=7, taken=taken)
data, changed = workbook(ids), workbook(ids, phone_prefix="139")
print(f"file: {ROWS} rows, {len(data) / 1024:.0f} KiB; database: {Person.objects.count()} people before")
runs = (
    ("preview (dry run)", data, True),
    ("import, all new", data, False),
    ("re-import, same file", data, False),
    ("re-import, every phone changed", changed, False),
)
best: dict[str, float] = {}
counts: dict[str, tuple[int, int]] = {}
for _ in range(ROUNDS):  # the best of a few rounds: the machine is shared
    clear()
    best["floor"] = min(best.get("floor", float("inf")), floor(data))
    for label, content, dry_run in runs:
        start = time.perf_counter()
        report = applicants_import(township=township, source=BytesIO(content), dry_run=dry_run)
        elapsed = time.perf_counter() - start
        assert report.ok, report.problems[:5]
        best[label] = min(best.get(label, float("inf")), elapsed)
        counts[label] = (report.created, report.updated)
print(f"{'floor (bare read + COPY)':<32} {best['floor']:6.2f} s")
for label, _content, _dry_run in runs:
    created, updated = counts[label]
    ratio = best[label] / best["floor"]
    print(f"{label:<32} {best[label]:6.2f} s  {ratio:5.2f}× floor  (new {created}, updated {updated})")
after = Person.objects.filter(township=township).count()
print(f"people in township after: {after} (with people_list's generated); best of {ROUNDS} rounds")
