"""Life on the post (DOMAIN.md §6): the subsidy period, extensions, renewals, exits, alerts.

The subsidy period is counted per person: months already used (merged earlier months of the old
scheme and earlier placements) are taken off the county's limit (36 months). Rural holders may
be extended by county approval; urban holders less than N years (county setting, 5) from
statutory retirement at first approval may be extended up to retirement."""

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from common.retirement import RetirementCategory, age_on, latest_birth_retired_by, retirement_date
from posts.models import Post
from posts.services import post_status_set
from townships.models import County, Line

from .agreements import agreement_terms
from .models import Agreement, Application, ExitReason, Placement, Referral, Step
from .procedure import move


def months_on_post(start: dt.date, end: dt.date) -> int:
    """Whole and part months from `start` to `end` inclusive, a started month counting as one."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def months_used_before(placement: Placement) -> int:
    """Months of the subsidy period the person used before this placement."""
    used = placement.prior_months
    earlier = Placement.objects.filter(person_id=placement.person_id, on_post_date__lt=placement.on_post_date)
    for old in earlier.exclude(pk=placement.pk).exclude(exit_date__isnull=True):
        used += months_on_post(old.on_post_date, old.exit_date)
    return used


def subsidy_end(placement: Placement, used_before: int | None = None) -> dt.date:
    """The last day of the subsidy period (or of the recorded extension). `used_before`: the
    months used before this placement when the caller has them (else one query). A legacy
    holder's old terms end with the old agreement (DOMAIN.md §6)."""
    if placement.legacy_pay is not None:
        return placement.legacy_until
    if placement.extended_until:
        return placement.extended_until
    limit = placement.township.county.subsidy_months
    used = months_used_before(placement) if used_before is None else used_before
    left = max(0, limit - used)
    return placement.on_post_date + relativedelta(months=left) - dt.timedelta(days=1)


def person_retirement(placement: Placement) -> dt.date:
    person = placement.person
    return retirement_date(person.birth_date, RetirementCategory(person.retirement_category))


def urban_extension_allowed(placement: Placement) -> bool:
    """Less than N years from retirement at first approval (DOMAIN.md §6)."""
    years = placement.township.county.urban_extension_years
    return person_retirement(placement) < placement.first_approved_on + relativedelta(years=years)


@transaction.atomic
def extension_grant(*, placement: Placement, until: dt.date, document: str, actor: User) -> Placement:
    """Record a county-approved extension of the subsidy period."""
    if not document.strip():
        raise ValidationError({"document": ["请填写延长的批准文件"]})
    if placement.legacy_pay is not None:  # old terms end with the old agreement (DOMAIN.md §6)
        raise ValidationError(f"该人员按原协议待遇至原协议期满（{placement.legacy_until}），不能延长补贴期限")
    if until <= subsidy_end(placement):
        raise ValidationError(f"延长日期须晚于现补贴期限（{subsidy_end(placement)}）")
    if placement.line == Line.URBAN:
        if not urban_extension_allowed(placement):
            raise ValidationError(
                f"城镇岗位仅首次审批时距法定退休年龄不足{placement.township.county.urban_extension_years}年的人员可延长"
            )
        retire = person_retirement(placement)
        if until >= retire:
            raise ValidationError("城镇岗位最长延至法定退休前一日（退休日期见人员详情）")  # no date
    placement.extended_until, placement.extension_document = until, document.strip()
    placement.save(update_fields=["extended_until", "extension_document"])
    placement.application.history.create(
        from_step=Step.PLACED,
        to_step=Step.PLACED,
        actor=actor,
        on=dt.date.today(),
        note=f"补贴期限延长至{until}（{document.strip()}）",
    )
    return placement


