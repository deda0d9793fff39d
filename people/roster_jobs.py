"""A department roster's import as a background job (common.jobs): HR uploads it, a Celery worker
imports it (all or nothing, people.rosters) and the job's page shows the count or every problem.
The worker checks again that the user is HR of that county; the file is removed once read."""

import datetime as dt
import logging

from django.contrib.auth.models import User

from common.jobs import dispatch, job_done, job_fail, job_progress, problems_result
from common.models import Job
from common.uploads import kept_exists, kept_open, kept_remove
from townships.access import membership_of
from townships.models import County, Role

from .models import RosterKind
from .rosters import roster_file_import

log = logging.getLogger(__name__)


def roster_import_start(
    *, user: User, county: County, kind: str, roster_date: dt.date, file_name: str, token: str
) -> Job:
    from .tasks import run_roster_import

    params = {
        "county": county.code,
        "token": token,
        "kind": kind,
        "date": roster_date.isoformat(),
        "file": file_name,
    }
    job = Job.objects.create(
        user=user, kind=Job.Kind.ROSTER_IMPORT, params=params,
        title=f"导入{RosterKind(kind).label}名单（{roster_date:%Y-%m-%d}）",
    )  # fmt: skip
    dispatch(job, lambda: run_roster_import.delay(job.pk))
    return job


def roster_import_run(job_id: int) -> Job:
    job = Job.objects.select_related("user").get(pk=job_id)
    membership = membership_of(job.user)
    token = job.params.get("token", "")
    if membership is None or membership.role != Role.HR or membership.county.code != job.params.get("county"):
        job_fail(job.pk, "只能导入本区县的名单")
    elif not kept_exists(token):
        job_fail(job.pk, "导入文件不存在或已过期，请重新上传")
    else:
        try:
            _run(job, membership.county, token)
        finally:
            kept_remove(token)  # it holds whole ID numbers
    return Job.objects.get(pk=job.pk)


def _run(job: Job, county: County, token: str) -> None:
    job_progress(job.pk, 0)
    try:
        with kept_open(token) as source:
            report = roster_file_import(
                county=county, kind=job.params["kind"], roster_date=dt.date.fromisoformat(job.params["date"]),
                source=source, file_name=job.params.get("file", ""), actor=job.user,
            )  # fmt: skip
    except Exception as exc:  # the database failed: the import's transaction left nothing behind
        log.exception("roster import job %s failed", job.pk)
        job_fail(job.pk, f"导入失败（{exc.__class__.__name__}），未导入任何数据，请稍后重试。")
        return
    if report.roster is None:
        count = len(report.problems)
        result, name = problems_result(report.problems, f"{job.title}错误报告（共{count}处）")
        job_done(job.pk, message=f"名单有 {count} 处错误，未导入。", file=name, result=result)
        return
    Job.objects.filter(pk=job.pk).update(total=report.roster.row_count)
    message = f"已导入{report.roster.get_kind_display()}名单 {report.roster.row_count} 人。"
    job_done(job.pk, message=message, result={"ok": True, "total": report.roster.row_count})
