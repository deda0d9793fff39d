"""Benchmark: the attendance pages of a township of 1,000 holders in 17 villages (issue 19).

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/attendance_grid.py

Builds once (by COPY) a township 基准镇 of 东昌府区 with 17 villages and 1,000 holders on post in
March 2022, 60 of them in its first village, a clerk and that village's user. Then times, through
the Django test client (middleware, gate, template): the clerk's grid of the 60-holder village
(the first request after cache.clear(), and the 95th percentile of 30 warm ones) and the
township's list of villages; and saving the village's month of 60 holders (each day's presence)
through village_month_record and through the village page's POST. Beside them, a floor measured in
the same run: the bare query reading the grid's rows, and a bare INSERT … ON CONFLICT UPDATE of the
60 records. Targets: grid p95 < 150 ms, save < 300 ms."""

import datetime as dt
import time

from benchkit import chinese_name, setup, summary, timed, unique_ids

setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from common.bulk import insert_rows  # noqa: E402
from people.models import Person  # noqa: E402
from placements.models import Application, Placement  # noqa: E402
from posts.models import Duty, Post  # noqa: E402
from subsidies.models import Attendance, AttendanceSheet  # noqa: E402
from subsidies.village_attendance import VillageMark, village_month_record  # noqa: E402
from townships.models import County, Role, Township, Village  # noqa: E402
from townships.services import user_with_membership_ensure  # noqa: E402

HOLDERS, VILLAGES, FIRST = 1_000, 17, 60
MONTH = dt.date(2022, 3, 1)
JAN_1 = dt.date(2022, 1, 1)
CODE = "371502901"
PASSWORD = "bench-password-1"
ROUNDS = 30


def township() -> Township:
    county = County.objects.get(code="371502")
    town, _ = Township.objects.get_or_create(
        code=CODE, defaults={"name": "基准镇", "kind": Township.Kind.TOWN, "county": county}
    )
    for n in range(town.villages.count(), VILLAGES):
        Village.objects.create(township=town, name=f"基准{n + 1:02d}村")
    return town


def build(town: Township) -> None:
    """HOLDERS people on posts of the township's villages from 2022-01-01: the first FIRST in the
    first village, the rest spread over the others."""
    villages = list(town.villages.order_by("pk").values_list("pk", flat=True))
    taken = set(Person.objects.values_list("id_number", flat=True))
    numbers = unique_ids(HOLDERS, 20261203, taken)
    now = timezone.now()
    where = [villages[0] if i < FIRST else villages[1 + (i - FIRST) % (VILLAGES - 1)] for i in range(HOLDERS)]
    with transaction.atomic():
        insert_rows(
            Person,
            ["name", "id_number", "sex", "birth_date", "phone", "township_id", "village_id", "address"]
            + ["household_no", "retirement_category", "bank_account", "bank_name", "note"]
            + ["on_death_roster", "on_pension_roster", "created_at", "updated_at"],
            [
                (chinese_name(i), n, "male", dt.date(1970, 1, 1), "", town.pk, where[i], "", f"J{i}")
                + ("male_60", f"62284811{i:011d}", "农业银行", "bench-attendance", False, False, now, now)
                for i, n in enumerate(numbers)
            ],
        )
    people = dict(Person.objects.filter(note="bench-attendance").values_list("id_number", "pk"))
    duty = Duty.objects.filter(line="rural").first()
    actor = User.objects.get(username="hr_371502")
    with transaction.atomic():
        insert_rows(
            Post,
            ["code", "year", "township_id", "village_id", "line", "duty_id", "status"],
            [(f"J-{i:05d}", 2022, town.pk, where[i], "rural", duty.pk, "filled") for i in range(HOLDERS)],  # type: ignore[union-attr]
        )
    posts = dict(Post.objects.filter(code__startswith="J-").values_list("code", "pk"))
    with transaction.atomic():
        insert_rows(
            Application,
            ["person_id", "post_id", "township_id", "line", "year", "step", "holds_post"]
            + ["applied_on", "approved_on", "migrated", "created_by_id"],
            [
                (people[n], posts[f"J-{i:05d}"], town.pk, "rural", 2022, "placed", True)
                + (JAN_1, JAN_1, False, actor.pk)
                for i, n in enumerate(numbers)
            ],
        )
    apps = dict(Application.objects.filter(post__code__startswith="J-").values_list("post_id", "pk"))
    with transaction.atomic():
        insert_rows(
            Placement,
            ["application_id", "person_id", "post_id", "township_id", "line", "on_post_date"]
            + ["prior_months", "first_approved_on", "exit_date", "exit_reason", "referral", "exit_note"],
            [
                (apps[posts[f"J-{i:05d}"]], people[n], posts[f"J-{i:05d}"], town.pk, "rural", JAN_1)
                + (0, JAN_1, None, "", "", "")
                for i, n in enumerate(numbers)
            ],
        )
    with connection.cursor() as cursor:
        for table in ("people_person", "posts_post", "placements_application", "placements_placement"):
            cursor.execute(f"VACUUM ANALYZE {table}")


town = township()
if Placement.objects.filter(township=town).count() != HOLDERS:
    started = time.perf_counter()
    build(town)
    print(f"built {HOLDERS} holders in {VILLAGES} villages in {time.perf_counter() - started:.0f} s")
