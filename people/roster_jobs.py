"""A department roster's import as a background job (common.jobs): HR uploads it, a Celery worker
imports it (all or nothing, people.rosters) and the job's page shows the count or every problem.
The worker checks again that the user is HR of that county; the file is removed once read."""

import datetime as dt
from typing import IO

from django.contrib.auth.models import User

from common.file_jobs import Outcome, county_file_job_run
from common.jobs import dispatch
from common.models import Job
from townships.models import County

from .models import RosterKind
from .rosters import roster_file_import


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
        user=user,
        kind=Job.Kind.ROSTER_IMPORT,
        params=params,
        title=f"导入{RosterKind(kind).label}名单（{roster_date:%Y-%m-%d}）",
    )
    dispatch(job, lambda: run_roster_import.delay(job.pk))
    return job


def roster_import_run(job_id: int) -> Job:
    return county_file_job_run(job_id, not_yours="只能导入本区县的名单", read=_read)


def _read(job: Job, county: County, source: IO[bytes]) -> Outcome:
    report = roster_file_import(
        county=county,
        kind=job.params["kind"],
        roster_date=dt.date.fromisoformat(job.params["date"]),
        source=source,
        file_name=job.params.get("file", ""),
        actor=job.user,
    )
    if report.roster is None:
        count = len(report.problems)
        return Outcome(
            f"名单有 {count} 处错误，未导入。",
            problems=report.problems,
            problems_title=f"{job.title}错误报告（共{count}处）",
        )
    rows = report.roster.row_count
    return Outcome(f"已导入{report.roster.get_kind_display()}名单 {rows} 人。", total=rows)