@transaction.atomic
def agreement_renew(
    *, placement: Placement, signed_on: dt.date, actor: User, months: int | None = None
) -> Agreement:
    """协议续签: a new agreement from the day after the last one ends, within the subsidy period,
    priced from the policy in force at its start (placements.agreements)."""
    if placement.exit_date:
        raise ValidationError("已退出的人员不能续签协议")
    last = placement.application.agreements.order_by("-number").first()
    if last is None:
        raise ValidationError("没有可续签的协议")
    start = last.end_date + dt.timedelta(days=1)
    end = (
        start
        + relativedelta(months=months or placement.township.county.agreement_term_months)
        - dt.timedelta(days=1)
    )
    end = min(end, subsidy_end(placement))
    if end < start:
        raise ValidationError(f"补贴期限已于{subsidy_end(placement)}届满，不能续签（如需延长请先办理延长）")
    agreement = Agreement.objects.create(
        application=placement.application,
        number=last.number + 1,
        start_date=start,
        end_date=end,
        signed_on=signed_on,
        recorded_by=actor,
        **agreement_terms(placement.application, start),  # the policy at its start, the post's terms
    )
    placement.application.history.create(
        from_step=Step.PLACED, to_step=Step.PLACED, actor=actor, on=signed_on, note=f"续签协议{start}至{end}"
    )
    return agreement


@transaction.atomic
def placement_exit(
    *,
    placement: Placement,
    exit_date: dt.date,
    reason: str,
    referral: str,
    note: str,
    actor: User,
    referral_note: str = "",
) -> Placement:
    """退出: the post becomes vacant and can be refilled by a new round."""
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.exit_date:
        raise ValidationError(f"该人员已于{placement.exit_date}退出")
    if exit_date < placement.on_post_date:
        raise ValidationError("离岗日期不能早于上岗日期")
    if reason not in ExitReason.values:
        raise ValidationError({"reason": ["请选择退出原因"]})
    if referral not in Referral.values:
        raise ValidationError({"referral": ["请选择后续转介"]})
    application = Application.objects.select_for_update().get(pk=placement.application_id)
    label = ExitReason(reason).label
    move(application, Step.EXITED, actor=actor, on=exit_date, note=f"{label}：{note}" if note else label)
    placement.exit_date, placement.exit_reason, placement.exit_note = exit_date, reason, note
    placement.referral, placement.referral_note = referral, referral_note
    placement.save()
    post_status_set(placement.post_id, Post.Status.VACANT)
    return placement


@dataclass(frozen=True)
class Alert:
    placement: Placement
    kind: str
    due: dt.date
    message: str


ALERT_KINDS = {
    "agreement": "协议到期",
    "subsidy": "补贴期限届满",
    "age": "达到乡村岗位年龄上限",
    "retirement": "达到法定退休年龄",
}
# Their dates are the birth date moved by whole years and months; beside the masked ID number,
# which hides exactly the birth date, they would give the number back. Such an alert names the
# year only, is dated the year's last day and comes for the whole year at once (from the day the
# alert period reaches into it), so neither its text, its order nor the day it appears tells more.
BIRTH_KINDS = ("age", "retirement")


# What an alert reads: model instances of only these columns cost a third of whole rows.
ALERT_FIELDS = (
    "application_id", "person_id", "post_id", "township_id", "line", "on_post_date", "prior_months",
    "extended_until", "exit_date", "person__name", "person__birth_date", "person__retirement_category",
    "post__code", "township__name", "township__county__subsidy_months", "township__county__rural_flag_age",
    "township__county__alert_days",
)  # fmt: skip


