"""Our parts of the health report (django-health-check gives the database, cache, storage and
Celery ones)."""

import dataclasses

import celery
from celery.app import app_or_default
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from health_check.base import HealthCheck
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration of the code is applied to the database (the compose set's one-off
    `migrate` service ran for this release). Reads the django_migrations table: one query."""

    alias: str = DEFAULT_DB_ALIAS

    def run(self) -> None:
        connection = connections[self.alias]
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        finally:
            connection.close()  # run in a thread of the view's executor: leave no connection behind
        if plan:
            names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in plan[:5])
            raise ServiceUnavailable(f"{len(plan)} migrations not applied: {names}")


@dataclasses.dataclass
class CeleryPing(Ping):
    """django-health-check's ping of the workers, reported as "CeleryPing()" (its own name
    carries the application's memory address, a different key on every start)."""

    app: celery.Celery = dataclasses.field(default_factory=app_or_default, repr=False)
