"""Background exports of a list: started by a user, run by a Celery worker as that user (the
scoping gate applies when the rows are read, not when the job was asked for), with progress
written as the rows are, and the file (in the storage: common.jobs.workbook_store) or the reason
of failure at the end."""

import functools
import logging

from django.contrib.auth.models import User
from django.db import transaction
from django.http import Http404

from audit.listings import ENTRIES
from common.jobs import dispatch, job_done, job_fail, job_progress, workbook_store
from common.listing import Listing
from common.models import Job
from people.listings import PEOPLE
from placements.listings import APPLICATIONS, PLACEMENTS
from posts.listings import POSTS
from subsidies.listings import LINES
from townships.access import membership_of, role_of
from townships.models import Membership, Role

log = logging.getLogger(__name__)
LISTINGS: dict[str, Listing] = {
    listing.name: listing for listing in (PEOPLE, APPLICATIONS, PLACEMENTS, POSTS, LINES, ENTRIES)
}


def listing_get(name: str) -> Listing:
    try:
        return LISTINGS[name]
    except KeyError:
        raise Http404("没有这个列表") from None


def file_allowed(user: User, job: Job) -> bool:
    """Whether `user` may still take `job`'s file, judged at download: a job is its starter's,
    and its file goes with a role that may have it now (the list's roles for an export; the
    township's clerk for an applicant import; the county's HR for 新老衔接 and rosters). A role removed or
    changed since takes it away."""
    membership = membership_of(user)
    if membership is None or job.user_id != user.pk:
        return False
    if job.kind == Job.Kind.EXPORT:  # the same role and the same township or county as then
        roles = listing_get(job.listing).roles
        return (not roles or membership.role in roles) and job.params.get(SCOPE) == scope_key(membership)
    if job.kind in (Job.Kind.PLACEMENTS_IMPORT, Job.Kind.ROSTER_IMPORT):  # HR of the county
        return membership.role == Role.HR and membership.county.code == job.params.get("county")  # type: ignore[union-attr]  # HR has a county
    return membership.role == Role.CLERK and membership.township.code == job.params.get("township")  # type: ignore[union-attr]  # a clerk has a township


SCOPE = "_scope"  # an export's params: the scope its rows were read in (scope_key)


def scope_key(membership: Membership | None) -> str:
    """The township or county whose rows a member's lists hold ("*": every county)."""
    if membership is None:
        return ""
    if membership.township_id:
        return f"township:{membership.township_id}"
    return f"county:{membership.county_id or '*'}"


def export_start(*, user: User, name: str, data: dict) -> Job:
    """Ask for the list `name` as filtered by `data` (a query string) in the background."""
    from .tasks import run_export

    listing = listing_get(name)
    job = Job.objects.create(
        user=user,
        kind=Job.Kind.EXPORT,
        listing=name,
        params=listing.params(data) | {SCOPE: scope_key(membership_of(user))},
        title=f"导出{listing.title}",
    )
    dispatch(job, lambda: run_export.delay(job.pk))
    return job


def export_run(job_id: int) -> Job:
    """Write the job's workbook, reporting rows done after each chunk. Any error fails the job
    with its reason and leaves no file."""
    job = Job.objects.select_related("user").get(pk=job_id)
    listing = listing_get(job.listing)
    if listing.roles and role_of(job.owner) not in listing.roles:  # checked again by the worker
        job_fail(job.pk, "无权导出这个列表")
        return Job.objects.get(pk=job.pk)
    try:
        with transaction.atomic():  # one snapshot from the count to the last row
            objects = listing.queryset(job.user, job.params)
            job_progress(job.pk, 0, total=objects.count())
            progress = functools.partial(job_progress, job.pk)  # progress(rows done)
            name = workbook_store(lambda path: listing.write(objects, path, progress=progress))
        job_done(job.pk, file=name)
    except Exception as exc:  # nothing was stored (workbook_store) or the job's row failed
        log.exception("export job %s failed", job.pk)
        job_fail(job.pk, f"导出失败：{exc.__class__.__name__}，请稍后重试或联系管理员。")
    return Job.objects.get(pk=job.pk)
