"""新老衔接 as a background job (common.jobs): HR uploads the county's holders, a Celery worker
checks (or imports) them with progress, and the job's page shows the result or every problem
(the first on the page, all in a workbook). The worker checks again that the user is HR of that
county. The uploaded file is removed once the job is done with it, whatever the outcome."""

from typing import IO

from django.contrib.auth.models import User

from common.file_jobs import Outcome, county_file_job_run
from common.jobs import dispatch, job_progress
from common.models import Job
from townships.models import County

from .migration import kept_on_old_terms, placements_import


def placements_import_start(*, user: User, county: County, token: str, dry_run: bool) -> Job:
    from .tasks import run_placements_import

    job = Job.objects.create(
        user=user,
        kind=Job.Kind.PLACEMENTS_IMPORT,
        params={"county": county.code, "token": token, "dry_run": dry_run},
        title=f"新老衔接{'检查' if dry_run else '导入'}：{county.name}在岗人员",
    )
    dispatch(job, lambda: run_placements_import.delay(job.pk))
    return job


def placements_import_run(job_id: int) -> Job:
    return county_file_job_run(job_id, not_yours="只能导入本区县的在岗人员", read=_read)


def _read(job: Job, county: County, source: IO[bytes]) -> Outcome:
    dry_run = bool(job.params.get("dry_run"))
    report = placements_import(
        county=county,
        source=source,
        dry_run=dry_run,
        actor=job.owner,
        progress=lambda done, total: job_progress(job.pk, done, total),
    )
    if not report.ok:
        count = len(report.problems)
        return Outcome(
            f"共{count}处错误，未导入任何数据。",
            problems=report.problems,
            problems_title=f"{county.name}新老衔接导入错误报告（共{count}处）",
        )
    legacy = kept_on_old_terms(report)
    if dry_run:
        message = f"检查通过，共{len(report.rows)}人。{legacy}确认无误后请选择“导入”再次上传。"
    else:
        message = f"已导入在岗人员{len(report.rows)}人。{legacy}"
    return Outcome(message, total=len(report.rows))
