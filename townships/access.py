"""The one scoping gate: what a user may see. Every view, export and task acting for a user
gets its querysets here. Each function fails closed: no membership, an unknown role or an
inactive user sees nothing. Out-of-scope objects answer 404 through the get_* helpers.
"""

import datetime as dt
import enum
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import AGENCY_ACTS, AgencyContract, County, Membership, Role, Township, Village

AnyUser = User | AnonymousUser
M = TypeVar("M", bound=Model)


class AuthedRequest(HttpRequest):
    """The request of a @login_required view, for type checking only (as django-stubs documents):
    its user is a signed-in User, never AnonymousUser. Nothing creates one at run time."""

    user: User


COUNTY_ROLES = {Role.HR, Role.FINANCE, Role.AUDITOR, Role.COUNTY_ADMIN}
# Roles allowed to change things at county level (the auditor only reads).
COUNTY_WRITERS = {Role.HR, Role.FINANCE, Role.COUNTY_ADMIN}
# Above the county (docs/policy.md §1.4): they read the supervision pages of their counties
# (supervised_counties) and nothing else; they see no township, no person and write nothing, so
# visible_counties and visible_townships give them nothing and every county or township page
# answers 404 to them.
SUPERVISORS = {Role.CITY, Role.PROVINCE}


def membership_of(user: AnyUser) -> Membership | None:
    """The user's membership, or None for anonymous, inactive or unassigned users."""
    if not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def role_of(user: AnyUser) -> str | None:
    membership = membership_of(user)
    return membership.role if membership else None


def has_role(user: AnyUser, *roles: str) -> bool:
    return role_of(user) in roles


def administers_every_county(user: AnyUser) -> bool:
    """A county administrator without a county: the administrator of every county of the
    deployment (who makes the city and province users, docs/policy.md §1.4)."""
    membership = membership_of(user)
    return membership is not None and membership.role == Role.COUNTY_ADMIN and membership.county_id is None


def visible_counties(user: AnyUser) -> QuerySet[County]:
    membership = membership_of(user)
    if membership is None:
        return County.objects.none()
    if administers_every_county(user):
        return County.objects.all()
    if membership.role in COUNTY_ROLES:
        return County.objects.filter(pk=membership.county_id)  # type: ignore[misc]  # a county role's membership has a county
    if membership.role == Role.CLERK:
        return County.objects.filter(townships=membership.township_id)
    return County.objects.none()


def supervised_counties(user: AnyUser) -> QuerySet[County]:
    """The counties a city user (their city's) or a province user (every county) reads on the
    supervision pages (docs/policy.md §1.4); nothing for anyone else."""
    membership = membership_of(user)
    if membership is None:
        return County.objects.none()
    if membership.role == Role.PROVINCE:
        return County.objects.all()
    if membership.role == Role.CITY:
        return County.objects.filter(city_id=membership.city_id)  # type: ignore[misc]  # a city user's membership has a city
    return County.objects.none()


def get_supervised_county_or_404(user: AnyUser, code: str) -> County:
    return get_object_or_404(supervised_counties(user).select_related("city"), code=code)


def visible_townships(user: AnyUser) -> QuerySet[Township]:
    membership = membership_of(user)
    if membership is None:
        return Township.objects.none()
    if membership.role == Role.CLERK:
        return Township.objects.filter(pk=membership.township_id)  # type: ignore[misc]  # a clerk's membership has a township
    if membership.role in COUNTY_ROLES:
        return Township.objects.filter(county__in=visible_counties(user))
    if membership.role == Role.AGENCY:
        return Township.objects.filter(
            pk__in=_contracted(membership, timezone.localdate()).values("townships")
        )
    return Township.objects.none()


class Act(enum.StrEnum):
    """What a township may hand to a contracted agency (docs/policy.md §1.5): the names are the
    contract's fields. Nothing else can be granted: no approval, no money."""

    ATTENDANCE = "attendance"
    ASSESSMENT = "assessment"
    APPLICANTS = "applicants"


ACT_LABELS = {Act(field): label for field, label in AGENCY_ACTS.items()}


def _contracted(membership: Membership, on: dt.date, act: Act | None = None) -> QuerySet[AgencyContract]:
    """The contracts of the member's agency running on `on` (both ends included), granting `act`."""
    contracts = AgencyContract.objects.filter(
        agency_id=membership.agency_id,  # type: ignore[misc]  # an agency member's membership has an agency
        start_date__lte=on,
        end_date__gte=on,
    )
    return contracts.filter(**{act.value: True}) if act else contracts


