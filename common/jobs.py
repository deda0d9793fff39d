"""Writes of background jobs (common.models.Job): progress, success and failure, each its own
short statement outside any long transaction, so that the job's page sees them at once."""

from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from .models import Job


def job_progress(job_id: int, done: int, total: int | None = None) -> None:
    fields: dict = {"state": Job.State.RUNNING, "done": done}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job_id).update(**fields)


def job_done(job_id: int, *, message: str = "", file: str = "") -> None:
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(
        state=Job.State.DONE, done=job.total, message=message, file=file or job.file.name,
        finished_at=timezone.now(),
    )  # fmt: skip


def job_fail(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).update(state=Job.State.FAILED, error=message, finished_at=timezone.now())


def job_get(*, user: User, pk: int) -> Job:
    """One of the user's own jobs, or 404: nobody sees another user's jobs."""
    try:
        return Job.objects.get(pk=pk, user=user)
    except Job.DoesNotExist:
        raise Http404("没有这个任务") from None


def dispatch(job: Job, send: Callable[[], object]) -> None:
    """Queue `send()` once the job row is committed; with the queue unreachable the job fails
    with that reason, so nothing is lost silently."""

    def queue() -> None:
        try:
            send()
        except Exception:  # the broker is down
            job_fail(job.pk, "任务队列暂时不可用，任务未能开始，请稍后重试。")

    transaction.on_commit(queue)