def alerts(*, placements: QuerySet[Placement], today: dt.date, days: int | None = None) -> list[Alert]:
    """Active placements whose agreement, subsidy period, rural age limit or retirement falls
    within the next `days` days (county setting, 60), soonest first.

    A county-wide SQL condition (`_maybe_due`) first keeps the placements that may fall due
    (a superset: every bound is taken on the safe side); only those are read and checked exactly,
    with their agreements and earlier placements fetched in one query each. A month's alerts are
    a few percent of the holders, so 100,000 placements cost a few thousand rows, not 100,000."""
    found: list[Alert] = []
    active = placements.filter(exit_date__isnull=True)
    counties = County.objects.filter(pk__in=active.values("township__county").distinct())
    for county in counties:
        horizon = today + dt.timedelta(days=days if days is not None else county.alert_days)
        candidates = list(
            active.filter(_maybe_due(county, horizon))
            .select_related("person", "post", "township__county")
            .only(*ALERT_FIELDS)
        )
        found.extend(_due(candidates, county, horizon))
    return sorted(found, key=lambda a: (a.due, a.placement.pk))


def _maybe_due(county: County, horizon: dt.date) -> Q:
    """Placements of `county` of which some date may fall on or before `horizon`."""
    slack = dt.timedelta(days=3)  # month arithmetic clamps days: stay on the safe side
    limit = county.subsidy_months
    # Subqueries without outer references: hashed once, not run per row.
    subsidy = Q(prior_months__gte=limit) | Q(
        person__in=Placement.objects.filter(exit_date__isnull=False).values("person_id")
    )
    for used in range(limit):  # on_post + (limit − used) months − 1 day ≤ horizon
        latest_start = horizon + dt.timedelta(days=1) - relativedelta(months=limit - used) + slack
        subsidy |= Q(prior_months=used, on_post_date__lte=latest_start)
    subsidy = Q(extended_until__lte=horizon) | (Q(extended_until__isnull=True) & subsidy)
    retirement = Q()
    year_end = dt.date(horizon.year, 12, 31)  # BIRTH_KINDS
    for category in RetirementCategory:
        born = latest_birth_retired_by(category, year_end)
        retirement |= Q(person__retirement_category=category.value, person__birth_date__lte=born)
    age = Q(
        line=Line.RURAL,
        person__birth_date__lte=year_end - relativedelta(years=county.rural_flag_age + 1) + slack,
    )
    agreement = Q(application__in=Agreement.objects.filter(end_date__lte=horizon).values("application_id"))
    return Q(township__county=county) & (subsidy | retirement | age | agreement)


def _due(candidates: list[Placement], county: County, horizon: dt.date) -> list[Alert]:
    agreements = {
        a.application_id: a
        for a in Agreement.objects.filter(application__in=[p.application_id for p in candidates]).order_by(
            "number"
        )
    }
    earlier: dict[int, list[Placement]] = {}
    for old in Placement.objects.filter(
        person__in=[p.person_id for p in candidates], exit_date__isnull=False
    ):
        earlier.setdefault(old.person_id, []).append(old)
    found = []
    for placement in candidates:
        person = placement.person
        used = placement.prior_months + sum(
            months_on_post(old.on_post_date, old.exit_date)
            for old in earlier.get(placement.person_id, [])
            if old.on_post_date < placement.on_post_date and old.pk != placement.pk
        )
        dues = [("subsidy", subsidy_end(placement, used)), ("retirement", person_retirement(placement))]
        agreement = agreements.get(placement.application_id)
        if agreement is not None:
            dues.append(("agreement", agreement.end_date))
        if placement.line == Line.RURAL:
            limit = county.rural_flag_age
            dues.append(("age", person.birth_date + relativedelta(years=limit + 1) - dt.timedelta(days=1)))
        for kind, due in dues:
            if kind in BIRTH_KINDS and due.year <= horizon.year:
                age = age_on(person.birth_date, due)
                message = f"{person.name}：{due.year}年内{ALERT_KINDS[kind]}（届时{age}周岁）"
                found.append(Alert(placement, kind, dt.date(due.year, 12, 31), message))
            elif kind not in BIRTH_KINDS and due <= horizon:  # no age beside a day: it bounds the birthday
                found.append(Alert(placement, kind, due, f"{person.name}：{ALERT_KINDS[kind]}（{due}）"))
    return found