def may_act(user: AnyUser, act: Act, township: Township, on: dt.date) -> bool:
    """May the user do `act` in `township` on the date `on` (the act's date; a page's is the
    request's)? A clerk in their own township; an agency's staff where a contract of their agency
    running on that date grants the act for that township; nobody else (docs/policy.md §1.5)."""
    membership = membership_of(user)
    if membership is None:
        return False
    if membership.role == Role.CLERK:
        return membership.township_id == township.pk
    if membership.role == Role.AGENCY:
        return _contracted(membership, on, act).filter(townships=township).exists()
    return False


def act_check(user: AnyUser, act: Act, township: Township, on: dt.date) -> None:
    """For services: ValidationError (in Chinese, naming the act, the township and the date)
    unless may_act."""
    if not may_act(user, act, township, on):
        raise ValidationError(
            f"无权在{township.name}办理{ACT_LABELS[act]}（{on:%Y年%m月%d日}）：须为本乡镇（街道）经办人，"
            "或受委托且合同在该日有效、约定了此事项的第三方机构人员"
        )


def is_agency(user: AnyUser) -> bool:
    return has_role(user, Role.AGENCY)


def act_township(user: AnyUser, act: Act, code: str = "") -> Township:
    """The township a page of `act` works in, today: a clerk's own; for an agency's staff the
    contracted township of that code, else the first of those granting the act; 404 otherwise."""
    townships = act_townships(user, act)
    if code and is_agency(user):
        townships = townships.filter(code=code)
    township = townships.order_by("code").first()
    if township is None:
        raise Http404("无权访问")
    return township


def act_townships(user: AnyUser, act: Act) -> QuerySet[Township]:
    """The townships where the user may do `act` today (a clerk's one; an agency's contracted)."""
    membership = membership_of(user)
    if membership is not None and membership.role == Role.AGENCY:
        today = timezone.localdate()
        return Township.objects.filter(pk__in=_contracted(membership, today, act).values("townships"))
    if membership is not None and membership.role == Role.CLERK:
        return Township.objects.filter(pk=membership.township_id)  # type: ignore[misc]  # a clerk has a township
    return Township.objects.none()


def visible_villages(user: AnyUser) -> QuerySet[Village]:
    """A village user's one village; the villages of the townships a clerk or a county role sees.
    A village user sees no township and no county (visible_townships, visible_counties): every
    township or county page answers 404 to them (docs/policy.md §1.2)."""
    membership = membership_of(user)
    if membership is None:
        return Village.objects.none()
    if membership.role == Role.VILLAGE:
        return Village.objects.filter(pk=membership.village_id)  # type: ignore[misc]  # a village user's membership has a village
    return Village.objects.filter(township__in=visible_townships(user))


def scope_by_village(user: AnyUser, queryset: QuerySet[M], path: str = "village") -> QuerySet[M]:
    """Filter any queryset to the user's villages; `path` leads from the model to Village (a
    placement's is "post__village": the placements of the posts in a village user's village)."""
    ids = list(visible_villages(user).values_list("pk", flat=True))
    return queryset.filter(**{f"{path}__in": ids})


def get_village_or_404(user: AnyUser, pk: int) -> Village:
    return get_object_or_404(visible_villages(user).select_related("township__county"), pk=pk)


def scope_by_township(user: AnyUser, queryset: QuerySet[M], path: str = "township") -> QuerySet[M]:
    """Filter any queryset to the user's townships; `path` leads from the model to Township.
    The township ids are fetched first (a county has a few dozen): a literal IN list lets the
    planner use the (township, …) indexes with true estimates instead of a nested subquery."""
    ids = list(visible_townships(user).values_list("pk", flat=True))
    return queryset.filter(**{f"{path}__in": ids})


def scope_by_county(user: AnyUser, queryset: QuerySet[M], path: str = "county") -> QuerySet[M]:
    """Filter a county-level queryset (plans, policies, runs) to the user's counties."""
    return queryset.filter(**{f"{path}__in": visible_counties(user)})


def township_pk(user: AnyUser, code: str) -> int | None:
    """The id of the visible township of that code, or None (then a filter on it finds nothing).
    Lists filter on the literal id, which lets the planner use their (township, …) indexes."""
    return visible_townships(user).filter(code=code).values_list("pk", flat=True).first()


def get_county_or_404(user: AnyUser, code: str) -> County:
    return get_object_or_404(visible_counties(user), code=code)


def get_township_or_404(user: AnyUser, code: str) -> Township:
    return get_object_or_404(visible_townships(user), code=code)


def require_role(user: AnyUser, *roles: str) -> Membership:
    """The membership if the user holds one of `roles`; otherwise 404 (we do not reveal pages)."""
    membership = membership_of(user)
    if membership is None or membership.role not in roles:
        raise Http404("无权访问")
    return membership
