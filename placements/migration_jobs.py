"""新老衔接 as a background job (common.jobs): HR uploads the county's holders, a Celery worker
checks (or imports) them with progress, and the job's page shows the result or every problem
(the first on the page, all in a workbook). The worker checks again that the user is HR of that
county. The uploaded file is removed once the job is done with it, whatever the outcome."""

import logging

from django.contrib.auth.models import User

from common.jobs import dispatch, job_done, job_fail, job_progress, problems_result
from common.models import Job
from common.uploads import kept_exists, kept_open, kept_remove
from townships.access import membership_of
from townships.models import County, Role

from .migration import kept_on_old_terms, placements_import

log = logging.getLogger(__name__)


def placements_import_start(*, user: User, county: County, token: str, dry_run: bool) -> Job:
    from .tasks import run_placements_import

    job = Job.objects.create(
        user=user, kind=Job.Kind.PLACEMENTS_IMPORT,
        params={"county": county.code, "token": token, "dry_run": dry_run},
        title=f"新老衔接{'检查' if dry_run else '导入'}：{county.name}在岗人员",
    )  # fmt: skip
    dispatch(job, lambda: run_placements_import.delay(job.pk))
    return job


def placements_import_run(job_id: int) -> Job:
    job = Job.objects.select_related("user").get(pk=job_id)
    membership = membership_of(job.user)
    token = job.params.get("token", "")
    if membership is None or membership.role != Role.HR or membership.county.code != job.params.get("county"):
        job_fail(job.pk, "只能导入本区县的在岗人员")
    elif not kept_exists(token):
        job_fail(job.pk, "导入文件不存在或已过期，请重新上传")
    else:
        try:
            _run(job, membership.county, token)
        finally:
            kept_remove(token)  # it holds whole ID and bank numbers
    return Job.objects.get(pk=job.pk)


def _run(job: Job, county: County, token: str) -> None:
    dry_run = bool(job.params.get("dry_run"))
    job_progress(job.pk, 0)
    try:
        with kept_open(token) as source:
            report = placements_import(
                county=county, source=source, dry_run=dry_run, actor=job.user,
                progress=lambda done, total: job_progress(job.pk, done, total),
            )  # fmt: skip
    except Exception as exc:  # the database failed: the import's transaction left nothing behind
        log.exception("placements import job %s failed", job.pk)
        job_fail(job.pk, f"导入失败（{exc.__class__.__name__}），未导入任何数据，请稍后重试。")
        return
    if not report.ok:
        count = len(report.problems)
        result, name = problems_result(report.problems, f"{county.name}新老衔接导入错误报告（共{count}处）")
        job_done(job.pk, message=f"共{count}处错误，未导入任何数据。", file=name, result=result)
        return
    legacy = kept_on_old_terms(report)
    if dry_run:
        message = f"检查通过，共{len(report.rows)}人。{legacy}确认无误后请选择“导入”再次上传。"
    else:
        message = f"已导入在岗人员{len(report.rows)}人。{legacy}"
    job_done(job.pk, message=message, result={"ok": True, "total": len(report.rows)})
