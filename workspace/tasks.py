"""Celery tasks of the workspace: background exports."""

from celery import shared_task

from . import jobs


@shared_task(name="workspace.run_export")
def run_export(job_id: int) -> str:
    return jobs.export_run(job_id).state
