"""Reads for the placement procedure, always through the scoping gate."""

import datetime as dt
from functools import cached_property
from typing import NamedTuple

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Value
from django.shortcuts import get_object_or_404

from common.paging import CAP
from common.retirement import age_on
from people.selectors import person_search
from townships.access import scope_by_township, township_pk, visible_townships
from townships.models import Line

from . import terms
from .dates import publicity_ended
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
# Each kind of alert (docs/policy.md §7.6, §7.8): the stored date it compares with the horizon
# (terms.stored_terms_refresh keeps them) and the line it concerns. A placement's alerts of one
# day are listed in this order.
ALERT_DATES = {
    "subsidy": ("subsidy_until", ""),
    "retirement": ("age_alert_on", Line.URBAN),  # rural holders: the age flag instead
    "agreement": ("agreement_until", ""),
    "age": ("age_alert_on", Line.RURAL),
}


class _Scope(NamedTuple):
    """The user's townships, each with the bound its county's alert period gives a kind."""

    township: int
    horizon: dt.date  # today + the county's alert_days
    year_end: dt.date  # the 31st of December of the horizon's year (terms.BIRTH_KINDS)


def _scope(user: User | AnonymousUser, today: dt.date) -> list[_Scope]:
    """The user's townships (the scoping gate) and their counties' horizons: one query."""
    found = []
    for township, days in visible_townships(user).values_list("pk", "county__alert_days"):
        horizon = today + dt.timedelta(days=days)
        found.append(_Scope(township, horizon, dt.date(horizon.year, 12, 31)))
    return found


def _due(scope: list[_Scope], kind: str) -> QuerySet[Placement]:
    """The active placements of the townships `scope` with an alert of `kind`: its stored date on
    or before the county's horizon (a birth kind: in the horizon's year). Per township, one range
    of placement_alert_*_idx, in order of the date."""
    field, line = ALERT_DATES[kind]
    bounds: dict[dt.date, list[int]] = {}
    for row in scope:
        bounds.setdefault(row.year_end if kind in terms.BIRTH_KINDS else row.horizon, []).append(row.township)
    due = Q(pk__in=[])
    for bound, townships in bounds.items():
        due |= Q(township_id__in=townships, **{f"{field}__lte": bound})
    found = Placement.objects.filter(due, exit_date__isnull=True)
    return found.filter(line=line) if line else found


def alert_counts(
    *, user: User | AnonymousUser, today: dt.date, cap: int | None = LANDING_CAP
) -> dict[str, int]:
    """How many alerts of each kind in the user's scope, each counted up to `cap` + 1 (a count
    above `cap` means "more than cap"): one bounded index range a kind, whatever the number of
    placements, and nothing kept: a placement started, ended or renewed shows at once."""
    scope = _scope(user, today)
    counts = {}
    for kind in ALERT_DATES:
        found = _due(scope, kind).order_by()
        counts[kind] = (found if cap is None else found[: cap + 1]).count()
    return {kind: n for kind, n in counts.items() if n}


class Alerts:
    """The expiry alerts in the user's scope, soonest first (due date, placement, then the order
    of ALERT_DATES), of one kind or all: a sequence a Paginator pages, each page one query for
    the alerts and one for their names, the count (capped at common.paging.CAP, as the other
    lists) one a kind.

    A page is the first rows of a union of one part a kind, each the first (offset + limit) rows
    of its date's index in order (placement_alert_*_idx for one township, placement_due_*_idx for
    several): the database reads a few hundred index entries for the first page of a county of
    67,000 alerts instead of sorting them all."""

    cap = CAP

    def __init__(self, user: User | AnonymousUser, today: dt.date, kind: str = "") -> None:
        self.user, self.today, self.kind = user, today, kind

    @cached_property
    def scope(self) -> list[_Scope]:
        return _scope(self.user, self.today)

    @cached_property
    def total(self) -> int:
        counts = {}
        for kind in ALERT_DATES:
            if kind == self.kind or not self.kind:
                counts[kind] = _due(self.scope, kind).order_by()[: self.cap + 1].count()
        return sum(counts.values())

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
        offset = index.start or 0
        end = index.stop if index.stop is not None else self.count()
        if end <= offset or not self.scope:
            return []
        parts = [
            _due(self.scope, kind)
            .annotate(kind=Value(kind), rank=Value(rank), due=F(ALERT_DATES[kind][0]))
            .values("id", "kind", "rank", "due")
            .order_by("due", "id")[:end]
            .query.sql_with_params()
            for rank, kind in enumerate(ALERT_DATES)
            if kind == self.kind or not self.kind
        ]
        union = " UNION ALL ".join(f"SELECT * FROM ({sql}) p{i}" for i, (sql, _) in enumerate(parts))
        statement = f"SELECT * FROM ({union}) alerts ORDER BY due, id, rank LIMIT %s OFFSET %s"
        with connection.cursor() as cursor:
            cursor.execute(statement, [*(p for _, params in parts for p in params), end - offset, offset])
            rows = [
                {
                    "id": pk,
                    "kind": kind,
                    "due": due if isinstance(due, dt.date) else dt.date.fromisoformat(due),
                }
                for pk, kind, _, due in cursor.fetchall()
            ]  # SQLite's cursor gives dates as text
        return _alert_rows(rows)

    def __iter__(self):
        return iter(self[0:None])


def _alert_rows(rows: list[dict]) -> list[AlertRow]:
    """The page's alerts with their names and messages (one query for the placements shown)."""
    shown = Placement.objects.filter(pk__in=[row["id"] for row in rows]).select_related(
        "person", "post", "township__county"
    )
    placements = {p.pk: p for p in shown}
    found = []
    for row in rows:
        placement, kind, due = placements[row["id"]], row["kind"], row["due"]
        person, label = placement.person, terms.ALERT_KINDS[kind]
        if kind in terms.BIRTH_KINDS:  # the year only, and the age then (docs/policy.md §7.6)
            day = terms.age_alert_day(
                line=placement.line,
                birth=person.birth_date,
                category=person.retirement_category,
                flag_age=placement.township.county.rural_flag_age,
            )
            message = f"{person.name}：{due.year}年内{label}（届时{age_on(person.birth_date, day)}周岁）"
        else:
            message = f"{person.name}：{label}（{due}）"
        found.append(
            AlertRow(
                kind,
                due,
                message,
                person.name,
                placement.township.name,
                placement.post.code,
                placement.application_id,
            )
        )
    return found


def alerts(*, user: User | AnonymousUser, today: dt.date, kind: str = "") -> Alerts:
    """The expiry alerts in the user's scope, soonest first (see Alerts)."""
    return Alerts(user, today, kind)
