"""Celery tasks of the workspace: background exports."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from common.jobs import old_files_remove

from . import jobs


@shared_task(name="workspace.run_export")
def run_export(job_id: int) -> str:
    return jobs.export_run(job_id).state


@shared_task(name="workspace.remove_old_job_files")
def remove_old_job_files() -> int:
    """Nightly: the files of jobs finished more than JOB_FILE_DAYS ago (common.jobs)."""
    return old_files_remove(older_than=timezone.now() - dt.timedelta(days=settings.JOB_FILE_DAYS))
