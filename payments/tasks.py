"""The batch making as a background job (common.models.Job): its progress on the job's page."""

import datetime as dt

from celery import shared_task
from django.core.exceptions import ValidationError

from common.jobs import job_done, job_fail, job_progress
from common.models import Job
from subsidies.models import PayrollRun

from .batches import batches_make
from .models import Bank


@shared_task(name="payments.make_batches")
def make_batches(job_id: int, run_id: int, bank_id: int | None, pay_date: str) -> int:
    """Make the batches the job asks for; the job ends with the batches made or the refusal."""
    job = Job.objects.select_related("user").get(pk=job_id)
    run = PayrollRun.objects.get(pk=run_id)
    bank = Bank.objects.get(pk=bank_id) if bank_id else None
    try:
        made = batches_make(
            run=run,
            actor=job.owner,
            pay_date=dt.date.fromisoformat(pay_date),
            bank=bank,
            progress=lambda done, total: job_progress(job_id, done, total),
        )
    except ValidationError as exc:
        job_fail(job_id, "；".join(exc.messages))
        return 0
    names = "、".join(f"{b.bank.name}{b.line_count}笔{b.total}元" for b in made)
    job_done(job_id, message=f"已生成{len(made)}个代发批次：{names}"[:300])
    return len(made)
