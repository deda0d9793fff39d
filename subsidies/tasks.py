"""Celery tasks of the monthly cycle."""

import datetime as dt
from typing import Any

from celery import chord, shared_task
from celery.result import AsyncResult
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from placements.models import Placement
from townships.models import County

from . import payroll
from .models import PayrollRun


@shared_task(name="subsidies.compute_payroll")
def compute_payroll(run_id: int, attempt: int | None = None) -> int:
    """Compute a started run (payroll.start() has flipped it to 计算中); returns the line count.
    A task of an earlier attempt (delivered again after its worker died) does nothing."""
    run = PayrollRun.objects.select_related("county", "job").get(pk=run_id)
    if run.state != PayrollRun.State.COMPUTING or (attempt is not None and attempt != run.attempt):
        return 0
    return payroll.compute_started(run).lines.count()


@shared_task(name="subsidies.compute_current_month")
def compute_current_month(today: str | None = None) -> list[int]:
    """The beat job (on the 25th): start this month's run of every county that is not approved or
    locked. `today` (YYYY-MM-DD) names another day, for a month missed."""
    month = (dt.date.fromisoformat(today) if today else timezone.localdate()).replace(day=1)
    started = []
    for county in County.objects.all():
        run = payroll.run_for(county, month)
        if run.state in (PayrollRun.State.DRAFT, PayrollRun.State.COMPUTED, PayrollRun.State.FAILED):
            dispatch(payroll.start(run))  # the started run: its task carries the new attempt
            started.append(run.pk)
    return started


@shared_task(name="subsidies.compute_township")
def compute_township(run_id: int, township_id: int, attempt: int | None = None) -> int:
    """One township's lines of a started run (one task of a split run)."""
    run = PayrollRun.objects.select_related("county", "job").get(pk=run_id)
    if run.state != PayrollRun.State.COMPUTING or (attempt is not None and attempt != run.attempt):
        return 0
    try:
        count = payroll.compute(run, [township_id])
    except Exception as exc:
        payroll.fail(run, f"计算出错：{exc}")
        raise
    payroll.beat(run, done=F("done") + 1)
    return count


@shared_task(name="subsidies.check_run")
def check_run(run_id: int, attempt: int | None = None) -> int:
    """The checks before computing (findings) of a split run, beside its township tasks; no lines."""
    from .checks import findings_refresh

    run = PayrollRun.objects.select_related("county", "job").get(pk=run_id)
    if run.state == PayrollRun.State.COMPUTING and (attempt is None or attempt == run.attempt):
        findings_refresh(run)
    return 0


@shared_task(name="subsidies.finish_split")
def finish_split(counts: list[int], run_id: int, attempt: int | None = None) -> int:
    run = PayrollRun.objects.get(pk=run_id)
    if attempt is not None:
        run.attempt = attempt  # finish() marks only this attempt computed
    payroll.finish(run, sum(counts))
    return sum(counts)


def compute_split(run: PayrollRun, queue: str | None = None) -> AsyncResult:
    """At city or province scale: one task per township and one for the checks, so that workers
    on several machines share the run and the caller (a page) only queues them; a chord's callback
    marks it computed. The lines are those of a single-task run."""
    townships = list(run.county.townships.order_by("code").values_list("pk", flat=True))
    payroll.beat(run, total=len(townships), done=0)
    options: dict[str, Any] = {"queue": queue} if queue else {}
    header = [check_run.s(run.pk, run.attempt).set(**options)]
    header += [compute_township.s(run.pk, t, run.attempt).set(**options) for t in townships]
    return chord(header)(finish_split.s(run.pk, run.attempt).set(**options))


def dispatch(run: PayrollRun) -> AsyncResult:
    """Queue a started run: one task for a county, one per township above PAYROLL_SPLIT_AT
    placements (city or province scale)."""
    size = Placement.objects.filter(township__county=run.county_id, exit_date__isnull=True).count()
    if size >= settings.PAYROLL_SPLIT_AT:
        return compute_split(run)
    return compute_payroll.delay(run.pk, run.attempt)
