"""Celery tasks of people: the applicant file's check (preview) and its import, confirmed by a
clerk; a department roster's import; the nightly removal of uploads left behind."""

from celery import shared_task

from . import import_jobs, roster_jobs


@shared_task(name="people.run_applicant_preview")
def run_applicant_preview(job_id: int) -> str:
    return import_jobs.applicant_preview_run(job_id).state


@shared_task(name="people.run_applicant_import")
def run_applicant_import(job_id: int) -> str:
    return import_jobs.applicant_import_run(job_id).state


@shared_task(name="people.run_roster_import")
def run_roster_import(job_id: int) -> str:
    return roster_jobs.roster_import_run(job_id).state


@shared_task(name="people.remove_stale_uploads")
def remove_stale_uploads() -> int:
    return import_jobs.stale_uploads_remove()
