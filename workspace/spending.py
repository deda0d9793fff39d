"""The year's monthly amounts per funding party for the landing pages' chart, from each run's
sums stored when its computation finished (subsidies.payroll.run_totals): a year of a
120,000-placement county is 1.4 million lines, never summed by a page."""

from subsidies.models import PayrollRun
from townships.models import County

PARTIES = ("province", "city", "district")


def monthly_spending(county: County, year: int) -> list[dict]:
    """{"month", "province", "city", "district"} for each month of `year` computed with payroll
    lines, in order (one query). A run being computed again shows its previous computation's
    sums until it finishes."""
    runs = PayrollRun.objects.filter(county=county, month__year=year, line_count__gt=0).order_by("month")
    return [
        {"month": run["month"], **{party: run[f"{party}_total"] for party in PARTIES}}
        for run in runs.values("month", *(f"{party}_total" for party in PARTIES))
    ]
