"""Is a county ready to work (docs/policy.md §1.9)? What onboarding must have loaded before the first
announcement and the first month's pay, each item with what is missing and where to mend it. A
read only: a dozen small queries for one county, whatever its size."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.urls import reverse

from common.dated import in_force
from payments.models import Bank
from subsidies.models import SubsidyPolicy
from townships.models import CalendarYear, County, Line, Membership, Plan, Role, Township
from townships.onboarding import package_covers
from townships.plans import version_in_force


@dataclass(frozen=True)
class Item:
    label: str
    ok: bool
    detail: str
    mend: str  # where to mend it (an address), or ""
    needed: bool = True  # False: advice; the county works without it


def readiness(county: County, today: dt.date) -> list[Item]:
    """The county's onboarding items on `today` (its plan and calendars of today's year)."""
    return [
        _townships(county),
        _villages(county),
        _plan(county, today),
        *(_policy(county, line, today) for line in Line),
        _calendar(today.year, needed=True),
        _calendar(today.year + 1, needed=today.month >= 11),  # the notice comes out in November
        *_users(county),
        _banks(county),
    ]


def _townships(county: County) -> Item:
    count = county.townships.count()
    mend = reverse("townships:organisation-load")
    return Item("乡镇（街道）", count > 0, f"{count}个" if count else "尚未导入", mend)


def _villages(county: County) -> Item:
    counts = Township.objects.filter(county=county).annotate(village_count=Count("villages"))
    empty = [t.name for t in counts if t.village_count == 0]
    total = sum(t.village_count for t in counts)
    detail = f"共{total}个" + (f"；没有村（社区）的乡镇（街道）：{'、'.join(empty)}" if empty else "")
    return Item("村（社区）", total > 0 and not empty, detail, reverse("townships:organisation-load"))


def _plan(county: County, day: dt.date) -> Item:
    """This year's plan as in force on `day` (its latest version by then, docs/policy.md §2.6)."""
    plan = Plan.objects.filter(county=county, year=day.year).first()
    label, mend = f"{day.year}年度开发计划", reverse("townships:plan-list", args=[county.code])
    version = version_in_force(plan, day) if plan else None
    if version is None:
        return Item(label, False, "尚未录入", mend)
    sums = version.quotas.aggregate(urban=Sum("urban"), rural=Sum("rural"), towns=Count("township"))
    missing = county.townships.count() - sums["towns"]
    declared = (version.declared_urban, version.declared_rural)
    adds_up = (sums["urban"] or 0, sums["rural"] or 0) == declared
    detail = f"城镇{declared[0]}个、乡村{declared[1]}个（第{version.number}版）"
    if not adds_up:
        detail += "；各乡镇（街道）合计与计划总数不一致"
    if missing:
        detail += f"；{missing}个乡镇（街道）没有岗位数"
    return Item(label, adds_up and not missing, detail, mend)


def _policy(county: County, line: str, today: dt.date) -> Item:
    policy = in_force(SubsidyPolicy.objects.filter(county=county, line=line), today).first()
    label, mend = f"{Line(line).label}岗位补贴标准", reverse("subsidies:policy-list", args=[county.code])
    if policy is None:
        return Item(label, False, f"{today:%Y年%m月%d日}没有适用的标准", mend)
    detail = f"{policy.document}（{policy.valid_from:%Y-%m-%d}起，{policy.get_basis_display()}）"
    return Item(label, True, detail, mend)


def _calendar(year: int, *, needed: bool) -> Item:
    covered = package_covers(year) or CalendarYear.objects.filter(year=year).exists()
    detail = "已有国务院放假安排" if covered else "尚无国务院放假安排，请按通知导入"
    return Item(f"{year}年工作日历", covered, detail, reverse("townships:calendar-load"), needed)


def _users(county: County) -> list[Item]:
    members = Membership.objects.filter(user__is_active=True)
    roles = dict(
        members.filter(county=county).values("role").annotate(n=Count("pk")).values_list("role", "n")
    )
    users = reverse("accounts:users-load")
    served = members.filter(role=Role.CLERK, township__isnull=False).values("township")
    without = list(county.townships.exclude(pk__in=served).values_list("name", flat=True))
    hr, finance, clerks = (roles.get(role, 0) for role in (Role.HR, Role.FINANCE, Role.CLERK))
    return [
        Item("人社局工作人员", hr > 0, f"{hr}人", users),
        # a month is computed by one finance user and approved by another (docs/policy.md §1.3)
        Item("财政工作人员（至少2人）", finance >= 2, f"{finance}人", users),
        Item(
            "乡镇经办人",
            not without,
            f"{clerks}人" + (f"；没有经办人的乡镇（街道）：{'、'.join(without)}" if without else ""),
            users,
        ),
    ]


def _banks(county: County) -> Item:
    count = Bank.objects.filter(county=county).count()
    detail = f"{count}家" if count else "尚未设置（通过银行代发时需要）"
    mend = reverse("payments:bank-list", args=[county.code])
    return Item("代发银行", count > 0, detail, mend, needed=False)
