"""Benchmark: the people list at province scale.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench .venv/bin/python bench/people_list.py [PEOPLE]

Builds PEOPLE people (default 400,000) spread over every township of both seed counties, each
with one or two group claims, then requests the people list as a clerk and as HR through the
whole Django stack (middleware, scoping, template) and prints median and 95th percentile."""

import datetime as dt
import random
import sys
import time

from benchkit import chinese_name, setup, summary, timed

setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from common.bulk import insert_rows  # noqa: E402
from common.idcard import check_character  # noqa: E402
from people.models import GroupClaim, Person, TargetGroup  # noqa: E402
from townships.models import Township, Village  # noqa: E402

PEOPLE = int(sys.argv[1]) if len(sys.argv) > 1 else 400_000
MARK = "bench-generated-v2"
GROUPS = [g.value for g in TargetGroup]
STATUSES = ["verified", "unverified", "pending", "accepted"]
VILLAGES = 20  # per township, as a real township has; the demo seed makes only 3


def _villages(town: Township) -> list[Village]:
    for n in range(town.villages.count(), VILLAGES):
        Village.objects.get_or_create(township=town, name=f"{town.name[:2]}第{n + 1}村")
    return list(town.villages.order_by("pk")[:VILLAGES])


def generate(n: int) -> None:
    """n people with unique valid ID numbers, 1-2 claims each, written by COPY in chunks."""
    rng = random.Random(20261123)
    towns = list(Township.objects.select_related("county"))
    villages = {town.pk: _villages(town) for town in towns}
    base = dt.date(1958, 1, 1)
    now = dt.datetime.now(dt.UTC)
    chunk = 50_000
    for start in range(0, n, chunk):
        rows = []
        for i in range(start, min(n, start + chunk)):
            town = towns[i % len(towns)]
            birth = base + dt.timedelta(days=i % 17_000)
            serial = i // 17_000  # the order code's last digit: odd for men, even for women
            sex = "male" if i % 2 else "female"
            last = (1 if sex == "male" else 2) + 2 * (serial // 100)  # beyond 1.7 million people
            first17 = f"{town.county.code}{birth:%Y%m%d}{serial % 100:02d}{last}"
            number = first17 + check_character(first17)
            village = villages[town.pk][(i // len(towns)) % VILLAGES]
            rows.append(
                (
                    chinese_name(rng.randrange(10**6)),
                    number,
                    sex,
                    birth,
                    f"138{i:08d}",
                    town.pk,
                    village.pk,
                    f"{village.name}{i}号",
                    f"H{i // 3}",
                    "male_60" if sex == "male" else "female_50",
                    f"62284800{i:011d}",
                    "农业银行",
                    MARK,
                    False,
                    False,
                    now,
                    now,
                )
            )
        with transaction.atomic():
            insert_rows(
                Person,
                [
                    "name",
                    "id_number",
                    "sex",
                    "birth_date",
                    "phone",
                    "township_id",
                    "village_id",
                    "address",
                    "household_no",
                    "retirement_category",
                    "bank_account",
                    "bank_name",
                    "note",
                    "on_death_roster",
                    "on_pension_roster",
                    "created_at",
                    "updated_at",
                ],
                rows,
            )
        print(f"  people {min(n, start + chunk):>7}", flush=True)
    ids = list(Person.objects.filter(note=MARK).values_list("pk", flat=True))
    claims = []
    for index, pk in enumerate(ids):
        first = GROUPS[index % len(GROUPS)]
        claims.append((pk, first, STATUSES[index % len(STATUSES)], None))
        if index % 3 == 0:
            second = GROUPS[(index + 4) % len(GROUPS)]
            claims.append((pk, second, STATUSES[(index + 1) % len(STATUSES)], None))
    for start in range(0, len(claims), 100_000):
        with transaction.atomic():
            insert_rows(
                GroupClaim, ["person_id", "group", "status", "roster_id"], claims[start : start + 100_000]
            )
    vacuum()


def vacuum() -> None:
    """What autovacuum does on a live server after a bulk load: statistics and the visibility
    map (index-only scans for counts)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE people_person")
        cursor.execute("VACUUM ANALYZE people_groupclaim")


existing = Person.objects.filter(note=MARK).count()
vacuum()
if existing != PEOPLE:
    print(f"building {PEOPLE} people (found {existing}) …", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:  # earlier generations too; a raw DELETE is minutes faster
        generated = "SELECT id FROM people_person"  # the bench database is the benchmarks' own
        cursor.execute(f"DELETE FROM people_groupclaim WHERE person_id IN ({generated})")
        cursor.execute("DELETE FROM people_person")
    generate(PEOPLE)
    print(f"built in {time.perf_counter() - started:.0f} s")

total = Person.objects.count()
clerk_town = Township.objects.get(code="371502101")
print(
    f"people in database: {total}; in {clerk_town.name}: {Person.objects.filter(township=clerk_town).count()}"
)
sample = Person.objects.filter(township=clerk_town).order_by("pk")[1234]

url = reverse("people:person-list")
cases: dict[str, list[tuple[str, dict[str, str | int]]]] = {
    "clerk_371502101": [
        ("first page", {}),
        ("page 100", {"page": 100}),
        ("name prefix (one character)", {"q": sample.name[0]}),
        ("name prefix (full name)", {"q": sample.name}),
        ("whole ID number", {"q": sample.id_number}),
        ("name + last 4 of the ID number", {"q": f"{sample.name} {sample.id_number[-4:]}"}),
        ("village name", {"q": sample.village.name}),
        ("group filter", {"group": "rural_disabled"}),
        ("group + status filter", {"group": "poverty", "status": "unverified"}),
    ],
    "hr_371502": [
        ("county first page", {}),
        ("county page 200 (last offered)", {"page": 200}),
        ("county name prefix", {"q": sample.name[:2]}),
        ("county whole ID number", {"q": sample.id_number}),
        ("county township filter", {"township": "371502101"}),
        ("county group + status filter", {"group": "low_income", "status": "verified"}),
    ],
}
REPEAT = 30
settings.ID_SEARCH_LIMIT = 10**6  # the bench repeats its searches by number (common.search)
for username, requests in cases.items():
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    print(f"\n{username}")
    for label, params in requests:
        response = client.get(url, params)
        # a search by number comes back at an address holding a token, not the number
        address, query = (response["Location"], {}) if response.status_code == 302 else (url, params)
        assert client.get(address, query).status_code == 200, (label, response.status_code)
        times = timed(lambda client=client, a=address, q=query: client.get(a, q), REPEAT)
        print(summary(f"  {label}", times))
