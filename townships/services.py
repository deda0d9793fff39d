"""Writes for organisation, plans and memberships. Each loader is idempotent: running it twice
leaves the same rows (update_or_create keyed on the natural codes)."""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import City, County, Membership, Plan, PlanVersion, Quota, Role, Township, Village
from .plans import PlanRow, rows_check


@transaction.atomic
def organisation_load(*, data: dict) -> list[County]:
    """Create or update cities, counties and townships from the organisation fixture."""
    cities = {}
    for item in data["cities"]:
        cities[item["code"]], _ = City.objects.update_or_create(
            code=item["code"], defaults={"name": item["name"]}
        )
    counties = []
    for item in data["counties"]:
        county, _ = County.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "city": cities[item["city"]],
                "dedicated_posts_per_township": item["dedicated_posts_per_township"],
            },
        )
        for code, name, kind in item["townships"]:
            township = Township(code=code, name=name, kind=kind, county=county)
            township.full_clean(validate_unique=False)
            Township.objects.update_or_create(
                code=code, defaults={"name": name, "kind": kind, "county": county}
            )
        counties.append(county)
    return counties


@transaction.atomic
def plan_load(
    *,
    county: County,
    year: int,
    title: str,
    document: str,
    declared_urban: int,
    declared_rural: int,
    rows: list[PlanRow],
) -> Plan:
    """Create or replace a county's yearly plan from the seed documents. Its rows are checked by
    the one rule a plan entered on its page or from a sheet obeys (townships.plans.rows_check)."""
    problems = rows_check(
        county=county, rows=rows, declared_urban=declared_urban, declared_rural=declared_rural
    )
    if problems:
        raise ValidationError([f"{title}：{problem}" for problem in problems])
    plan, _ = Plan.objects.update_or_create(
        county=county,
        year=year,
        defaults={
            "title": title,
            "document": document,
            "declared_urban": declared_urban,
            "declared_rural": declared_rural,
        },
    )
    # the plan as adopted is its version 1 (docs/policy.md §2.6); adjustments are townships.plans'
    version, _ = PlanVersion.objects.update_or_create(
        plan=plan,
        number=1,
        defaults={
            "effective_from": dt.date(year, 1, 1),
            "document": document,
            "declared_urban": declared_urban,
            "declared_rural": declared_rural,
        },
    )
    townships = {t.code: t for t in county.townships.all()}
    for position, row in enumerate(rows, start=1):
        if row.township_code not in townships:
            raise ValidationError(f"{row.township_code} 不是{county.name}的乡镇（街道）。")
        Quota.objects.update_or_create(
            version=version,
            township=townships[row.township_code],
            defaults={"plan": plan, "position": position, "urban": row.urban, "rural": row.rural},
        )
    return plan


def village_ensure(*, township: Township, name: str, kind: str = Village.Kind.VILLAGE) -> Village:
    village, _ = Village.objects.get_or_create(township=township, name=name, defaults={"kind": kind})
    return village


def membership_check(
    *,
    county: County | None,
    township: Township | None,
    village: Village | None = None,
    role: str = "",
    city: City | None = None,
) -> None:
    """Refuses a membership whose township lies outside its county (a clerk of 兖州区 for 沙镇镇),
    or whose village lies outside its township; a city user without a city, and a city or
    province user given a county or township (docs/policy.md §1.4: their scope is their city's
    counties, or every county)."""
    if role == Role.CITY and city is None:
        raise ValidationError({"city": "市级督导用户必须选择所属市。"})
    if role in (Role.CITY, Role.PROVINCE) and (county is not None or township is not None):
        raise ValidationError(
            {"county": "市级、省级督导用户不选区县或乡镇（街道）：其范围是所属市的各区县或全部区县。"}
        )
    if role != Role.CITY and city is not None:
        raise ValidationError({"city": "只有市级督导用户选择所属市。"})
    if township is not None and county is not None and township.county_id != county.pk:
        raise ValidationError(
            {"township": f"{township.name}不属于{county.name}，请选择{county.name}的乡镇（街道）。"}
        )
    if village is not None and township is not None and village.township_id != township.pk:
        raise ValidationError(
            {"village": f"{village.name}不属于{township.name}，请选择{township.name}的村（社区）。"}
        )


@transaction.atomic
def user_with_membership_ensure(
    *,
    username: str,
    password: str,
    role: str,
    county: County | None = None,
    township: Township | None = None,
    village: Village | None = None,
    city: City | None = None,
) -> User:
    """Create or reset a user and their single membership (idempotent). The township must belong
    to the county, the village to the township, a city user have a city (membership_check)."""
    membership_check(county=county, township=township, village=village, role=role, city=city)
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_active = True
    user.is_staff = role == Role.COUNTY_ADMIN
    user.is_superuser = role == Role.COUNTY_ADMIN
    user.save()
    membership = Membership(
        user=user, role=role, county=county, township=township, village=village, city=city
    )
    membership.full_clean(exclude=["user"])
    Membership.objects.update_or_create(
        user=user,
        defaults={"role": role, "county": county, "township": township, "village": village, "city": city},
    )
    return user
