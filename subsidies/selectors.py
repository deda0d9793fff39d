"""Reads of payroll lines, always through the scoping gate."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet, Sum
from django.http import Http404

from common.cache import cached
from common.params import pk_of
from people.selectors import person_search
from townships.access import scope_by_county, scope_by_township, township_pk, visible_townships
from townships.models import County

from .models import PayrollLine, PayrollRun, people_paid


def payroll_lines(
    *,
    user: User | AnonymousUser,
    run: str,
    q: str = "",
    township: str = "",
    line: str = "",
    kind: str = "",
) -> QuerySet[PayrollLine]:
    """The lines of run `run` (its id) in the user's townships, filtered by person search
    (people.selectors), township code, line and kind."""
    run_id = pk_of(run)
    if not scope_by_county(user, PayrollRun.objects.filter(pk=run_id)).exists():
        raise Http404("没有这个核算月份")  # another county's run: as its pages answer
    lines = scope_by_township(user, PayrollLine.objects.filter(run_id=run_id))
    search = person_search(user=user, q=q, path="placement__person__")
    if search is not None:
        lines = lines.filter(search)
    if township:
        lines = lines.filter(township_id=township_pk(user, township))  # type: ignore[misc]  # None (no such township) finds nothing
    if line:
        lines = lines.filter(line=line)
    if kind in PayrollLine.Kind.values:
        lines = lines.filter(kind=kind)
    return lines.select_related("township", "placement__person", "placement__post__village")


def township_totals(run: PayrollRun, user: User | AnonymousUser) -> list[dict]:
    """Per township of the run's county that `user` sees: people paid and the amounts of each
    party (the run page). A computed run's lines change only by a new computation, which changes
    `computed_at`: the totals are kept under that key (a 100,000-line month costs some 150 ms to
    sum), and the townships seen."""
    lines = scope_by_township(user, PayrollLine.objects.filter(run=run, township__county_id=run.county_id))
    seen = hashlib.sha1(repr(sorted(visible_townships(user).values_list("pk", flat=True))).encode())
    stamp = run.computed_at.timestamp() if run.computed_at else 0
    key = f"subsidies:totals:{run.pk}:{run.county_id}:{run.attempt}:{run.state}:{stamp}:{seen.hexdigest()}"

    def compute() -> list[dict]:
        return list(
            lines.values("township__code", "township__name")
            .annotate(
                people=people_paid(),
                pay=Sum("pay"),
                province=Sum("province"),
                city=Sum("city"),
                district=Sum("district"),
            )
            .order_by("township__code")
        )

    if run.state == PayrollRun.State.COMPUTING:  # still changing
        return compute()
    return cached(key, compute, 60 * 60 * 24)


@dataclass(frozen=True)
class PaymentTotals:
    """The run page's payment figures over the townships a user sees (subsidies.payment)."""

    paid_people: int  # people paid: a net above 0, one per person and township
    paid: Decimal  # the nets they are paid
    recover_people: int  # people whose net is below 0: not paid
    recover: Decimal  # the amount to recover from them (positive)
    zero_people: int  # nets of exactly 0: neither paid nor recovered


def payment_totals(run: PayrollRun, user: User | AnonymousUser) -> PaymentTotals:
    """People to be paid and the net paid, people and amount to recover, over the run's townships
    `user` sees; kept in the cache like township_totals (the same key parts)."""
    from .payment import payments

    seen = list(visible_townships(user).filter(county_id=run.county_id).values_list("pk", flat=True))
    stamp = run.computed_at.timestamp() if run.computed_at else 0
    digest = hashlib.sha1(repr(sorted(seen)).encode()).hexdigest()
    key = f"subsidies:payment:{run.pk}:{run.county_id}:{run.attempt}:{run.state}:{stamp}:{digest}"

    def compute() -> PaymentTotals:
        found = payments(run, seen).values()
        return PaymentTotals(
            paid_people=sum(p.paid_people for p in found),
            paid=sum((p.paid["net"] for p in found), Decimal("0.00")),
            recover_people=sum(len(p.to_recover) for p in found),
            recover=-sum((p.recover["net"] for p in found), Decimal("0.00")),
            zero_people=sum(len(p.zero) for p in found),
        )

    if run.state == PayrollRun.State.COMPUTING:  # still changing
        return compute()
    return cached(key, compute, 60 * 60 * 24)


def cost_report(county: County, year: int) -> list[dict]:
    """reports.cost_rows of the county's year, kept in the cache under a fingerprint of the
    year's runs (id, attempt, state, when computed): lines change only by a computation, which
    changes the fingerprint, so the report is never stale. While a run computes, its lines change
    township by township: then the report is summed afresh (docs/performance.md P8)."""
    from .reports import cost_rows

    runs = sorted(
        PayrollRun.objects.filter(county=county, month__year=year).values_list(
            "pk", "attempt", "state", "computed_at"
        )
    )
    if any(state == PayrollRun.State.COMPUTING for _, _, state, _ in runs):
        return cost_rows(county, year)
    fingerprint = hashlib.sha1(repr(runs).encode()).hexdigest()
    return cached(f"subsidies:costs:{county.pk}:{year}:{fingerprint}", lambda: cost_rows(county, year), 86400)
