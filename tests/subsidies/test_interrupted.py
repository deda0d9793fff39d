"""A computation whose worker died: the run stays 计算中 until it has been silent for
PAYROLL_STALE_MINUTES, then may be started again as a new attempt; the old attempt's task, if
Celery delivers it again, does nothing; the lines are exactly those of an uninterrupted run."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from common.models import Job
from subsidies import payroll
from subsidies.models import PayrollLine, PayrollRun
from subsidies.tasks import compute_payroll
from tests import factories
from townships.models import County

D = dt.date


def lines(run: PayrollRun) -> list[tuple]:
    return sorted(
        PayrollLine.objects.filter(run=run).values_list(
            "placement_id", "kind", "pay", "province", "city", "district"
        )
    )


def month(people: int = 3) -> PayrollRun:
    for i, town in enumerate(["371502101", "371502102", "371502103"][:people]):
        factories.placement(town, name="甲乙丙"[i] + "某", on_post=D(2022, 1, 10 + i))
    return payroll.run_for(County.objects.get(code="371502"), D(2022, 3, 1))


def silent_for(run: PayrollRun, minutes: int) -> None:
    """The run's computation (its job) showed its last sign of life `minutes` ago."""
    job_id = PayrollRun.objects.get(pk=run.pk).job_id
    assert job_id is not None  # a started run is tracked by its job
    Job.objects.filter(pk=job_id).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=minutes))


def test_a_run_interrupted_half_way_is_restarted_and_gives_the_lines_of_an_uninterrupted_run(
    cast, settings
) -> None:
    run = month()
    expected = lines(payroll.compute_run(run))
    assert len(expected) == 3
    PayrollLine.objects.filter(run=run).delete()
    started = payroll.start(PayrollRun.objects.get(pk=run.pk))
    payroll.compute(started, [started.county.townships.get(code="371502101").pk])  # then the worker died
    with pytest.raises(ValidationError, match="正在计算"):
        payroll.start(started)
    silent_for(started, settings.PAYROLL_STALE_MINUTES + 1)
    again = payroll.start(started)
    assert again.attempt == started.attempt + 1 and "已中断，已重新开始" in again.error
    assert compute_payroll(run.pk, started.attempt) == 0  # the dead attempt's task, delivered again
    assert compute_payroll(run.pk, again.attempt) == 3
    assert PayrollRun.objects.get(pk=run.pk).state == "computed"
    assert lines(run) == expected


def test_a_superseded_attempt_changes_nothing_even_when_it_runs_to_the_end(cast, settings) -> None:
    run = month(2)
    first = payroll.start(run)
    silent_for(first, settings.PAYROLL_STALE_MINUTES + 1)
    second = payroll.start(first)
    payroll.compute_started(first)  # the old worker was only slow: it may not finish the run
    assert PayrollRun.objects.get(pk=run.pk).state == "computing"
    payroll.compute_started(second)
    assert PayrollRun.objects.get(pk=run.pk).state == "computed" and len(lines(run)) == 2


def test_the_run_page_offers_a_restart_once_the_computation_is_silent(cast, settings) -> None:
    run = payroll.start(month(1))
    client = cast.client(cast.finance)
    page = client.get(reverse("subsidies:run-detail", args=[run.pk])).content.decode()
    assert "计算进程可能已经停止" not in page and "重新计算" not in page
    silent_for(run, settings.PAYROLL_STALE_MINUTES + 1)
    page = client.get(reverse("subsidies:run-detail", args=[run.pk])).content.decode()
    assert "计算进程可能已经停止" in page and "重新计算" in page
