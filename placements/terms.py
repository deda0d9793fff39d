"""Life on the post (docs/policy.md §7): the subsidy period, extensions, renewals, exits, alerts.

The subsidy period is counted per person: months already used (merged earlier months of the old
scheme and earlier placements) are taken off the county's limit (36 months). Rural holders may
be extended by county approval; urban holders less than N years (county setting, 5) from
statutory retirement at first approval may be extended up to retirement."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, Q, QuerySet

from common.retirement import RetirementCategory, add_months, age_on, latest_birth_retired_by, retirement_date
from posts.models import Post
from posts.services import post_status_set
from townships.models import County, Line

from .agreements import agreement_terms
from .models import Agreement, Application, ExitReason, Placement, Referral, Step
from .procedure import move


def months_on_post(start: dt.date, end: dt.date) -> int:
    """Whole and part months from `start` to `end` inclusive, a started month counting as one."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def subsidy_until_of(
    *,
    on_post: dt.date,
    limit: int,
    used_before: int,
    extended_until: dt.date | None,
    legacy_pay: Decimal | None,
    legacy_until: dt.date | None,
) -> dt.date:
    """The last paid day of a placement's subsidy period, from its facts: the county's limit
    (36 months) less the months the person used before, run from the on-post date to the day
    before the same date that many months later (on post 2022-03-16, 36 months → 2025-03-15,
    docs/policy.md §7.1); or the recorded extension; or, for a holder kept on the old terms with their
    old pay, the old agreement's end (docs/policy.md §7.7). The one place this date is computed."""
    if legacy_pay is not None:
        assert legacy_until is not None  # placement_legacy_pay_with_its_terms
        return legacy_until
    if extended_until:
        return extended_until
    return on_post + relativedelta(months=max(0, limit - used_before)) - dt.timedelta(days=1)


def subsidy_until_refresh(*, person_ids: Iterable[int] | QuerySet, model: type[Placement] = Placement) -> int:
    """Compute and store `subsidy_until` for every placement of these people, each placement's
    months used before being its own merged months plus, for every earlier placement of the
    person (new or imported, by on-post date), that placement's merged months and months on
    post (docs/policy.md §7.1: a person who comes back continues their count). Call it whenever a fact
    changes: a placement created or imported, an exit, an extension, a merged-months or date
    edit, a county's limit. One read and one UPDATE per thousand changed rows; returns how
    many placements changed. `model`: the migration that first fills the field passes its
    historical model."""
    rows = list(
        model.objects.filter(person_id__in=person_ids)
        .order_by("person_id", "on_post_date", "pk")
        .values(
            "pk", "person_id", "on_post_date", "exit_date", "prior_months", "extended_until", "legacy_pay",
            "legacy_until", "subsidy_until", "township__county__subsidy_months",
        )
    )  # fmt: skip
    by_person: dict[int, list[dict]] = {}
    for row in rows:
        by_person.setdefault(row["person_id"], []).append(row)
    changed = []
    for row in rows:
        earlier = (
            old
            for old in by_person[row["person_id"]]
            if old["on_post_date"] < row["on_post_date"] and old["exit_date"] and old["pk"] != row["pk"]
        )
        used = row["prior_months"] + sum(
            old["prior_months"] + months_on_post(old["on_post_date"], old["exit_date"]) for old in earlier
        )
        until = subsidy_until_of(
            on_post=row["on_post_date"],
            limit=row["township__county__subsidy_months"],
            used_before=used,
            extended_until=row["extended_until"],
            legacy_pay=row["legacy_pay"],
            legacy_until=row["legacy_until"],
        )
        if until != row["subsidy_until"]:
            changed.append(model(pk=row["pk"], subsidy_until=until))
    model.objects.bulk_update(changed, ["subsidy_until"], batch_size=1000)
    return len(changed)


def subsidy_until_refresh_county(county: County) -> int:
    """After a county's limit (subsidy_months) changed: every placement of its holders."""
    holders = Placement.objects.filter(township__county=county).values("person_id")
    return subsidy_until_refresh(person_ids=holders)


def subsidy_end(placement: Placement) -> dt.date:
    """The last day of the subsidy period: the stored value (subsidy_until_refresh keeps it)."""
    assert placement.subsidy_until is not None, f"placement {placement.pk} has no stored subsidy end"
    return placement.subsidy_until


def first_approval(person_id: int, approved_on: dt.date) -> dt.date:
    """初次核定 (docs/policy.md §7.2): the person's first approval ever, the earliest of this approval
    and every earlier placement's first approval (for a 新老衔接 holder, the old scheme's)."""
    earlier = Placement.objects.filter(person_id=person_id).aggregate(first=Min("first_approved_on"))["first"]
    return min(approved_on, earlier) if earlier else approved_on