found = town.villages.order_by("pk").first()
assert found is not None
first: Village = found
clerk = user_with_membership_ensure(
    username="bench_clerk_j", password=PASSWORD, role=Role.CLERK, township=town
)
keeper = user_with_membership_ensure(
    username="bench_village_j", password=PASSWORD, role=Role.VILLAGE, township=town, village=first
)
holders = list(
    Placement.objects.filter(post__village=first).select_related("person").order_by("person__name")
)
assert len(holders) == FIRST, len(holders)
# Each run starts from the village's month being filled in (no sheet, no records).
Attendance.objects.filter(placement__in=holders, month=MONTH).delete()
AttendanceSheet.objects.filter(village=first, month=MONTH).delete()


def presence(n: int) -> str:
    return "1" * n + "0" * (31 - n)


def marks(days: int) -> list[VillageMark]:
    return [VillageMark(p.pk, presence=presence(days), note="") for p in holders]


village_month_record(actor=keeper, village=first, month=MONTH, marks=marks(20))  # every row exists

grid = f"{reverse('subsidies:attendance-grid', args=(first.pk,))}?month=2022-03"
index = f"{reverse('subsidies:attendance-villages')}?month=2022-03"
clerk_client = Client(HTTP_HOST="127.0.0.1")
clerk_client.force_login(clerk)
cache.clear()
start = time.perf_counter()
assert clerk_client.get(grid).status_code == 200
cold = (time.perf_counter() - start) * 1000
warm = timed(lambda: clerk_client.get(grid), ROUNDS)
villages = timed(lambda: clerk_client.get(index), ROUNDS)

FLOOR_READ = """
SELECT p.id, pe.name, pe.id_number, p.line, a.days, a.withheld, a.note, a.presence,
       a.recorded_by_id, a.confirmed_by_id, a.confirmed_at
FROM placements_placement p
JOIN people_person pe ON pe.id = p.person_id
JOIN posts_post po ON po.id = p.post_id
LEFT JOIN subsidies_attendance a ON a.placement_id = p.id AND a.month = %s
WHERE p.township_id = %s AND po.village_id = %s AND p.on_post_date <= %s
  AND (p.exit_date IS NULL OR p.exit_date >= %s)
ORDER BY pe.name
"""


def floor_read() -> None:
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_READ, [MONTH, town.pk, first.pk, dt.date(2022, 3, 31), MONTH])
        cursor.fetchall()


read_floor = timed(floor_read, ROUNDS)

rounds = iter(range(10_000))


def by_service() -> None:
    village_month_record(actor=keeper, village=first, month=MONTH, marks=marks(18 + next(rounds) % 2))


service = timed(by_service, 10)

keeper_client = Client(HTTP_HOST="127.0.0.1")
keeper_client.force_login(keeper)
page = f"{reverse('subsidies:village-month', args=(first.pk,))}?month=2022-03"


def by_page() -> None:
    days = 20 + next(rounds) % 2  # differs from what the page shows: every row is changed
    data = {"month": "2022-03", "action": "save", "h-TOTAL_FORMS": str(FIRST), "h-INITIAL_FORMS": str(FIRST)}
    data |= {"h-MIN_NUM_FORMS": "0", "h-MAX_NUM_FORMS": "2000"}
    for i, p in enumerate(holders):
        data[f"h-{i}-placement"] = str(p.pk)
        data[f"h-{i}-days"] = ""
        data[f"h-{i}-note"] = ""
        data[f"h-{i}-presence"] = presence(days)
    response = keeper_client.post(page, data)
    assert response.status_code == 302, response.content.decode()[-3000:]


posted = timed(by_page, 10)

FLOOR_WRITE = """
INSERT INTO subsidies_attendance (placement_id, month, days, withheld, note, presence, recorded_by_id,
                                  recorded_at, confirmed_by_id, confirmed_at)
SELECT unnest(%s::bigint[]), %s, %s, false, '', %s, %s, now(), NULL, NULL
ON CONFLICT (placement_id, month) DO UPDATE
SET days = EXCLUDED.days, presence = EXCLUDED.presence, note = EXCLUDED.note, withheld = EXCLUDED.withheld,
    recorded_by_id = EXCLUDED.recorded_by_id, recorded_at = EXCLUDED.recorded_at,
    confirmed_by_id = NULL, confirmed_at = NULL
"""


def floor_write() -> None:
    days = 18 + next(rounds) % 2
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(FLOOR_WRITE, [[p.pk for p in holders], MONTH, days, presence(days), keeper.pk])


write_floor = timed(floor_write, 10)


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def median(times: list[float]) -> float:
    return sorted(times)[len(times) // 2]


print(
    f"township {town.name}: {HOLDERS} holders in {VILLAGES} villages; "
    f"the grid's village {first.name}: {FIRST}"
)
print(f"{'clerk grid, first request after cache.clear()':<46} {cold:7.1f} ms")
print(
    summary("clerk grid, warm", warm) + f"   (target p95 < 150 ms; {p95(warm) / p95(read_floor):.0f}× floor)"
)
print(summary("township villages list, warm", villages))
print(summary("floor: bare query of the grid's rows", read_floor))
print(
    summary("save 60 holders: village_month_record", service)
    + f"   ({median(service) / median(write_floor):.0f}× floor)"
)
print(
    summary("save 60 holders: village page POST", posted)
    + f"   ({median(posted) / median(write_floor):.0f}× floor)"
)
print(summary("floor: bare INSERT … ON CONFLICT UPDATE of 60", write_floor) + "   (target save < 300 ms)")
