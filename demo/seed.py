"""Loads the seed documents' data and the demo cast through each app's services.
Lives downstream of every app so that it may call all of them."""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from people.services import eligibility_rules_load
from posts.services import catalogue_load
from subsidies.services import policies_load
from subsidies.social_insurance import social_insurance_load
from townships.agencies import agency_create, agency_user_ensure, contract_create
from townships.models import Agency, City, County, Role, Township, Village
from townships.plans import five_year_plans_load
from townships.services import (
    PlanRow,
    organisation_load,
    plan_load,
    user_with_membership_ensure,
    village_ensure,
)

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
VILLAGE_SUFFIXES = ("东", "西", "南")


def read_fixture(name: str) -> Any:  # the documents' JSON, read by each loader
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
    five_year_plans_load(data=read_fixture("five_year_plans.json"))  # docs/policy.md §2.5
    catalogue_load(data=read_fixture("post_categories.json"))
    eligibility_rules_load(data=read_fixture("eligibility_rules.json"))
    policies_load(data=read_fixture("policies_2022.json"))
    # example figures, to be replaced by the county's (docs/policy.md §8.13)
    social_insurance_load(data=read_fixture("social_insurance_2022.json"))
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
            made.append((username, str(role.label), county.name))
        # a second finance user: the one who computes a month never approves or locks it
        username = f"finance2_{county.code}"
        user_with_membership_ensure(username=username, password=password, role=Role.FINANCE, county=county)
        made.append((username, f"{Role.FINANCE.label}（复核）", county.name))
        for township in county.townships.order_by("code"):
            made += seed_township_users(township=township, password=password)
    made += seed_demo_agency(password=password)
    made += seed_supervisors(password=password)
    return made


def seed_supervisors(*, password: str) -> list[tuple[str, str, str]]:
    """A city user per city (city_<code>: 聊城 3715, 济宁 3708) and the province user province_37,
    read-only above the county (docs/policy.md §1.4). Idempotent."""
    made = []
    for city in City.objects.order_by("code"):
        username = f"city_{city.code}"
        user_with_membership_ensure(username=username, password=password, role=Role.CITY, city=city)
        made.append((username, str(Role.CITY.label), city.name))
    user_with_membership_ensure(username="province_37", password=password, role=Role.PROVINCE)
    made.append(("province_37", str(Role.PROVINCE.label), "全省（全部区县）"))
    return made


def seed_demo_agency(*, password: str) -> list[tuple[str, str, str]]:
    """One contracted agency (docs/policy.md §1.5) keeping 沙镇镇's attendance and entering its
    applicants this year and next, and its staff agency_<code>. Idempotent."""
    township = Township.objects.filter(code=DEMO_TOWNSHIP).select_related("county").first()
    if township is None:
        return []
    agency = Agency.objects.filter(credit_code=DEMO_AGENCY_CODE).first() or agency_create(
        county=township.county, name="聊城众诚人力资源服务有限公司（演示）", credit_code=DEMO_AGENCY_CODE
    )
    if not agency.contracts.exists():
        year = timezone.localdate().year
        contract_create(
            agency=agency,
            number="演示-1",
            townships=[township],
            start_date=dt.date(year, 1, 1),
            end_date=dt.date(year + 1, 12, 31),
            attendance=True,
            applicants=True,
            document="演示合同",
        )
    username = f"agency_{township.code}"
    agency_user_ensure(agency=agency, username=username, password=password)
    return [(username, Role.AGENCY.label, f"{agency.name}：{township.name}考勤、申请人录入")]


DEMO_AGENCY_CODE = "91371502MA3D8R2N1N"  # a valid 统一社会信用代码 (its check character computed)


def seed_township_users(*, township: Township, password: str) -> list[tuple[str, str, str]]:
    """Two clerks per township: clerk_<code> enters applications and clerk2_<code> records their
    democratic review, since the clerk who entered an application may not pass it (docs/policy.md §1.3);
    and village_<code>, the village user of its first village."""
    scope = f"{township.county.name}{township.name}"
    made = []
    for username, label in ((f"clerk_{township.code}", ""), (f"clerk2_{township.code}", "（第二经办人）")):
        user_with_membership_ensure(
            username=username, password=password, role=Role.CLERK, county=township.county, township=township
        )
        made.append((username, f"{Role.CLERK.label}{label}", scope))
    # One village user (村（社区）协管员, docs/policy.md §1.2) for the township's first village: they
    # record the village's month on a phone and submit it; a clerk confirms it (§9.2).
    village = township.villages.order_by("pk").first()
    if village is not None:
        username = f"village_{township.code}"
        user_with_membership_ensure(
            username=username, password=password, role=Role.VILLAGE, township=township, village=village
        )
        made.append((username, Role.VILLAGE.label, f"{scope}{village.name}"))
    return made


