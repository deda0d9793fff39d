"""Celery tasks: thin, they take ids/codes and call a selector or service."""

from celery import shared_task

from townships.models import Plan

from .selectors import plan_report


@shared_task
def plan_summary(county_code: str, year: int) -> dict[str, int]:
    """Plan totals against posts filled for one county and year."""
    plan = Plan.objects.select_related("county").get(county__code=county_code, year=year)
    totals = plan_report(plan=plan, townships=plan.county.townships.all()).totals
    return {"total": totals.total, "urban": totals.urban, "rural": totals.rural, "filled": totals.filled}


@shared_task
def plan_summary_all() -> int:
    """Nightly: summarise every plan; returns how many were summarised."""
    count = 0
    for plan in Plan.objects.select_related("county"):
        plan_summary(plan.county.code, plan.year)
        count += 1
    return count
