"""Celery tasks of placements: 新老衔接 (checking or importing a county's existing holders)."""

from celery import shared_task

from . import migration_jobs


@shared_task(name="placements.run_placements_import")
def run_placements_import(job_id: int) -> str:
    return migration_jobs.placements_import_run(job_id).state