# name, birth date, sex, target groups, bank account (a payroll line needs one: docs/policy.md §11)
DEMO_PEOPLE = [
    ("张桂英", "19700312", "female", ["poverty"], "6228480000000000011"),
    ("李建国", "19650708", "male", ["low_income"], "6228480000000000029"),
    ("王秀兰", "19681120", "female", ["rural_disabled"], "6228480000000000037"),
]
DEMO_TOWNSHIP = "371502101"  # 沙镇镇, 东昌府区
DEMO_TITLE = "沙镇镇乡村公益性岗位招聘公告（演示）"
# The announcement is dated this many days before the seed, so that the walk's first steps may
# be dated on the last working day even on a weekend or in a week-long holiday.
DEMO_PUBLISHED_DAYS_AGO = 14


def demo_id_number(serial: int, birth: str, sex: str) -> str:
    from common.idcard import check_character

    first17 = f"371502{birth}{serial:02d}{1 if sex == 'male' else 2}"
    return first17 + check_character(first17)


def demo_people() -> list[tuple[str, str]]:
    """The demo applicants' (name, ID number), in the order they are registered."""
    return [
        (name, demo_id_number(serial, birth, sex))
        for serial, (name, birth, sex, _, _) in enumerate(DEMO_PEOPLE, start=1)
    ]


def seed_demo_round(*, today: dt.date | None = None) -> int:
    """Something to work on in 沙镇镇 (clerk_371502101): three vacant rural posts of the 2022
    plan, an open announcement by hr_371502 published two weeks before `today`, and three
    registered applicants with their bank accounts. Only once."""
    from people.models import Person
    from people.services import PersonData, person_create
    from posts.models import Duty, Post
    from posts.services import announcement_publish, post_create

    township = Township.objects.get(code=DEMO_TOWNSHIP)
    if Post.objects.filter(township=township).exists():
        return 0
    today = today or timezone.localdate()
    village = township.villages.order_by("pk")[0]  # seed_reference_data made three
    duty = Duty.objects.get(line="rural", name="村容保洁")
    posts = [
        post_create(township=township, village=village, line="rural", year=2022, duty=duty) for _ in range(3)
    ]
    announcement_publish(
        county=township.county,
        title=DEMO_TITLE,
        deadline=today + dt.timedelta(days=30),
        posts=posts,
        actor=User.objects.get(username="hr_371502"),
        body="面向本镇脱贫享受政策人口、农村低收入人口、农村残疾人和农村大龄人员招聘乡村公益性岗位。",
        on=today - dt.timedelta(days=DEMO_PUBLISHED_DAYS_AGO),
        today=today,
    )
    for (name, number), (_, _, _, groups, account) in zip(demo_people(), DEMO_PEOPLE, strict=True):
        if not Person.objects.filter(id_number=number).exists():
            data = PersonData(
                name=name,
                id_number=number,
                village=village.name,
                groups=groups,
                bank_account=account,
                bank_name="农业银行聊城分行",
            )
            person_create(township=township, data=data)
    return len(posts)


DEMO_EXAMPLE = "示例数据（演示用，请按本区县文件修改）"


def seed_demo_assessment() -> int:
    """An example assessment scheme and bonus rule per county (docs/policy.md §8.14, §9.10), so
    the demo's assessment and bonus pages have something to work with; labelled as examples (the
    documents set no figures). Only once per county; returns how many counties got them."""
    from assessment.models import BonusRule, BonusTier, Scheme

    made = 0
    start = dt.date(2022, 1, 1)
    for county in County.objects.order_by("code"):
        if Scheme.objects.filter(county=county).exists():
            continue
        Scheme.objects.create(
            county=county,
            name="公益性岗位月度考核（示例）",
            valid_from=start,
            pass_mark=Decimal(60),
            fail_share=Decimal("0.30"),
            exit_after=3,
            document=DEMO_EXAMPLE,
        )
        rule = BonusRule.objects.create(
            county=county, valid_from=start, share=Decimal("0.20"), document=DEMO_EXAMPLE
        )
        BonusTier.objects.create(rule=rule, name="优秀", min_score=Decimal(90), amount=Decimal(300))
        BonusTier.objects.create(rule=rule, name="良好", min_score=Decimal(80), amount=Decimal(150))
        made += 1
    return made
