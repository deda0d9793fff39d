"""Reads about people, always through the scoping gate."""

import re

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from townships.access import scope_by_township

from .models import GroupClaim, Person

ID_PREFIX = re.compile(r"^\d{4,17}[\dXx]?$")


def person_list(
    *, user: User | AnonymousUser, q: str = "", group: str = "", township: str = "", status: str = ""
) -> QuerySet[Person]:
    """People the user may see, filtered. Search: ID-number prefix when `q` looks like digits,
    else name prefix or exact village name. Uses person_township_name_idx / name prefix index."""
    people = scope_by_township(user, Person.objects.all())
    q = q.strip()
    if q and ID_PREFIX.match(q):
        people = people.filter(id_number__startswith=q.upper())
    elif q:
        people = people.filter(name__startswith=q) | people.filter(village__name=q)
    if township:
        people = people.filter(township__code=township)
    if group:
        people = people.filter(claims__group=group)
    if status:
        people = people.filter(claims__status=status)
    return (
        people.select_related("village", "township")
        .prefetch_related(Prefetch("claims", queryset=GroupClaim.objects.order_by("group")))
        .order_by("township__code", "name", "id")
        .distinct()
    )


def person_get(*, user: User | AnonymousUser, pk: int) -> Person:
    """One person in the user's scope, or 404."""
    queryset = scope_by_township(user, Person.objects.select_related("village", "township__county"))
    return get_object_or_404(queryset, pk=pk)


def claim_get(*, user: User | AnonymousUser, pk: int) -> GroupClaim:
    queryset = GroupClaim.objects.filter(person__in=scope_by_township(user, Person.objects.all()))
    return get_object_or_404(queryset.select_related("person"), pk=pk)
