"""Loads the seed documents' data and the demo cast through each app's services.
Lives downstream of every app so that it may call all of them."""

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured

from people.services import eligibility_rules_load
from posts.services import catalogue_load
from subsidies.services import policies_load
from townships.models import County, Role, Township, Village
from townships.services import (
    PlanRow,
    organisation_load,
    plan_load,
    user_with_membership_ensure,
    village_ensure,
)

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
VILLAGE_SUFFIXES = ("东", "西", "南")


def read_fixture(name: str) -> dict | list:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass
class SeedResult:
    counties: list[County] = field(default_factory=list)
    users: list[tuple[str, str, str]] = field(default_factory=list)  # username, role label, scope


def short_name(township: Township) -> str:
    for suffix in ("街道", "镇"):
        if township.name.endswith(suffix) and len(township.name) > len(suffix) + 1:
            return township.name[: -len(suffix)]
    return township.name


def seed_reference_data() -> list[County]:
    counties = organisation_load(data=read_fixture("organisation.json"))
    for item in read_fixture("plans_2022.json"):
        plan_load(
            county=County.objects.get(code=item["county"]),
            year=item["year"],
            title=item["title"],
            document=item["document"],
            declared_urban=item["declared"]["urban"],
            declared_rural=item["declared"]["rural"],
            rows=[PlanRow(township_code=r[0], urban=r[3], rural=r[4]) for r in item["rows"]],
        )
    catalogue_load(data=read_fixture("post_categories.json"))
    eligibility_rules_load(data=read_fixture("eligibility_rules.json"))
    policies_load(data=read_fixture("policies_2022.json"))
    for township in Township.objects.all():
        kind = Village.Kind.COMMUNITY if township.kind == Township.Kind.STREET else Village.Kind.VILLAGE
        word = "社区" if kind == Village.Kind.COMMUNITY else "村"
        for suffix in VILLAGE_SUFFIXES:
            village_ensure(township=township, name=f"{short_name(township)}{suffix}{word}", kind=kind)
    return counties


def demo_users_check() -> None:
    """Refuse demo users (known passwords) where DEMO_USERS_ALLOWED is off (production).
    seed_demo asks this before it writes anything."""
    if not settings.DEMO_USERS_ALLOWED:
        raise ImproperlyConfigured("生产环境不允许创建演示用户。")


def seed_demo_users(*, password: str) -> list[tuple[str, str, str]]:
    demo_users_check()
    made = []
    user_with_membership_ensure(username="county_admin", password=password, role=Role.COUNTY_ADMIN)
    made.append(("county_admin", Role.COUNTY_ADMIN.label, "全部区县"))
    for county in County.objects.order_by("code"):
        for role in (Role.HR, Role.FINANCE, Role.AUDITOR):
            username = f"{role.value}_{county.code}"
            user_with_membership_ensure(username=username, password=password, role=role, county=county)
            made.append((username, role.label, county.name))
        # a second finance user: the one who computes a month never approves or locks it
        username = f"finance2_{county.code}"
        user_with_membership_ensure(username=username, password=password, role=Role.FINANCE, county=county)
        made.append((username, f"{Role.FINANCE.label}（复核）", county.name))
        for township in county.townships.order_by("code"):
            username = f"clerk_{township.code}"
            user_with_membership_ensure(
                username=username, password=password, role=Role.CLERK, county=county, township=township
            )
            made.append((username, Role.CLERK.label, f"{county.name}{township.name}"))
    return made


DEMO_PEOPLE = [
    ("张桂英", "19700312", "female", ["poverty"]),
    ("李建国", "19650708", "male", ["low_income"]),
    ("王秀兰", "19681120", "female", ["rural_disabled"]),
]


def seed_demo_round(*, today: dt.date | None = None) -> int:
    """Something to work on in 沙镇镇 (clerk_371502101): three vacant rural posts of the 2022
    plan, an open announcement by hr_371502 and three registered applicants. Only once."""
    from common.idcard import check_character
    from people.models import Person
    from people.services import PersonData, person_create
    from posts.models import Duty, Post
    from posts.services import announcement_publish, post_create

    township = Township.objects.get(code="371502101")
    if Post.objects.filter(township=township).exists():
        return 0
    today = today or dt.date.today()
    village = township.villages.order_by("pk").first()
    duty = Duty.objects.get(line="rural", name="村容保洁")
    posts = [
        post_create(township=township, village=village, line="rural", year=2022, duty=duty) for _ in range(3)
    ]
    hr = User.objects.get(username="hr_371502")
    announcement_publish(
        county=township.county,
        title=f"{township.name}乡村公益性岗位招聘公告（演示）",
        deadline=today + dt.timedelta(days=30),
        posts=posts,
        actor=hr,
        body="面向本镇脱贫享受政策人口、农村低收入人口、农村残疾人和农村大龄人员招聘乡村公益性岗位。",
    )
    for serial, (name, birth, sex, groups) in enumerate(DEMO_PEOPLE, start=1):
        first17 = f"371502{birth}{serial:02d}{1 if sex == 'male' else 2}"
        number = first17 + check_character(first17)
        if not Person.objects.filter(id_number=number).exists():
            person_create(
                township=township,
                data=PersonData(name=name, id_number=number, village=village.name, groups=groups),
            )
    return len(posts)
