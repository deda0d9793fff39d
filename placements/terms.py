"""Life on the post (docs/policy.md §7): the subsidy period, extensions, renewals, exits, alerts.

The subsidy period is counted per person: months already used (merged earlier months of the old
scheme and earlier placements) are taken off the county's limit (36 months). Rural holders may
be extended by county approval; urban holders less than N years (county setting, 5) from
statutory retirement at first approval may be extended up to retirement."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Min, OuterRef, QuerySet, Subquery

from common.bulk import update_rows
from common.retirement import RetirementCategory, add_months, retirement_date
from posts.models import Post
from posts.services import post_status_set
from townships.access import membership_of
from townships.models import County, Line, Role

from . import followup
from .agreements import agreement_terms
from .models import Agreement, Application, ExitReason, Placement, Referral, Step
from .procedure import MOVES, ROLE_LABELS, actor_may_act, move


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


def age_alert_day(*, line: str, birth: dt.date, category: str, flag_age: int) -> dt.date:
    """The day the age alert speaks of: for a rural holder the last day before the birthday at
    the county's age flag + 1 (docs/policy.md §7.6), for an urban one the statutory retirement day
    (common.retirement, the 2025 reform)."""
    if line == Line.RURAL:
        return birth + relativedelta(years=flag_age + 1) - dt.timedelta(days=1)
    return retirement_date(birth, RetirementCategory(category))


STORED = ("subsidy_until", "agreement_until", "age_alert_on")
# What stored_terms_refresh reads of each placement (and its annotation last_agreement).
READ = (
    "pk",
    "person_id",
    "township_id",
    "line",
    "on_post_date",
    "exit_date",
    "prior_months",
    "extended_until",
    "legacy_pay",
    "legacy_until",
    "last_agreement",
    "person__birth_date",
    "person__retirement_category",
    "township__county__subsidy_months",
    "township__county__rural_flag_age",
)


def stored_terms_refresh(*, person_ids: Iterable[int] | QuerySet, model: type[Placement] = Placement) -> int:
    """Compute and store the dates every reader of a placement's terms reads (docs/policy.md §7):
    `subsidy_until` (subsidy_until_of, the months used before being the placement's own merged
    months plus, for every earlier placement of the person by on-post date, its merged months and
    months on post: a person who comes back continues their count), `agreement_until` (the last
    agreement's end) and `age_alert_on` (the 31st of December of age_alert_day's year), for every
    placement of these people, and the group tally of their townships (group_tally_refresh). Call
    it whenever a fact changes: a placement created or imported, an agreement signed or renewed,
    an exit, an extension, a merged-months or date edit, a person's birth date, category or
    groups, a county's limit or age flag. One read, then the changed rows in one UPDATE
    (common.bulk.update_rows: by COPY on PostgreSQL); returns how many placements changed.
    `model`: a migration passes its historical model (only the fields it has are written)."""
    fields = [f for f in STORED if _has(model, f)]
    agreements = model._meta.apps.get_model("placements", "Agreement").objects
    last_agreement = agreements.filter(application=OuterRef("application")).order_by("-number")
    rows = list(
        model.objects.filter(person_id__in=person_ids)
        .order_by("person_id", "on_post_date", "pk")
        .annotate(last_agreement=Subquery(last_agreement.values("end_date")[:1]))
        .values(*READ, *fields)
    )
    by_person: dict[int, list[dict]] = {}
    for row in rows:
        by_person.setdefault(row["person_id"], []).append(row)
    changed = []
    for row in rows:
        values = _stored_terms(row, by_person[row["person_id"]])
        if any(values[f] != row[f] for f in fields):
            changed.append((row["pk"], *(values[f] for f in fields)))
    update_rows(model, ["id", *fields], changed)  # COPY and one UPDATE on PostgreSQL
    group_tally_refresh(township_ids={row["township_id"] for row in rows}, model=model)
    return len(changed)


def group_tally_refresh(*, township_ids: Iterable[int], model: type[Placement] = Placement) -> None:
    """Count again the holders on post of these townships by line and claimed group (GroupTally):
    one grouped read of their active placements joined to the claims, one delete, one insert."""
    try:
        tally = model._meta.apps.get_model("placements", "GroupTally")
    except LookupError:  # a migration before the tally's own (0010)
        return
    township_ids = list(township_ids)
    claims = model._meta.apps.get_model("people", "GroupClaim").objects.filter(
        person__placements__township_id__in=township_ids, person__placements__exit_date__isnull=True
    )
    counted = claims.values_list(
        "person__placements__township_id", "person__placements__line", "group"
    ).annotate(n=Count("id"))
    rows = [tally(township_id=t, line=line, group=group, holders=n) for t, line, group, n in counted]
    tally.objects.filter(township_id__in=township_ids).delete()
    tally.objects.bulk_create(rows)


def _has(model: type[Placement], field: str) -> bool:
    return any(f.name == field for f in model._meta.get_fields())


def _stored_terms(row: dict, placements: list[dict]) -> dict[str, dt.date | None]:
    """stored_terms_refresh's values for one placement `row` of a person with `placements`."""
    earlier = (
        old
        for old in placements
        if old["on_post_date"] < row["on_post_date"] and old["exit_date"] and old["pk"] != row["pk"]
    )
    used = row["prior_months"] + sum(
        old["prior_months"] + months_on_post(old["on_post_date"], old["exit_date"]) for old in earlier
    )
    age_day = age_alert_day(
        line=row["line"],
        birth=row["person__birth_date"],
        category=row["person__retirement_category"],
        flag_age=row["township__county__rural_flag_age"],
    )
    return {
        "subsidy_until": subsidy_until_of(
            on_post=row["on_post_date"],
            limit=row["township__county__subsidy_months"],
            used_before=used,
            extended_until=row["extended_until"],
            legacy_pay=row["legacy_pay"],
            legacy_until=row["legacy_until"],
        ),
        "agreement_until": row["last_agreement"],
        "age_alert_on": dt.date(age_day.year, 12, 31),
    }


