"""Follow-up after exit (docs/policy.md §7.10): a leaver referred to employment help, 创业 support
or social assistance, and each referral followed up with its date, the service given and the
outcome so far.

The exit (placements.terms.placement_exit) makes the referral its form names; more are added
later. A follow-up is dated on or after the exit and the referral, never after today. HR's list
of leavers without follow-up: referred, exited more than the county's 退出后跟踪期限（天）ago
(FollowUpSetting, 30 by default), and no follow-up entry yet."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from common.validation import full_clean
from townships.access import scope_by_township, visible_counties
from townships.models import County, Role

from .dates import not_after_today, not_before
from .models import (
    ExitReferral,
    FollowUp,
    FollowUpOutcome,
    FollowUpService,
    FollowUpSetting,
    Placement,
    Referral,
    ReferralKind,
)

AnyUser = User | AnonymousUser

READERS = (Role.CLERK, Role.HR, Role.FINANCE, Role.AUDITOR, Role.COUNTY_ADMIN)
WRITERS = (Role.CLERK, Role.HR)
# The referral chosen on the exit form (Placement.referral) and the kind of row it makes.
FROM_EXIT = {Referral.EMPLOYMENT: ReferralKind.EMPLOYMENT, Referral.ASSISTANCE: ReferralKind.ASSISTANCE}


def referral_from_exit(*, placement: Placement, actor: User | None) -> ExitReferral | None:
    """The referral the exit form names, dated at the exit (无需转介: none). Called by the exit."""
    kind = FROM_EXIT.get(placement.referral)  # type: ignore[call-overload]  # a code or ""
    if kind is None or placement.exit_date is None:
        return None
    return ExitReferral.objects.create(
        placement=placement,
        kind=kind,
        referred_on=placement.exit_date,
        note=placement.referral_note,
        created_by=actor,
    )


@transaction.atomic
def referral_add(
    *,
    placement: Placement,
    kind: str,
    referred_on: dt.date,
    note: str,
    actor: User,
    today: dt.date | None = None,
) -> ExitReferral:
    """A further referral of a leaver: on or after the exit, not after today, one of each kind."""
    if placement.exit_date is None:
        raise ValidationError("此人尚未退出，退出后才能转介")
    if kind not in ReferralKind.values:
        raise ValidationError({"kind": ["请选择转介类型"]})
    not_after_today("转介日期", referred_on, today)
    not_before("转介日期", referred_on, "离岗日期", placement.exit_date)
    referral = ExitReferral(
        placement=placement, kind=kind, referred_on=referred_on, note=note.strip(), created_by=actor
    )
    full_clean(referral)
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        raise ValidationError(f"此人已有“{ReferralKind(kind).label}”转介，请在其下记录跟踪") from None
    return referral


@transaction.atomic
def followup_record(
    *,
    referral: ExitReferral,
    on: dt.date,
    service: str,
    outcome: str,
    note: str,
    actor: User,
    today: dt.date | None = None,
) -> FollowUp:
    """One follow-up of a referral: dated on or after the exit and the referral, not after today."""
    if service not in FollowUpService.values:
        raise ValidationError({"service": ["请选择提供的服务"]})
    if outcome not in FollowUpOutcome.values:
        raise ValidationError({"outcome": ["请选择跟踪结果"]})
    not_after_today("跟踪日期", on, today)
    not_before("跟踪日期", on, "离岗日期", referral.placement.exit_date)
    not_before("跟踪日期", on, "转介日期", referral.referred_on)
    entry = FollowUp(
        referral=referral, on=on, service=service, outcome=outcome, note=note.strip(), recorded_by=actor
    )
    full_clean(entry)
    entry.save()
    return entry


# ---- reads ------------------------------------------------------------------------------------


def due_days(county: County) -> int:
    """The county's 退出后跟踪期限（天） (FollowUpSetting; no row: the default)."""
    found = FollowUpSetting.objects.filter(county=county).values_list("due_days", flat=True).first()
    return FollowUpSetting.DEFAULT_DAYS if found is None else found


def leaver_get(*, user: AnyUser, pk: int) -> Placement:
    """An exited placement of the user's townships (404 otherwise)."""
    found = scope_by_township(user, Placement.objects.filter(exit_date__isnull=False))
    return get_object_or_404(found.select_related("person", "township", "post"), pk=pk)


def referral_get(*, placement: Placement, pk: int) -> ExitReferral:
    return get_object_or_404(ExitReferral.objects.select_related("placement"), placement=placement, pk=pk)


def _followed() -> Exists:
    return Exists(FollowUp.objects.filter(referral__placement=OuterRef("pk")))


def without_followup(user: AnyUser, today: dt.date) -> QuerySet[Placement]:
    """Leavers referred, exited more than their county's 退出后跟踪期限 before `today`, and not
    followed up once: the oldest exits first. One filter per visible county (a handful)."""
    overdue = Q(pk__in=[])
    for county in visible_counties(user):
        cutoff = today - dt.timedelta(days=due_days(county))
        overdue |= Q(township__county=county, exit_date__lt=cutoff)
    found = Placement.objects.filter(overdue, Exists(ExitReferral.objects.filter(placement=OuterRef("pk"))))
    found = scope_by_township(user, found.exclude(_followed()))
    return found.select_related("person", "township").order_by("exit_date", "pk")


def leavers_for(user: AnyUser, year: int) -> QuerySet[Placement]:
    """The placements of the user's townships that ended in `year`."""
    return scope_by_township(user, Placement.objects.filter(exit_date__year=year))


def _latest_outcome() -> Subquery:
    return Subquery(
        FollowUp.objects.filter(referral__placement=OuterRef("pk"))
        .order_by("-on", "-id")
        .values("outcome")[:1]
    )


def leavers_listed(user: AnyUser, year: int) -> QuerySet[Placement]:
    """The year's leavers of the user's townships, latest exits first, each with the outcome of
    their latest follow-up (`last`, None before any)."""
    found = leavers_for(user, year).annotate(last=_latest_outcome())
    return found.select_related("person", "township").order_by("-exit_date", "-pk")


@dataclass(frozen=True)
class Figures:
    year: int
    leavers: int
    referred: int
    followed: int
    overdue: int
    outcomes: list[tuple[str, int]]  # label, leavers whose latest follow-up has that outcome


def figures(user: AnyUser, today: dt.date) -> Figures:
    """The landing page's figures for `today`'s year: leavers, referred, followed at least once,
    by the outcome of their latest follow-up, and those overdue (without_followup, any year)."""
    leavers = leavers_for(user, today.year)
    referred = Exists(ExitReferral.objects.filter(placement=OuterRef("pk")))
    counts = leavers.aggregate(
        n=Count("pk"), referred=Count("pk", filter=Q(referred)), followed=Count("pk", filter=Q(_followed()))
    )
    by_outcome = dict(
        leavers.annotate(last=_latest_outcome())
        .filter(last__isnull=False)
        .values("last")
        .annotate(n=Count("pk"))
        .values_list("last", "n")
    )
    return Figures(
        year=today.year,
        leavers=counts["n"],
        referred=counts["referred"],
        followed=counts["followed"],
        overdue=without_followup(user, today).count(),
        outcomes=[(label, by_outcome.get(value, 0)) for value, label in FollowUpOutcome.choices],
    )
