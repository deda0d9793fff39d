"""Writes for subsidy reference data: dated minimum wages and pay policies."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from townships.models import County, Line

from .models import MinimumWage, SubsidyPolicy
from .money import Annuals, policy_annuals

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


def minimum_wage_on(county: County, day: dt.date) -> MinimumWage | None:
    """The minimum wage in force in `county` on `day` (the latest row from before it)."""
    return MinimumWage.objects.filter(county=county, valid_from__lte=day).order_by("-valid_from").first()


def policy_annuals_on(policy: SubsidyPolicy, day: dt.date) -> Annuals:
    """A policy's annual amounts for a month starting `day`: a policy paid by the minimum hourly
    wage takes the one in force that day, so a new minimum wage changes the pay from its month."""
    if policy.basis != SubsidyPolicy.Basis.MINIMUM_HOURLY:
        return policy_annuals(policy)
    wage = minimum_wage_on(policy.county, day)
    if wage is None:
        raise ValidationError(
            f"{policy.county.name}没有{day:%Y年%m月}适用的最低工资标准，无法按最低工资计发补贴"
        )
    return policy_annuals(policy, wage.hourly)


def minimum_wage_warning(policy: SubsidyPolicy, on: dt.date | None = None) -> str | None:
    """A warning when the policy pays below the minimum wage in force on `on` (default: its
    start), by the hour where the policy sets hours, else by the month."""
    day = on or policy.valid_from
    wage = minimum_wage_on(policy.county, day)
    if wage is None:
        return f"{policy.county.name}没有{day}适用的最低工资标准记录"
    monthly = policy_annuals_on(policy, day).pay / 12
    if policy.hours_per_day:
        hourly = monthly / (policy.hours_per_day * policy.required_days)
        if hourly < wage.hourly:
            return f"折合每小时{hourly:.2f}元，低于小时最低工资标准{wage.hourly}元（{wage.document}）"
        return None
    if monthly < wage.monthly - Decimal("0.005"):
        return f"月补贴{monthly:.2f}元，低于月最低工资标准{wage.monthly}元（{wage.document}）"
    return None


def month_wage_warnings(county: County, first: dt.date) -> list[str]:
    """What a month pays below a minimum wage in force in it: each line's policy in force that
    month against the minimum wage of that month (the run page shows them)."""
    from .payroll import policies_in_force

    warnings = []
    for line in Line:
        policy = policies_in_force(county, line, first).first()
        if policy is not None and (warning := minimum_wage_warning(policy, first)):
            warnings.append(f"{line.label}岗位补贴标准（{policy.document}）{warning}")
    return warnings


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
