"""Entering a county's pay policies (docs/policy.md §8.1): on the policies page, from a sheet
(subsidies.policy_sheet) and in the admin, through one service and one rule for periods.

The rule for periods, per county and line: two policies' periods do not overlap, except that a
new policy starting after the open one before it (no 截止日期) closes it the day before it starts.
A policy starting on the day another starts, or reaching into another's period, is refused,
naming it. The rule reads the other policies it is given (the stored ones, or the stored ones
and a sheet's earlier rows), so the page, the sheet and the admin judge alike."""

import copy
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from townships.models import County, Line

from .models import SubsidyPolicy
from .services import locked_months_warning, minimum_wage_warning, policy_check

DAY = dt.timedelta(days=1)


def _period(policy: SubsidyPolicy) -> str:
    end = f"{policy.valid_to:%Y-%m-%d}" if policy.valid_to else "今后"
    return f"「{policy.document}」（{policy.valid_from:%Y-%m-%d}至{end}）"


def policy_period_check(policy: SubsidyPolicy, others: Iterable[SubsidyPolicy]) -> SubsidyPolicy | None:
    """Refuse `policy` if its period meets another of `others` (the county's policies; those of
    another line or the policy itself are passed over); the open policy started before it, which
    it closes the day before it starts, or None. Open policies started before that one are
    already superseded by it (the latest start is in force, common.dated) and pass."""
    if policy.valid_to is not None and policy.valid_to < policy.valid_from:
        return None  # the model's constraint says it (policy_period)
    line = Line(policy.line).label if policy.line in Line.values else policy.line
    closing: SubsidyPolicy | None = None
    errors: dict[str, list[str]] = {}
    mine = [
        o for o in others if o is not policy and o.line == policy.line and not (o.pk and o.pk == policy.pk)
    ]
    for other in sorted(mine, key=lambda o: o.valid_from):
        if other.valid_from == policy.valid_from:
            # the words of the model's constraint (policy_once_per_start), which the admin shows
            message = "本区县这一城乡类别在这一起始日期已有补贴标准，请修改原有的那一条，不要重复录入。"
            errors.setdefault("valid_from", []).append(message)
        elif other.valid_to is None and other.valid_from < policy.valid_from:
            closing = other  # the latest such (sorted by start)
        elif (policy.valid_to is None or other.valid_from <= policy.valid_to) and (
            other.valid_to is None or other.valid_to >= policy.valid_from
        ):
            overlap = f"与{line}岗位补贴标准{_period(other)}的期间重叠"
            if other.valid_from > policy.valid_from:
                overlap += f"，截止日期最晚为{other.valid_from - DAY:%Y-%m-%d}"
            errors.setdefault(
                "valid_to" if other.valid_from > policy.valid_from else "valid_from", []
            ).append(overlap)
    if errors:
        raise ValidationError(errors)
    return closing


def policy_rules_check(policy: SubsidyPolicy) -> SubsidyPolicy | None:
    """Every rule of a policy to be saved (the page's and the admin's forms and policy_save call it): what the
    payroll needs (policy_check) and its period against the county's stored policies. Returns the
    stored policy it closes, or None. One query."""
    policy_check(policy)
    if policy.county_id is None or policy.valid_from is None or not policy.line:
        return None  # a form's field error says what is missing
    stored = SubsidyPolicy.objects.filter(county_id=policy.county_id, line=policy.line)
    return policy_period_check(policy, stored)


@dataclass
class Saved:
    policy: SubsidyPolicy
    closed: SubsidyPolicy | None = None  # the open policy before it, closed the day before it starts
    warnings: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        text = f"已保存{Line(self.policy.line).label}岗位补贴标准「{self.policy.document}」"
        if self.closed is not None:
            text += f"；原标准「{self.closed.document}」的截止日期定为{self.closed.valid_to:%Y-%m-%d}"
        return text + "。"


@transaction.atomic
def policy_save(*, policy: SubsidyPolicy) -> Saved:
    """Save a new or changed policy after its fields and every rule (policy_rules_check); close the
    open policy before it. The county's row is locked first, so two policies saved at once are
    judged one after the other (each sees the other's period). Audited as every policy save
    (audit.registry). Warns, never refuses, of pay below the minimum wage and of locked months
    the policy reaches (docs/policy.md §8.4, §9.7)."""
    County.objects.select_for_update(no_key=True).filter(pk=policy.county_id).first()
    policy.clean_fields(exclude=["county"])
    closing = policy_rules_check(policy)
    if closing is not None:
        closing.valid_to = policy.valid_from - DAY
        closing.save(update_fields=["valid_to"])
    policy.save()
    warnings = [w for w in (minimum_wage_warning(policy), locked_months_warning(policy)) if w]
    return Saved(policy, closing, warnings)


def periods_simulate(
    rows: list[SubsidyPolicy], stored: list[SubsidyPolicy]
) -> tuple[list[tuple[SubsidyPolicy, dict[str, list[str]]]], list[str]]:
    """A sheet's policies judged by policy_period_check in the order policy_save will save them (by
    line and start), each against the stored ones and the sheet's earlier rows as saving leaves
    them (closed where a later row closes them). Returns (row, field → why) for each row refused, and
    what saving will close. Nothing is changed, the stored policies included."""
    others = [copy.copy(p) for p in stored]
    refused: list[tuple[SubsidyPolicy, dict[str, list[str]]]] = []
    closed: list[str] = []
    for row in sorted(rows, key=lambda p: (p.line, p.valid_from)):
        try:
            closing = policy_period_check(row, others)
        except ValidationError as exc:
            refused.append((row, exc.message_dict))
            continue
        if closing is not None:
            closing.valid_to = row.valid_from - DAY
            closed.append(
                f"{Line(closing.line).label}岗位「{closing.document}」的截止日期将定为{closing.valid_to:%Y-%m-%d}"
            )
        others.append(copy.copy(row))  # a later row may close it: the copy, not the row
    return refused, closed
