"""The body every county file import runs as a background job (rosters, 新老衔接): the worker
checks again that the job's user is HR of the job's county, reads the kept upload once, removes
it whatever the outcome (it holds whole ID and bank numbers), and ends the job with the import's
message, or with every problem in a workbook. Each import gives only `read`: what it does with
the file and what it says."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from townships.access import membership_of
from townships.models import County, Role

from .jobs import job_done, job_fail, job_progress, problems_result
from .models import Job
from .sheets import CellProblem
from .uploads import kept_exists, kept_open, kept_remove

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What an import made of a file: its message, and its problems (none: it went in) under the
    error workbook's title; `total` rows."""

    message: str
    total: int = 0
    problems: list[CellProblem] = field(default_factory=list)
    problems_title: str = ""


def county_file_job_run(
    job_id: int, *, not_yours: str, read: Callable[[Job, County, IO[bytes]], Outcome]
) -> Job:
    """Run `read(job, county, file)` for the job, as described above; `not_yours` is the refusal
    when the user is no longer HR of the job's county."""
    job = Job.objects.select_related("user").get(pk=job_id)
    membership = membership_of(job.owner)
    token = job.params.get("token", "")
    if membership is None or membership.role != Role.HR or membership.county.code != job.params.get("county"):  # type: ignore[union-attr]  # HR has a county
        job_fail(job.pk, not_yours)
    elif not kept_exists(token):
        job_fail(job.pk, "导入文件不存在或已过期，请重新上传")
    else:
        try:
            _run(job, membership.county, token, read)  # type: ignore[arg-type]  # HR has a county
        finally:
            kept_remove(token)
    return Job.objects.get(pk=job.pk)


def _run(job: Job, county: County, token: str, read: Callable[[Job, County, IO[bytes]], Outcome]) -> None:
    job_progress(job.pk, 0)
    try:
        with kept_open(token) as source:
            outcome = read(job, county, source)
    except Exception as exc:  # the database failed: the import's transaction left nothing behind
        log.exception("%s job %s failed", job.kind, job.pk)
        job_fail(job.pk, f"导入失败（{exc.__class__.__name__}），未导入任何数据，请稍后重试。")
        return
    if outcome.problems:
        result, name = problems_result(outcome.problems, outcome.problems_title)
        job_done(job.pk, message=outcome.message, file=name, result=result)
        return
    Job.objects.filter(pk=job.pk).update(total=outcome.total)
    job_done(job.pk, message=outcome.message, result={"ok": True, "total": outcome.total})
