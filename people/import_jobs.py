"""The applicant import as a background job: the clerk confirms a previewed file, a Celery
worker imports it (all or nothing, people.imports) and the job's page shows the progress and
the result. The worker checks again that the user is the clerk of that township."""

import logging
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User

from common.jobs import dispatch, job_done, job_fail, job_progress
from common.models import Job
from townships.access import membership_of
from townships.models import Role, Township

from .imports import UPLOAD_DIR, applicants_import, upload_path

log = logging.getLogger(__name__)


def applicant_import_start(*, user: User, township: Township, token: str, rows: int) -> Job:
    from .tasks import run_applicant_import

    job = Job.objects.create(
        user=user, kind=Job.Kind.APPLICANT_IMPORT, params={"township": township.code, "token": token},
        title=f"导入{township.name}申请人", total=rows,
    )  # fmt: skip
    dispatch(job, lambda: run_applicant_import.delay(job.pk))
    return job


def applicant_import_run(job_id: int) -> Job:
    job = Job.objects.select_related("user").get(pk=job_id)
    membership = membership_of(job.user)
    code, path = job.params.get("township", ""), upload_path(job.params.get("token", ""))
    if membership is None or membership.role != Role.CLERK or membership.township.code != code:
        job_fail(job.pk, "只能导入本乡镇（街道）的申请人")
    elif not path.exists():
        job_fail(job.pk, "导入文件不存在或已过期，请重新上传")
    else:
        _run(job, membership.township, path)
    return Job.objects.get(pk=job.pk)


def _run(job: Job, township: Township, path) -> None:  # type: ignore[no-untyped-def]
    job_progress(job.pk, 0)
    try:
        with path.open("rb") as source:
            report = applicants_import(township=township, source=source, dry_run=False)
    except Exception as exc:  # the database failed: the import's transaction left nothing behind
        log.exception("applicant import job %s failed", job.pk)
        job_fail(job.pk, f"导入失败（{exc.__class__.__name__}），未导入任何数据，请稍后重试。")
        return
    if not report.imported:
        job_fail(job.pk, f"文件有 {len(report.problems)} 处错误，未导入任何数据，请修改后重新上传。")
        return
    path.unlink(missing_ok=True)
    Job.objects.filter(pk=job.pk).update(total=report.total)
    job_done(job.pk, message=f"已导入 {report.total} 人（新增 {report.created}，更新 {report.updated}）。")


def stale_uploads_remove() -> int:
    """Remove uploaded applicant files left longer than IMPORT_UPLOAD_HOURS (previews never
    confirmed, refused files): they hold whole ID and bank numbers. Returns how many."""
    cutoff = time.time() - 3600 * settings.IMPORT_UPLOAD_HOURS
    removed = 0
    for path in (Path(settings.MEDIA_ROOT) / UPLOAD_DIR).glob("*.xlsx"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
