"""The performance bonus (绩效奖励, docs/policy.md §9.10): from the published results of a year or a
quarter, HR proposes the award list by the county's rule in force, a finance user who is not the
proposer approves it (or returns it with a reason), and the first payroll run started after the
approval pays it: its own line kind 绩效奖励, booked 100 % to the district."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.dated import in_force
from townships.access import membership_of
from townships.models import County, Role

from .models import BonusAward, BonusRound, BonusRule, BonusTier, Period, Score, Sheet

CENT = Decimal("0.01")


def bonus_period(period: str, year: int, quarter: int | None) -> tuple[dt.date, dt.date]:
    if period == Period.QUARTER:
        if quarter not in (1, 2, 3, 4):
            raise ValidationError("按季度奖励，请选择季度")
        start = (quarter - 1) * 3 + 1
        return dt.date(year, start, 1), dt.date(year, start + 2, 1)
    return dt.date(year, 1, 1), dt.date(year, 12, 1)


def rule_in_force(county: County, day: dt.date) -> BonusRule:
    rule = in_force(BonusRule.objects.filter(county=county), day).first()
    if rule is None:
        raise ValidationError(f"{county.name}没有{day:%Y年%m月}适用的绩效奖励办法，请先在系统管理中设置")
    return rule


def averages(county: County, first: dt.date, last: dt.date) -> dict[int, Decimal]:
    """Per holder: the average of their published totals of the periods within first … last (to
    the hundredth, half-up). One query."""
    published = Score.objects.filter(
        sheet__township__county=county,
        sheet__state=Sheet.State.PUBLISHED,
        sheet__first__gte=first,
        sheet__last__lte=last,
        total__isnull=False,
    )
    totals: dict[int, list[Decimal]] = defaultdict(list)
    for placement_id, total in published.values_list("placement_id", "total"):
        totals[placement_id].append(total)  # type: ignore[arg-type]  # total__isnull=False
    return {pk: (sum(t, Decimal(0)) / len(t)).quantize(CENT, ROUND_HALF_UP) for pk, t in totals.items()}


def awards(rule: BonusRule, found: dict[int, Decimal]) -> list[tuple[int, Decimal, int, BonusTier]]:
    """(placement, average, rank, tier) of the holders awarded: ranked by average (equal averages
    share a rank), at most `share` of the holders assessed (rounded down; those sharing the last
    rank within it all count), each in the first tier they reach."""
    limit = int(len(found) * rule.share)
    tiers = list(rule.tiers.all())
    ordered = sorted(found.items(), key=lambda item: (-item[1], item[0]))
    made = []
    rank = 0
    for position, (placement_id, average) in enumerate(ordered, start=1):
        if position == 1 or average != ordered[position - 2][1]:
            rank = position
        if rank > limit:
            break
        tier = _tier(rule, tiers, average, rank)
        if tier is not None:
            made.append((placement_id, average, rank, tier))
    return made


def _tier(rule: BonusRule, tiers: list[BonusTier], average: Decimal, rank: int) -> BonusTier | None:
    if rule.basis == BonusRule.Basis.GRADE:
        graded = sorted((t for t in tiers if t.min_score is not None), key=lambda t: -t.min_score)  # type: ignore[operator]
        return next((t for t in graded if average >= t.min_score), None)  # type: ignore[operator]
    ranked = sorted((t for t in tiers if t.up_to_rank is not None), key=lambda t: t.up_to_rank)  # type: ignore[arg-type, return-value]
    return next((t for t in ranked if rank <= t.up_to_rank), None)  # type: ignore[operator]


def bonus_propose(*, actor: User, county: County, year: int, quarter: int | None = None) -> BonusRound:
    """HR of the county proposes the award list of a year (or quarter) from its published results."""
    member = membership_of(actor)
    if member is None or member.role != Role.HR or member.county_id != county.pk:
        raise ValidationError("绩效奖励名单由本区县人社局提出")
    rule = rule_in_force(county, dt.date(year, 12 if quarter is None else quarter * 3, 1))
    first, last = bonus_period(rule.period, year, quarter)
    if last > timezone.localdate().replace(day=1):
        raise ValidationError("奖励期尚未结束，不能提出奖励名单")
    found = averages(county, first, last)
    if not found:
        raise ValidationError("奖励期内没有已公示的考核结果")
    made = awards(rule, found)
    if not made:
        raise ValidationError("按绩效奖励办法，本奖励期没有人员获奖")
    try:
        with transaction.atomic():
            round = BonusRound.objects.create(
                county=county, rule=rule, first=first, last=last, proposed_by=actor
            )
            BonusAward.objects.bulk_create(
                BonusAward(round=round, placement_id=pk, average=avg, rank=rank, tier=t.name, amount=t.amount)
                for pk, avg, rank, t in made
            )
    except IntegrityError:
        raise ValidationError("本区县这一奖励期已有奖励名单") from None
    return round


def _decide_check(actor: User, round: BonusRound) -> None:
    member = membership_of(actor)
    if member is None or member.role != Role.FINANCE or member.county_id != round.county_id:
        raise ValidationError("绩效奖励名单由本区县财政审批")
    if actor.pk == round.proposed_by_id:
        raise ValidationError("绩效奖励名单须由提出人以外的人审批")
    if round.state != BonusRound.State.PROPOSED:
        raise ValidationError(f"该奖励名单{round.get_state_display()}，不能再审批")


def bonus_approve(*, actor: User, round: BonusRound) -> BonusRound:
    with transaction.atomic():
        round = BonusRound.objects.select_for_update().get(pk=round.pk)
        _decide_check(actor, round)
        round.state, round.decided_by, round.decided_at = BonusRound.State.APPROVED, actor, timezone.now()
        round.save(update_fields=["state", "decided_by", "decided_at"])
    return round


def bonus_return(*, actor: User, round: BonusRound, reason: str) -> BonusRound:
    if not reason.strip():
        raise ValidationError("退回须写明原因")
    with transaction.atomic():
        round = BonusRound.objects.select_for_update().get(pk=round.pk)
        _decide_check(actor, round)
        round.state, round.decided_by, round.decided_at = BonusRound.State.RETURNED, actor, timezone.now()
        round.note = reason.strip()[:300]
        round.save(update_fields=["state", "decided_by", "decided_at", "note"])
    return round


def bonus_claim(county_id: int, run_id: int) -> int:
    """The approved rounds not yet paid become the run's to pay (payroll.start, under the run's
    lock): a run started after an approval pays it, and only that one. The rounds claimed."""
    waiting = BonusRound.objects.filter(
        county_id=county_id, state=BonusRound.State.APPROVED, paid_run__isnull=True
    )
    return waiting.update(paid_run_id=run_id)