def extension_label(placement: Placement) -> str:
    """How an extension is named where the ID number is masked: an urban extension runs up to the
    day before retirement, a date moved from the birth date, so it is named by its year only (as
    the alerts name birthdays); a rural one by its day."""
    until = placement.extended_until
    if until is None:
        return ""
    return f"{until.year}年内法定退休前" if placement.line == Line.URBAN else str(until)


def person_retirement(placement: Placement) -> dt.date:
    person = placement.person
    return retirement_date(person.birth_date, RetirementCategory(person.retirement_category))


def urban_extension_allowed(placement: Placement) -> bool:
    """Less than N years from retirement at the person's first approval ever (docs/policy.md §7.3, §7.2)."""
    years = placement.township.county.urban_extension_years
    first = first_approval(placement.person_id, placement.first_approved_on)
    return person_retirement(placement) < first + relativedelta(years=years)


@transaction.atomic
def extension_grant(*, placement: Placement, until: dt.date, document: str, actor: User) -> Placement:
    """Record a county-approved extension of the subsidy period."""
    if not document.strip():
        raise ValidationError({"document": ["请填写延长的批准文件"]})
    if placement.legacy_pay is not None:  # old terms end with the old agreement (docs/policy.md §7.3)
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
    subsidy_until_refresh(person_ids=[placement.person_id])
    placement.refresh_from_db(fields=["subsidy_until"])
    placement.application.history.create(
        from_step=Step.PLACED,
        to_step=Step.PLACED,
        actor=actor,
        on=dt.date.today(),
        note=f"补贴期限延长至{extension_label(placement)}（{document.strip()}）",
    )
    return placement


def months_beyond_back_pay(placement: Placement, start: dt.date) -> list[dt.date]:
    """The county's locked months from `start` on that no later computation can pay back any
    more: adjustments reach the 12 months before the month computed next (docs/policy.md §9.7),
    the month after the latest locked one."""
    from subsidies.models import PayrollRun

    locked = PayrollRun.objects.filter(county_id=placement.township.county_id, state=PayrollRun.State.LOCKED)
    latest = locked.order_by("-month").values_list("month", flat=True).first()
    if latest is None:
        return []
    reach = add_months(latest, 1 - 12)  # the earliest month the next computation corrects
    lost = locked.filter(month__gte=start.replace(day=1), month__lt=reach).order_by("month")
    return list(lost.values_list("month", flat=True))


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
    subsidy_until_refresh(person_ids=[placement.person_id])  # a later placement's count moves
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


# What an alert reads: model instances of only these columns cost a third of whole rows. The
# subsidy end is stored (subsidy_until), so no other column is read per placement.
ALERT_FIELDS = (
    "application_id", "person_id", "post_id", "township_id", "line", "on_post_date", "subsidy_until",
    "exit_date", "person__name", "person__birth_date", "person__retirement_category", "post__code",
    "township__name", "township__county__rural_flag_age", "township__county__alert_days",
)  # fmt: skip


def alerts(*, placements: QuerySet[Placement], today: dt.date, days: int | None = None) -> list[Alert]:
    """Active placements whose agreement, subsidy period, rural age limit or (urban holders
    only: rural ones are bounded by the age flag, docs/policy.md §7.6) retirement falls within the
    next `days` days (county setting, 60), soonest first.

    A county-wide SQL condition (`_maybe_due`) first keeps the placements that may fall due
    (a superset: every bound is taken on the safe side); only those are read and checked exactly,
    with their agreements fetched in one query. Queries: one for the counties, then two per
    county, whatever the number of placements."""
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
    subsidy = Q(subsidy_until__lte=horizon)
    retirement = Q()
    year_end = dt.date(horizon.year, 12, 31)  # BIRTH_KINDS
    for category in RetirementCategory:
        born = latest_birth_retired_by(category, year_end)
        retirement |= Q(person__retirement_category=category.value, person__birth_date__lte=born)
    retirement &= Q(line=Line.URBAN)
    age = Q(
        line=Line.RURAL,
        person__birth_date__lte=year_end - relativedelta(years=county.rural_flag_age + 1) + slack,
    )
    agreement = Q(application__in=Agreement.objects.filter(end_date__lte=horizon).values("application_id"))
    return Q(township__county=county) & (subsidy | retirement | age | agreement)


def _due(candidates: list[Placement], county: County, horizon: dt.date) -> list[Alert]:
    """The alerts of `candidates` (read with ALERT_FIELDS) falling due by `horizon`: one query
    for their agreements, none per placement."""
    agreements = {
        a.application_id: a
        for a in Agreement.objects.filter(application__in=[p.application_id for p in candidates])
        .order_by("number")
        .only("application_id", "end_date")
    }
    found = []
    for placement in candidates:
        person = placement.person
        dues = [("subsidy", subsidy_end(placement))]
        if placement.line == Line.URBAN:  # rural holders: the age flag instead (docs/policy.md §7.6)
            dues.append(("retirement", person_retirement(placement)))
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
