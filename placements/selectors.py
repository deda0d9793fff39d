"""Reads for the placement procedure, always through the scoping gate."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from people.selectors import person_search
from townships.access import scope_by_township, township_pk

from .models import OPEN_STEPS, Application, Placement, Publicity, Step


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