def stored_terms_refresh_county(county: County) -> int:
    """After a county's limit (subsidy_months) or rural age flag changed: every placement of its
    holders."""
    holders = Placement.objects.filter(township__county=county).values("person_id")
    return stored_terms_refresh(person_ids=holders)


def subsidy_end(placement: Placement) -> dt.date:
    """The last day of the subsidy period: the stored value (stored_terms_refresh keeps it)."""
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
    action_check(actor, "extend", placement)
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
    stored_terms_refresh(person_ids=[placement.person_id])
    placement.refresh_from_db(fields=list(STORED))
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
    action_check(actor, "renew", placement)
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
    stored_terms_refresh(person_ids=[placement.person_id])  # the alert follows the new end
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
    followup.referral_from_exit(placement=placement, actor=actor)  # followed up (docs/policy.md §7.10)
    stored_terms_refresh(person_ids=[placement.person_id])  # a later placement's count moves
    post_status_set(placement.post_id, Post.Status.VACANT)
    return placement


ALERT_KINDS = {
    "agreement": "协议到期",
    "subsidy": "补贴期限届满",
    "age": "达到乡村岗位年龄上限",
    "retirement": "达到法定退休年龄",
}
# What each alert calls for (docs/policy.md §7.6), in the order its buttons are shown, and who
# may do it: the gates of the placement-renew/-extend/-exit views (placements.step_views) read the
# same roles, so an alert offers an action only to whom its page would accept it from.
ALERT_ACTIONS = {
    "agreement": ("renew", "exit"),
    "subsidy": ("extend", "exit"),
    "age": ("exit",),
    "retirement": ("exit",),
}
ACTION_LABELS = {"renew": "续签", "extend": "延期", "exit": "退出"}
ACTION_ROLES = {
    "renew": (Role.CLERK, Role.HR),
    "extend": (Role.HR,),
    "exit": MOVES[(Step.PLACED, Step.EXITED)].roles,  # the procedure's map decides the exit
}


def action_check(actor: User, action: str, placement: Placement) -> None:
    """Who may renew, extend or exit a placement: ACTION_ROLES, in their own township or county
    (the services check it, so every way in obeys; the views answer 404 to others first)."""
    membership = membership_of(actor)
    if membership is None or membership.role not in ACTION_ROLES[action]:
        allowed = "、".join(ROLE_LABELS[r] for r in ACTION_ROLES[action])
        raise ValidationError(f"「{ACTION_LABELS[action]}」须由{allowed}办理。")
    if not actor_may_act(actor, placement.application):
        raise ValidationError("无权办理其他乡镇（街道）或区县的在岗人员。")


# Their dates are the birth date moved by whole years and months; beside the masked ID number,
# which hides exactly the birth date, they would give the number back. Such an alert names the
# year only, is dated the year's last day and comes for the whole year at once (from the day the
# alert period reaches into it), so neither its text, its order nor the day it appears tells more.
BIRTH_KINDS = ("age", "retirement")
