"""Reads for the placement procedure, always through the scoping gate."""

import datetime as dt
import hashlib
from collections import Counter
from functools import cached_property
from typing import NamedTuple

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, F, Max, QuerySet, Sum
from django.shortcuts import get_object_or_404

from common.cache import cached
from common.paging import CAP
from people.selectors import person_search
from townships.access import scope_by_township, township_pk, visible_townships

from . import alert_sql, terms
from .dates import publicity_ended
from .models import OPEN_STEPS, Agreement, Application, Placement, Publicity, Step


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
    """An expiry alert as the alert page shows it."""

    kind: str
    due: dt.date
    message: str
    name: str
    township: str
    post: str
    application_id: int


# A landing page counts each kind of alert up to this many (more: "1,000 以上"); the alert
# page counts up to common.paging.CAP, as every list does.
LANDING_CAP = 1_000
ALERT_CACHE_SECONDS = 60 * 60 * 24


def alert_counts(
    *, user: User | AnonymousUser, today: dt.date, cap: int | None = LANDING_CAP
) -> dict[str, int]:
    """How many alerts of each kind in the user's scope, each counted up to `cap` + 1 (a count
    above `cap` means "more than cap"): found by the database (placements.alert_sql), one query
    a kind whatever the number of placements; kept under the scope's fingerprint."""
    active = active_placements(user=user)
    if not alert_sql.available():
        return dict(Counter(row.kind for row in _python_rows(active, today)))
    key = _alerts_key(user, today)
    return cached(
        f"{key}:counts:{cap}",
        lambda: alert_sql.counts(active=active, today=today, cap=cap),
        ALERT_CACHE_SECONDS,
    )


class Alerts:
    """The expiry alerts in the user's scope (terms.alerts' rules, found by alert_sql), soonest
    first, of one kind or all: a sequence a Paginator pages, each page one query, the count
    (capped at common.paging.CAP, as the other lists) one a kind. Pages and counts are kept
    under a fingerprint of the scope (_alerts_key): a placement started, ended or extended, a
    subsidy end recomputed, an agreement signed or a county's alert settings changed give
    another key, so nothing shown is stale."""

    cap = CAP

    def __init__(self, user: User | AnonymousUser, today: dt.date, kind: str = "") -> None:
        self.user, self.active, self.today, self.kind = user, active_placements(user=user), today, kind

    @cached_property
    def key(self) -> str:
        return _alerts_key(self.user, self.today)

    @cached_property
    def total(self) -> int:
        if not alert_sql.available():
            return sum(
                1 for row in _python_rows(self.active, self.today) if row.kind == self.kind or not self.kind
            )

        def compute() -> dict[str, int]:
            return alert_sql.counts(active=self.active, today=self.today, cap=self.cap)

        counts = cached(f"{self.key}:counts:{self.cap}", compute, ALERT_CACHE_SECONDS)
        return counts.get(self.kind, 0) if self.kind else sum(counts.values())

    def count(self) -> int:
        """At most cap + 1: a page offers the first `cap` alerts, the rest by kind."""
        return min(self.total, self.cap + 1)

    @property
    def capped(self) -> bool:
        return self.total > self.cap

    @property
    def cap_label(self) -> str:
        return f"{self.cap:,}"

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[AlertRow]:
        if not isinstance(index, slice) or index.step is not None:  # templates try [name] first
            raise TypeError("alerts are read a page at a time")
        if not alert_sql.available():
            rows = [
                row for row in _python_rows(self.active, self.today) if row.kind == self.kind or not self.kind
            ]
            return rows[index]
        offset = index.start or 0
        limit = (index.stop - offset) if index.stop is not None else None

        def compute() -> list[tuple]:
            found = alert_sql.page(
                active=self.active, today=self.today, kind=self.kind, offset=offset, limit=limit
            )
            return [tuple(row) for row in found]

        rows = cached(f"{self.key}:page:{self.kind}:{offset}:{limit}", compute, ALERT_CACHE_SECONDS)
        return [_alert_row(alert_sql.Row._make(row)) for row in rows]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self[0:None])


def _python_rows(active: QuerySet[Placement], today: dt.date) -> list[AlertRow]:
    """terms.alerts itself, where the database is not PostgreSQL (the embedded SQLite default)."""
    return [
        AlertRow(a.kind, a.due, a.message, p.person.name, p.township.name, p.post.code, p.application_id)
        for a in terms.alerts(placements=active, today=today)
        for p in [a.placement]
    ]


def _alerts_key(user: User | AnonymousUser, today: dt.date) -> str:
    """The cache key of the scope's alerts: today, the townships, the counties' alert settings
    and a fingerprint of the active placements (how many, the newest, the total length of
    their stored subsidy periods: read from placement_start_idx alone) and of the agreements
    (the newest anywhere: one look at the primary key)."""
    mark = active_placements(user=user).aggregate(
        n=Count("id"), top=Max("id"), until=Sum(F("subsidy_until") - F("on_post_date"))
    )
    signed = Agreement.objects.aggregate(top=Max("id"))["top"]
    towns = visible_townships(user).values_list("pk", "county__alert_days", "county__rural_flag_age")
    fingerprint = f"{today}|{list(towns)}|{mark}|{signed}"
    return f"placements:alerts:v6:{hashlib.sha1(fingerprint.encode()).hexdigest()}"


def _alert_row(row: alert_sql.Row) -> AlertRow:
    """The message terms._due writes for the same alert."""
    label = terms.ALERT_KINDS[row.kind]
    if row.kind in terms.BIRTH_KINDS:
        message = f"{row.name}：{row.due.year}年内{label}（届时{row.age}周岁）"
    else:
        message = f"{row.name}：{label}（{row.due}）"
    return AlertRow(row.kind, row.due, message, row.name, row.township, row.post, row.application_id)


def alerts(*, user: User | AnonymousUser, today: dt.date, kind: str = "") -> Alerts:
    """The expiry alerts in the user's scope, soonest first (see Alerts)."""
    return Alerts(user, today, kind)
