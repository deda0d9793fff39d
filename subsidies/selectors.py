"""Reads of payroll lines, always through the scoping gate."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from people.selectors import person_search
from townships.access import scope_by_township, township_pk

from .models import PayrollLine


def payroll_lines(
    *,
    user: User | AnonymousUser,
    run: str,
    q: str = "",
    township: str = "",
    line: str = "",
    kind: str = "",
) -> QuerySet[PayrollLine]:
    """The lines of run `run` (its id) in the user's townships, filtered by person search
    (people.selectors), township code, line and kind."""
    run_id = int(run) if run.isdigit() else None
    lines = scope_by_township(user, PayrollLine.objects.filter(run_id=run_id))
    search = person_search(user=user, q=q, path="placement__person__")
    if search is not None:
        lines = lines.filter(search)
    if township:
        lines = lines.filter(township_id=township_pk(user, township))
    if line:
        lines = lines.filter(line=line)
    if kind in PayrollLine.Kind.values:
        lines = lines.filter(kind=kind)
    return lines.select_related("township", "placement__person__village")
