"""Background exports of a list: started by a user, run by a Celery worker as that user (the
scoping gate applies when the rows are read, not when the job was asked for), with progress
written as the rows are, and the file or the reason of failure at the end."""

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from common.listing import Listing
from people.listings import PEOPLE
from placements.listings import APPLICATIONS, PLACEMENTS
from posts.listings import POSTS
from subsidies.listings import LINES

from .models import Job

log = logging.getLogger(__name__)
LISTINGS: dict[str, Listing] = {
    listing.name: listing for listing in (PEOPLE, APPLICATIONS, PLACEMENTS, POSTS, LINES)
}


def listing_get(name: str) -> Listing:
    try:
        return LISTINGS[name]
    except KeyError:
        raise Http404("没有这个列表") from None


def export_start(*, user: User, name: str, data: dict) -> Job:
    """Ask for the list `name` as filtered by `data` (a query string) in the background. With the
    task queue unreachable the job is saved as failed with that reason: nothing is lost silently."""
    from .tasks import run_export

    listing = listing_get(name)
    job = Job.objects.create(
        user=user, listing=name, params=listing.params(data), title=f"导出{listing.title}"
    )

    def dispatch() -> None:
        try:
            run_export.delay(job.pk)
        except Exception as exc:  # the broker is down
            log.warning("export job %s not queued: %s", job.pk, exc.__class__.__name__)
            job_fail(job.pk, "任务队列暂时不可用，导出未能开始，请稍后重试。")

    transaction.on_commit(dispatch)
    return job


def job_fail(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).update(state=Job.State.FAILED, error=message, finished_at=timezone.now())


def export_run(job_id: int) -> Job:
    """Write the job's workbook, reporting rows done after each chunk. Any error fails the job
    with its reason and leaves no file."""
    job = Job.objects.select_related("user").get(pk=job_id)
    listing = listing_get(job.listing)
    try:
        with transaction.atomic():  # one snapshot from the count to the last row
            objects = listing.queryset(job.user, job.params)
            total = objects.count()
            Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, total=total, done=0)

            def progress(done: int) -> None:
                Job.objects.filter(pk=job.pk).update(done=done)

            name = f"jobs/{uuid.uuid4().hex}.xlsx"
            path = Path(settings.MEDIA_ROOT) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            listing.write(objects, str(path), progress=progress)
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.DONE, done=total, file=name, finished_at=timezone.now()
        )
    except Exception as exc:
        log.exception("export job %s failed", job.pk)
        job_fail(job.pk, f"导出失败：{exc.__class__.__name__}，请稍后重试或联系管理员。")
    return Job.objects.get(pk=job.pk)


def job_get(*, user: User, pk: int) -> Job:
    """One of the user's own jobs, or 404: nobody sees another user's exports."""
    try:
        return Job.objects.get(pk=pk, user=user)
    except Job.DoesNotExist:
        raise Http404("没有这个任务") from None
