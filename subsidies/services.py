"""Writes for subsidy reference data: dated minimum wages and pay policies."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from townships.models import County, Line

from .models import MinimumWage, SubsidyPolicy
from .money import Annuals, policy_annuals

POLICY_FIELDS = (
    "basis",
    "hourly_rate",
    "hours_per_day",
    "monthly_amount",
    "annual_amount",
    "required_days",
    "split",
    "province_annual",
    "province_percent",
    "city_percent",
    "document",
    "valid_to",
)


@transaction.atomic
def policies_load(*, data: dict) -> int:
    """Create or update minimum wages and policies (keyed by county, line and start date)."""
    counties = {c.code: c for c in County.objects.all()}
    for item in data["minimum_wages"]:
        MinimumWage.objects.update_or_create(
            county=counties[item["county"]],
            valid_from=item["valid_from"],
            defaults={k: item[k] for k in ("monthly", "hourly", "wage_class", "document")},
        )
    for item in data["policies"]:
        policy, _ = SubsidyPolicy.objects.update_or_create(
            county=counties[item["county"]],
            line=item["line"],
            valid_from=item["valid_from"],
            defaults={k: item.get(k) for k in POLICY_FIELDS if k in item or k == "valid_to"},
        )
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


def locked_months_warning(policy: SubsidyPolicy, since: dt.date | None = None) -> str | None:
    """What a policy saved now will do to months already locked in its period: they stay as
    paid, and the next computed month pays back or recovers the difference for each of them
    that lies within the 12 months adjustments reach (payroll.locked_before). `since`: only the
    months from that day (a new minimum wage's date)."""
    from .models import PayrollRun

    locked = PayrollRun.objects.filter(
        county=policy.county,
        state=PayrollRun.State.LOCKED,
        month__gte=max(policy.valid_from, since or policy.valid_from).replace(day=1),
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


# What each way of setting the pay and of splitting it needs (SubsidyPolicy.Basis and .Split);
# a policy missing one would stop every computation of its months with an error.
POLICY_NEEDS: dict[str, tuple[str, ...]] = {
    SubsidyPolicy.Basis.HOURLY: ("hourly_rate", "hours_per_day"),
    SubsidyPolicy.Basis.MINIMUM_HOURLY: ("hours_per_day",),
    SubsidyPolicy.Basis.MONTHLY: ("monthly_amount",),
    SubsidyPolicy.Basis.ANNUAL: ("annual_amount",),
    SubsidyPolicy.Split.FIXED_PROVINCE: ("province_annual", "city_percent"),
    SubsidyPolicy.Split.PERCENTAGES: ("province_percent", "city_percent"),
}
HUNDRED = Decimal(100)


def policy_check(policy: SubsidyPolicy) -> None:
    """Refuse a policy the payroll cannot compute: a field its basis or split needs left empty, a
    percentage outside 0–100 (or province and city together above 100), no required days, or a
    province's fixed amount above the year's pay. Called by SubsidyPolicy.clean, so the admin's
    form and any service saving a policy obey the same rule."""
    errors: dict[str, list[str]] = {}
    for way, label in (
        (policy.basis, policy.get_basis_display()),
        (policy.split, policy.get_split_display()),
    ):
        for name in POLICY_NEEDS.get(way, ()):
            if getattr(policy, name) is None:
                verbose = SubsidyPolicy._meta.get_field(name).verbose_name  # type: ignore[union-attr]  # name is a concrete field
                errors.setdefault(name, []).append(f"按「{label}」须填写{verbose}")
    for name in ("province_percent", "city_percent"):
        value = getattr(policy, name)
        if value is not None and not 0 <= value <= HUNDRED:
            errors.setdefault(name, []).append("比例应在0至100之间")
    shares = [policy.province_percent, policy.city_percent]
    if policy.split == SubsidyPolicy.Split.PERCENTAGES and None not in shares and sum(shares) > HUNDRED:  # type: ignore[arg-type]
        errors.setdefault("city_percent", []).append("省级与市级比例合计不能超过100")
    if not policy.required_days or policy.required_days > 31:
        errors.setdefault("required_days", []).append("每月规定出勤天数应为1至31天")
    for name in ("hourly_rate", "hours_per_day", "monthly_amount", "annual_amount", "province_annual"):
        value = getattr(policy, name)
        if value is not None and value < 0:
            errors.setdefault(name, []).append("不能为负数")
    if errors:
        raise ValidationError(errors)
    if (
        policy.split == SubsidyPolicy.Split.FIXED_PROVINCE
        and policy.basis != SubsidyPolicy.Basis.MINIMUM_HOURLY
    ):
        pay = policy_annuals(policy).pay
        if policy.province_annual > pay:  # type: ignore[operator]
            raise ValidationError({"province_annual": [f"省级定额不能高于每人每年补贴{pay}元"]})


def minimum_wage_saved_warnings(wage: MinimumWage) -> list[str]:
    """What a new or changed minimum wage does (docs/policy.md §8.4): the county's policies in force from
    its date that pay below it, and the locked months of a policy paid by the minimum hourly wage
    that it reaches (they stay as paid; the next computed month pays back the difference)."""
    from .payroll import policies_in_force

    warnings = []
    for line in Line:
        policy = policies_in_force(wage.county, line, wage.valid_from).first()
        if policy is None:
            continue
        below = minimum_wage_warning(policy, wage.valid_from)
        if below:
            warnings.append(f"{Line(line).label}岗位：{below}")
        if policy.basis == SubsidyPolicy.Basis.MINIMUM_HOURLY and (
            locked := locked_months_warning(policy, wage.valid_from)
        ):
            warnings.append(f"{Line(line).label}岗位按最低工资计发，{locked}")
    return warnings
