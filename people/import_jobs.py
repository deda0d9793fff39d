"""The applicant import as background jobs (common.jobs): the clerk uploads a file, a Celery worker
checks it (the preview: every row read and checked once, nothing written, with progress) and the
preview page shows the result; the clerk confirms, a worker imports it (all or nothing, in one
transaction: people.imports on common.imports). Each worker
checks again that the user may still import applicants in that township (its clerk, or a
contracted agency's staff). A file the preview refuses is removed
at once (it holds whole ID and bank numbers); its problems stay in a workbook. One import job per
uploaded file: a second confirmation answers the job the first one started."""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from common.jobs import dispatch, job_done, job_fail, job_of_upload, job_progress, problems_result
from common.models import Job
from common.uploads import kept_exists, kept_open, kept_remove, kept_stale_remove
from townships.access import Act, may_act
from townships.models import Township

from .imports import ImportReport, applicants_import

log = logging.getLogger(__name__)
SHOWN_ROWS = 500  # preview rows on the page


def applicant_preview_start(*, user: User, township: Township, token: str) -> Job:
    from .tasks import run_applicant_preview

    job = Job.objects.create(
        user=user,
        kind=Job.Kind.APPLICANT_PREVIEW,
        params={"township": township.code, "token": token},
        title=f"检查{township.name}申请人表格",
    )
    dispatch(job, lambda: run_applicant_preview.delay(job.pk))
    return job


def applicant_preview_run(job_id: int) -> Job:
    """The check of the job's file (nothing written); its result (counts, preview rows, problems)
    for the page."""
    job = Job.objects.select_related("user").get(pk=job_id)
    township, token = _checked(job)
    if township is None or token is None:
        return Job.objects.get(pk=job.pk)
    job_progress(job.pk, 0)
    try:
        with kept_open(token) as source:
            report = applicants_import(township=township, source=source, dry_run=True, progress=_bar(job.pk))
    except Exception as exc:  # the database failed: say so rather than leave the job running
        log.exception("applicant preview job %s failed", job.pk)
        job_fail(job.pk, f"检查失败（{exc.__class__.__name__}），请稍后重新上传。")
        return Job.objects.get(pk=job.pk)
    if report.ok:
        job_done(job.pk, message=f"共 {report.total} 行，全部通过检查。", result=_preview(report, ok=True))
        return Job.objects.get(pk=job.pk)
    kept_remove(token)  # refused: nothing will import it, and it holds whole numbers
    title = f"{township.name}申请人导入错误报告（共{len(report.problems)}处，未导入任何数据）"
    result, name = problems_result(report.problems, title)
    job_done(
        job.pk,
        message=f"发现 {len(report.problems)} 处错误，未导入任何数据。",
        file=name,
        result=result | _preview(report, ok=False),
    )
    return Job.objects.get(pk=job.pk)


def _preview(report: ImportReport, *, ok: bool) -> dict:
    rows = [
        {
            "row": r.row,
            "name": r.name,
            "masked_id": r.masked_id,
            "village": r.village,
            "groups": r.groups,
            "action": r.action,
            "errors": r.errors,
        }
        for r in report.rows[:SHOWN_ROWS]
    ]
    return {
        "ok": ok,
        "total": report.total,
        "created": report.created,
        "updated": report.updated,
        "rows": rows,
        "file_problems": [p.message for p in report.problems if p.row <= 1 or not report.rows],
    }


def applicant_import_start(*, user: User, township: Township, token: str, rows: int) -> tuple[Job, bool]:
    """The import job of the file `token`, and whether this call started it: a confirmation
    submitted twice (or from two tabs) starts one job. The user's row is locked while looking,
    so that two requests at the same moment cannot both start one."""
    from .tasks import run_applicant_import

    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        existing = job_of_upload(user=user, kind=Job.Kind.APPLICANT_IMPORT, token=token)
        if existing is not None:
            return existing, False
        job = Job.objects.create(
            user=user,
            kind=Job.Kind.APPLICANT_IMPORT,
            params={"township": township.code, "token": token},
            title=f"导入{township.name}申请人",
            total=rows,
        )
        dispatch(job, lambda: run_applicant_import.delay(job.pk))
    return job, True


def applicant_import_run(job_id: int) -> Job:
    job = Job.objects.select_related("user").get(pk=job_id)
    township, token = _checked(job)
    if township is not None and token is not None:
        _run(job, township, token)
    return Job.objects.get(pk=job.pk)


def _checked(job: Job) -> tuple[Township | None, str | None]:
    """The township and file token of an applicant job, checked again by the worker on the day it
    runs (the user may still import applicants there: that township's clerk, or an agency's staff
    under a contract running that day granting it, docs/policy.md §1.5; the file is still in the
    storage); else the job fails and (None, None)."""
    code, token = job.params.get("township", ""), job.params.get("token", "")
    township = Township.objects.filter(code=code).first()
    if township is None or not may_act(job.owner, Act.APPLICANTS, township, timezone.localdate()):
        job_fail(job.pk, "只能导入本乡镇（街道）或受委托乡镇（街道）的申请人")
    elif not kept_exists(token):
        job_fail(job.pk, "导入文件不存在或已过期，请重新上传")
    else:
        return township, token
    return None, None


def _bar(job_id: int):
    return lambda done, total: job_progress(job_id, done, total)


def _run(job: Job, township: Township, token: str) -> None:
    job_progress(job.pk, 0)
    try:
        with kept_open(token) as source:
            report = applicants_import(township=township, source=source, dry_run=False, progress=_bar(job.pk))
    except Exception as exc:  # the database failed: the import's transaction left nothing behind
        log.exception("applicant import job %s failed", job.pk)
        job_fail(job.pk, f"导入失败（{exc.__class__.__name__}），未导入任何数据，请稍后重试。")
        return
    kept_remove(token)  # imported or refused: it holds whole ID and bank numbers
    if not report.imported:
        job_fail(job.pk, f"文件有 {len(report.problems)} 处错误，未导入任何数据，请修改后重新上传。")
        return
    Job.objects.filter(pk=job.pk).update(total=report.total)
    job_done(job.pk, message=f"已导入 {report.total} 人（新增 {report.created}，更新 {report.updated}）。")


def stale_uploads_remove() -> int:
    """Remove uploaded files left longer than IMPORT_UPLOAD_HOURS (previews never confirmed,
    files whose job never ran), whoever kept them: they hold whole ID and bank numbers. Returns
    how many."""
    return kept_stale_remove(timezone.now() - dt.timedelta(hours=settings.IMPORT_UPLOAD_HOURS))
