"""The users a county administrator manages: those whose membership lies in a county they see
(townships.access.visible_counties: their own, or all for an administrator without one)."""

from django.contrib.auth.models import User
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from townships.access import AnyUser, visible_counties, visible_villages
from townships.models import Role

# A county administrator resets the passwords of the county's users, but not another
# administrator's (a county role or Django staff), who would otherwise be taken over by a colleague.
MAY_RESET = Case(
    When(Q(is_staff=True) | Q(is_superuser=True) | Q(membership__role=Role.COUNTY_ADMIN), then=Value(False)),
    default=Value(True),
    output_field=BooleanField(),
)


def managed_users(actor: AnyUser) -> QuerySet[User]:
    """Users of the actor's counties, county roles and township clerks alike, with their role
    and scope (one query with the joins)."""
    counties = visible_counties(actor)
    return (
        User.objects.filter(Q(membership__county__in=counties) | Q(membership__township__county__in=counties))
        .select_related("membership__county", "membership__township", "account")
        .annotate(may_reset=MAY_RESET)
        .order_by("membership__township__code", "username")
    )


def get_resettable_user_or_404(actor: AnyUser, pk: int) -> User:
    """A user of the actor's counties whose password the actor may reset (`may_reset`)."""
    return get_object_or_404(managed_users(actor).filter(may_reset=True), pk=pk)  # type: ignore[misc]  # may_reset is an annotation made by managed_users()


def village_users(actor: AnyUser) -> QuerySet[User]:
    """The village users (村（社区）协管员) of the villages the actor sees: for a clerk, their
    township's (townships.access.visible_villages)."""
    villages = list(visible_villages(actor).values_list("pk", flat=True))
    return (
        User.objects.filter(membership__role=Role.VILLAGE, membership__village__in=villages)
        .select_related("membership__village", "account")
        .order_by("membership__village__name", "username")
    )
