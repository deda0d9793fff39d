"""Benchmark: 新老衔接 of a county's 5,000 existing holders, against its floor in the same run.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/placements_import.py [ROWS]

The import reads the file, checks every row, and writes each holder's person, claims, post,
application, history, agreement and placement with their audit entries. The floor is the bare
COPY (common.bulk.bulk_insert) of the same rows into the same tables, with nothing read, checked
or recorded, rolled back. Prints the data size, both times and their ratio (the target: ≤ 3×)."""

import datetime as dt
import sys
import time
from decimal import Decimal
from io import BytesIO

from benchkit import chinese_name, setup, unique_ids

setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from common.bulk import bulk_insert  # noqa: E402
from common.idcard import parse_id_number  # noqa: E402
from common.retirement import default_category  # noqa: E402
from people.models import GroupClaim, Person  # noqa: E402
from placements.migration import COLUMNS, OPTIONAL, placements_import  # noqa: E402
from placements.models import Agreement, Application, Placement, Step, Transition  # noqa: E402
from posts.models import Duty, Post  # noqa: E402
from townships.models import County  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
HEADERS = COLUMNS + OPTIONAL[:3]
county = County.objects.get(code="371502")
townships = list(county.townships.prefetch_related("villages"))
rural_duty = Duty.objects.select_related("category").filter(line="rural").first()
assert rural_duty is not None  # the seed has rural duties
duty = rural_duty
actor = User.objects.filter(is_superuser=True).first() or User.objects.create(username="bench-admin")
taken = set(Person.objects.values_list("id_number", flat=True))
ids = unique_ids(ROWS, seed=11, taken=taken)


def holder(i: int, number: str) -> list[str]:
    township = townships[i % len(townships)]
    villages = list(township.villages.all())
    row = {
        "姓名": chinese_name(i),
        "身份证号": number,
        "镇街代码": township.code,
        "村（社区）": villages[i % len(villages)].name if villages else "新村",
        "岗位类型": "乡村",
        "岗位类别": duty.category.name,
        "岗位名称": duty.name,
        "人员类别": "脱贫人口",
        "上岗日期": "2021-03-01",
        "协议开始日期": "2021-03-01",
        "协议结束日期": "2023-02-28",
        "原在岗月数": str(i % 24),
        "银行账号": f"62284800{i:011d}",
        "开户银行": "农业银行",
        "离岗日期": "2021-12-31" if i % 10 == 0 else "",
        "离岗原因": "协议期满" if i % 10 == 0 else "",
        "原月补贴标准": "1700.00",
    }
    return [row[c] for c in HEADERS]


def workbook() -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("在岗人员")
    ws.append(HEADERS)
    for i, number in enumerate(ids):
        ws.append(holder(i, number))
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def floor() -> float:
    """COPY the same rows (people, claims, posts, applications, history, agreements,
    placements) into the same tables, then roll back."""
    start = time.perf_counter()
    with transaction.atomic():
        now = dt.datetime.now(dt.UTC)
        people = []
        for i, number in enumerate(ids):
            parsed = parse_id_number(number)
            township = townships[i % len(townships)]
            category = default_category(parsed.sex).value
            people.append(
                Person(
                    id_number=number,
                    name=chinese_name(i),
                    sex=parsed.sex,
                    birth_date=parsed.birth_date,
                    township=township,
                    village=township.villages.all()[0],
                    retirement_category=category,
                    bank_account=f"62284800{i:011d}",
                    bank_name="农业银行",
                    created_at=now,
                    updated_at=now,
                )
            )
        bulk_insert(Person, people)
        keys = dict(Person.objects.filter(id_number__in=ids).values_list("id_number", "pk"))
        for p in people:
            p.pk = keys[p.id_number]
        bulk_insert(
            GroupClaim, [GroupClaim(person_id=p.pk, group="poverty_relief", evidence="x") for p in people]
        )
        posts = [
            Post(
                code=f"FLOOR-{i}",
                year=2021,
                township_id=p.township_id,
                village_id=p.village_id,
                line="rural",
                duty=duty,
                status=Post.Status.FILLED,
            )
            for i, p in enumerate(people)
        ]
        bulk_insert(Post, posts)
        post_keys = dict(Post.objects.filter(code__startswith="FLOOR-").values_list("code", "pk"))
        applications = [
            Application(
                person_id=p.pk,
                post_id=post_keys[post.code],
                township_id=p.township_id,
                line="rural",
                year=2021,
                step=Step.PLACED,
                holds_post=True,
                applied_on=dt.date(2021, 3, 1),
                approved_on=dt.date(2021, 3, 1),
                migrated=True,
                created_by=actor,
                created_at=now,
            )
            for p, post in zip(people, posts, strict=True)
        ]
        bulk_insert(Application, applications)
        app_keys = dict(
            Application.objects.filter(person_id__in=keys.values()).values_list("person_id", "pk")
        )
        bulk_insert(
            Transition,
            [
                Transition(
                    application_id=app_keys[p.pk],
                    from_step="",
                    to_step=Step.PLACED,
                    actor=actor,
                    on=dt.date(2021, 3, 1),
                    note="x",
                    migrated=True,
                    at=now,
                )
                for p in people
            ],
        )
        bulk_insert(
            Agreement,
            [
                Agreement(
                    application_id=app_keys[p.pk],
                    number=1,
                    village_id=p.village_id,
                    start_date=dt.date(2021, 3, 1),
                    end_date=dt.date(2023, 2, 28),
                    monthly_pay=Decimal(0),
                    working_time="x",
                    duties="x",
                    signed_on=dt.date(2021, 3, 1),
                    recorded_by=actor,
                )
                for p in people
            ],
        )
        bulk_insert(
            Placement,
            [
                Placement(
                    application_id=app_keys[p.pk],
                    person_id=p.pk,
                    post_id=post_keys[post.code],
                    township_id=p.township_id,
                    line="rural",
                    on_post_date=dt.date(2021, 3, 1),
                    prior_months=0,
                    first_approved_on=dt.date(2021, 3, 1),
                    migrated=True,
                )
                for p, post in zip(people, posts, strict=True)
            ],
        )
        transaction.set_rollback(True)
    return time.perf_counter() - start


def imported(data: bytes) -> float:
    start = time.perf_counter()
    with transaction.atomic():
        report = placements_import(county=county, source=BytesIO(data), dry_run=False, actor=actor)
        assert report.imported, report.problems[:5]
        transaction.set_rollback(True)  # the same database for every run
    return time.perf_counter() - start


data = workbook()
print(f"file: {ROWS} holders, {len(data) / 1024:.0f} KiB; {connection.vendor}")
floors, imports = [], []
for _ in range(2):
    floors.append(floor())
    imports.append(imported(data))
best_floor, best_import = min(floors), min(imports)
print(f"floor (COPY of the same rows)  {best_floor:6.2f} s")
print(f"import (read, check, write)    {best_import:6.2f} s")
print(f"ratio                          {best_import / best_floor:6.2f}×  (target ≤ 3×)")
