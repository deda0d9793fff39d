"""Reads for the placement procedure, always through the scoping gate."""

import datetime as dt
import hashlib
from collections import Counter
from typing import NamedTuple

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, F, Max, QuerySet, Sum
from django.shortcuts import get_object_or_404

from common.cache import cached
from people.selectors import person_search
from townships.access import scope_by_township, township_pk, visible_townships

from . import terms
from .dates import publicity_ended
from .models import OPEN_STEPS, Agreement, Application, Placement, Publicity, Step

ALERT_CACHE_SECONDS = 60 * 60 * 24


def applications(
    *, user: User | AnonymousUser, step: str = "", q: str = "", township: str = "", line: str = ""
) -> QuerySet[Application]:
    """Applications in the user's scope, filtered by step, person search (people.selectors),
    township code and line; newest first within each township (application_queue_idx)."""
    found = _filtered(user, Application.objects.all(), q=q, township=township, line=line)
    if step in Step.values:
        found = found.filter(step=step)
    return found.select_related("person", "post__village", "township").order_by("township_id", "-created_at")


def _filtered(
    user: User | AnonymousUser, queryset: QuerySet, *, q: str, township: str, line: str
) -> QuerySet:
    found = scope_by_township(user, queryset)
    search = person_search(user=user, q=q, path="person__")
    if search is not None:
        found = found.filter(search)
    if township:
        found = found.filter(township_id=township_pk(user, township))
    if line:
        found = found.filter(line=line)
    return found


def placements(
    *, user: User | AnonymousUser, q: str = "", township: str = "", line: str = "", status: str = ""
) -> QuerySet[Placement]:
    """Placements in the user's scope: on post (status "on"), exited ("exited") or all."""
    found = _filtered(user, Placement.objects.all(), q=q, township=township, line=line)
    if status == "on":
        found = found.filter(exit_date__isnull=True)
    elif status == "exited":
        found = found.filter(exit_date__isnull=False)
    return found.select_related("person__village", "post", "township").order_by(
        "township_id", "on_post_date", "id"
    )


def awaiting_approval(*, user: User | AnonymousUser, today: dt.date) -> QuerySet[Application]:
    """Publicized applications in the user's scope whose publicity has ended by `today`: what HR
    may approve now (公示期满待区级审批)."""
    found = Application.objects.filter(publicity_ended(today), step=Step.PUBLICIZED)
    return scope_by_township(user, found)


def queue_counts(*, user: User | AnonymousUser) -> list[tuple[str, str, int | None]]:
    """(step, label, count) for every step, in the order of the procedure: the work queue.
    Only the open steps are counted (None for the others): they are the work, and a few index
    ranges of application_queue_idx, where counting every placed application of a county
    would read them all on every visit."""
    open_steps = scope_by_township(user, Application.objects.filter(step__in=OPEN_STEPS))
    counts = dict(open_steps.values_list("step").annotate(n=Count("id")))
    return [
        (value, label, counts.get(value, 0) if value in OPEN_STEPS else None) for value, label in Step.choices
    ]


def application_get(*, user: User | AnonymousUser, pk: int) -> Application:
    queryset = scope_by_township(
        user, Application.objects.select_related("person", "post__village", "township")
    )
    return get_object_or_404(queryset, pk=pk)


def publicity_get(*, user: User | AnonymousUser, pk: int) -> Publicity:
    return get_object_or_404(scope_by_township(user, Publicity.objects.select_related("township")), pk=pk)


def active_placements(*, user: User | AnonymousUser) -> QuerySet[Placement]:
    return scope_by_township(user, Placement.objects.filter(exit_date__isnull=True))


class AlertRow(NamedTuple):
    """An expiry alert as the alert page shows it. Kept in the cache as plain tuples: a
    township's 8,000 alerts unpickle in 15 ms (as dataclasses in 40 ms, named tuples 60 ms)."""

    kind: str
    due: dt.date
    message: str
    name: str
    township: str
    post: str
    application_id: int


def alert_counts(*, user: User | AnonymousUser, today: dt.date) -> dict[str, int]:
    """How many alerts of each kind (for landing pages): kept apart from the list under the same
    fingerprint, so a county's counts do not load its whole list."""
    key = _alerts_key(user, today)
    return cached(
        f"{key}:counts",
        lambda: dict(Counter(row[0] for row in _alert_rows(user, today, key))),
        ALERT_CACHE_SECONDS,
    )


def alerts(*, user: User | AnonymousUser, today: dt.date) -> list[AlertRow]:
    """The expiry alerts in the user's scope (terms.alerts), soonest first. Kept in the cache
    under a fingerprint of the scope's placements and agreements (how many on post, the newest,
    their stored subsidy ends, the newest agreement): a placement started, ended or extended, a
    subsidy end recomputed, or an agreement
    signed, changes the key, so the list is never stale; an unchanged scope is computed once."""
    return [AlertRow._make(row) for row in _alert_rows(user, today, _alerts_key(user, today))]


def _alert_rows(user: User | AnonymousUser, today: dt.date, key: str) -> list[tuple]:
    def compute() -> list[tuple]:
        return [
            (a.kind, a.due, a.message, a.placement.person.name, a.placement.township.name,
             a.placement.post.code, a.placement.application_id)
            for a in terms.alerts(placements=active_placements(user=user), today=today)
        ]  # fmt: skip

    return cached(key, compute, ALERT_CACHE_SECONDS)


def _alerts_key(user: User | AnonymousUser, today: dt.date) -> str:
    """The cache key of the scope's alerts: today, the townships, and a fingerprint of the
    placements and agreements (two aggregate queries along the scope's indexes)."""
    # the stored subsidy ends (an extension, a county's new limit, a corrected earlier exit all
    # move one): their total length from the on-post dates changes with any of them
    mark = active_placements(user=user).aggregate(
        n=Count("id"), top=Max("id"), until=Sum(F("subsidy_until") - F("on_post_date"))
    )
    signed = scope_by_township(user, Agreement.objects.all(), "application__township").aggregate(
        top=Max("id")
    )
    scope = ",".join(str(pk) for pk in visible_townships(user).values_list("pk", flat=True))
    fingerprint = f"{today}|{scope}|{mark}|{signed['top']}"
    return f"placements:alerts:v5:{hashlib.sha1(fingerprint.encode()).hexdigest()}"
