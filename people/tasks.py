"""Celery tasks of people: the applicant import confirmed by a clerk."""

from celery import shared_task

from . import import_jobs


@shared_task(name="people.run_applicant_import")
def run_applicant_import(job_id: int) -> str:
    return import_jobs.applicant_import_run(job_id).state
