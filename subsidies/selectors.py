"""Reads of payroll lines, always through the scoping gate."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from people.selectors import person_search
from townships.access import scope_by_township

from .models import PayrollLine, PayrollRun


def payroll_lines(
    *,
    user: User | AnonymousUser,
    run: PayrollRun,
    q: str = "",
    township: str = "",
    line: str = "",
    kind: str = "",
) -> QuerySet[PayrollLine]:
    """A run's lines in the user's townships, filtered by person search (people.selectors),
    township code, line and kind."""
    lines = scope_by_township(user, PayrollLine.objects.filter(run=run))
    search = person_search(user=user, q=q, path="placement__person__")
    if search is not None:
        lines = lines.filter(search)
    if township:
        lines = lines.filter(township__code=township)
    if line:
        lines = lines.filter(line=line)
    if kind in PayrollLine.Kind.values:
        lines = lines.filter(kind=kind)
    return lines.select_related("township", "placement__person__village")
