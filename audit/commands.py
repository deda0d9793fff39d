"""Management commands whose changes the audit log records under "命令 <name>"."""

from typing import Any

from django.core.management.base import BaseCommand

from .context import acting_as


class AuditedCommand(BaseCommand):
    """A command that runs under the route "命令 <its name>" (actor: the system, unless the
    command names a user with acting_as inside)."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        with acting_as(None, f"命令 {self.__module__.rsplit('.', 1)[-1]}"):
            return super().execute(*args, **options)
