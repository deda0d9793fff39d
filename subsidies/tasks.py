"""Celery tasks of the monthly cycle."""

import datetime as dt

from celery import shared_task

from townships.models import County

from . import payroll
from .models import PayrollRun


@shared_task(name="subsidies.compute_payroll")
def compute_payroll(run_id: int) -> int:
    """Compute a started run (payroll.start() has flipped it to 计算中); returns the line count."""
    run = PayrollRun.objects.select_related("county").get(pk=run_id)
    return payroll.compute_started(run).lines.count()


@shared_task(name="subsidies.compute_current_month")
def compute_current_month() -> list[int]:
    """The beat job: start this month's run of every county that is not approved or locked."""
    month = dt.date.today().replace(day=1)
    started = []
    for county in County.objects.all():
        run = payroll.run_for(county, month)
        if run.state in (PayrollRun.State.DRAFT, PayrollRun.State.COMPUTED, PayrollRun.State.FAILED):
            payroll.start(run)
            compute_payroll.delay(run.pk)
            started.append(run.pk)
    return started
