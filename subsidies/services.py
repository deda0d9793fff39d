"""Writes for subsidy reference data: dated minimum wages and pay policies."""

from decimal import Decimal

from django.db import transaction

from townships.models import County

from .models import MinimumWage, SubsidyPolicy

POLICY_FIELDS = (
    "basis", "hourly_rate", "hours_per_day", "monthly_amount", "annual_amount", "required_days", "split",
    "province_annual", "province_percent", "city_percent", "document", "valid_to",
)  # fmt: skip


@transaction.atomic
def policies_load(*, data: dict) -> int:
    """Create or update minimum wages and policies (keyed by county, line and start date)."""
    counties = {c.code: c for c in County.objects.all()}
    for item in data["minimum_wages"]:
        MinimumWage.objects.update_or_create(
            county=counties[item["county"]], valid_from=item["valid_from"],
            defaults={k: item[k] for k in ("monthly", "hourly", "wage_class", "document")},
        )  # fmt: skip
    for item in data["policies"]:
        policy, _ = SubsidyPolicy.objects.update_or_create(
            county=counties[item["county"]], line=item["line"], valid_from=item["valid_from"],
            defaults={k: item.get(k) for k in POLICY_FIELDS if k in item or k == "valid_to"},
        )  # fmt: skip
        policy.full_clean()
    return len(data["policies"])


def minimum_wage_warning(policy: SubsidyPolicy) -> str | None:
    """A warning when the policy pays below the minimum wage in force at its start (by the hour
    where the policy sets hours, else by the month)."""
    wage = (
        MinimumWage.objects.filter(county=policy.county, valid_from__lte=policy.valid_from)
        .order_by("-valid_from")
        .first()
    )
    if wage is None:
        return f"{policy.county.name}没有{policy.valid_from}适用的最低工资标准记录"
    from .money import policy_annuals

    monthly = policy_annuals(policy).pay / 12
    if policy.hours_per_day:
        hourly = monthly / (policy.hours_per_day * policy.required_days)
        if hourly < wage.hourly:
            return f"折合每小时{hourly:.2f}元，低于小时最低工资标准{wage.hourly}元（{wage.document}）"
        return None
    if monthly < wage.monthly - Decimal("0.005"):
        return f"月补贴{monthly:.2f}元，低于月最低工资标准{wage.monthly}元（{wage.document}）"
    return None


def locked_months_warning(policy: SubsidyPolicy) -> str | None:
    """What a policy saved now will do to months already locked in its period: they stay as
    paid, and the next computed month pays back or recovers the difference for each of them
    that lies within the 12 months adjustments reach (payroll.locked_before)."""
    from .models import PayrollRun

    locked = PayrollRun.objects.filter(
        county=policy.county, state=PayrollRun.State.LOCKED, month__gte=policy.valid_from.replace(day=1)
    )
    if policy.valid_to:
        locked = locked.filter(month__lte=policy.valid_to)
    months = sorted(locked.values_list("month", flat=True))
    if not months:
        return None
    named = "、".join(f"{m:%Y年%m月}" for m in months[:6]) + ("等" if len(months) > 6 else "")
    return (
        f"该标准覆盖已锁定的{len(months)}个月（{named}）：这些月份已发放的金额不变，"
        "下次计算的月份将按新标准对其中12个月内的月份补发或扣回差额"
    )
