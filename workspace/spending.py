"""The year's monthly amounts per funding party for the landing pages' chart, from each run's
stored sums (RunSpending): a year of a 120,000-placement county is 1.4 million lines, summed
once per computation of a month instead of on every visit with an empty cache."""

from decimal import Decimal

from django.db.models import Sum

from subsidies.models import PayrollLine, PayrollRun
from townships.models import County

from .models import RunSpending

PARTIES = ("province", "city", "district")
ZERO = Decimal("0.00")


def _stamp(run: dict) -> str:
    computed = run["computed_at"].isoformat() if run["computed_at"] else ""
    return f"{run['attempt']}|{run['state']}|{computed}"


def monthly_spending(county: County, year: int) -> list[dict]:
    """{"month", "province", "city", "district"} for each month of `year` with payroll lines,
    in order. Runs summed since their last computation are read as stored; the others (new or
    recomputed) are summed in one query and stored, except a run still computing (its lines
    are being written: summed, not kept)."""
    runs = list(
        PayrollRun.objects.filter(county=county, month__year=year)
        .order_by("month")
        .values("pk", "month", "attempt", "state", "computed_at")
    )
    stamps = {run["pk"]: _stamp(run) for run in runs}
    stored = {s.run_id: s for s in RunSpending.objects.filter(run_id__in=stamps)}
    stale = [pk for pk, stamp in stamps.items() if pk not in stored or stored[pk].stamp != stamp]
    if stale:
        sums = {
            row["run_id"]: row
            for row in PayrollLine.objects.filter(run_id__in=stale)
            .values("run_id")
            .annotate(**{party: Sum(party) for party in PARTIES})
            .order_by()
        }
        fresh = {
            pk: RunSpending(
                run_id=pk,
                stamp=stamps[pk],
                has_lines=pk in sums,
                **{party: (sums.get(pk, {}).get(party) or ZERO).quantize(ZERO) for party in PARTIES},
            )  # fmt: skip
            for pk in stale
        }
        computing = {run["pk"] for run in runs if run["state"] == PayrollRun.State.COMPUTING}
        RunSpending.objects.bulk_create(
            [s for pk, s in fresh.items() if pk not in computing],
            update_conflicts=True, unique_fields=["run"], update_fields=["stamp", "has_lines", *PARTIES],
        )  # fmt: skip
        stored |= fresh
    return [
        {"month": run["month"], **{party: getattr(stored[run["pk"]], party) for party in PARTIES}}
        for run in runs
        if stored[run["pk"]].has_lines
    ]
