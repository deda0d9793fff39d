"""The calendar month of a payroll and the placements on post during it, in one place."""

import calendar
import datetime as dt

from django.db.models import Q, QuerySet

from placements.models import Placement


def month_last(first: dt.date) -> dt.date:
    """The last day of the month that starts on `first`."""
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def on_post_during(first: dt.date) -> QuerySet[Placement]:
    """Placements on post at some day of the month that starts on `first`."""
    return Placement.objects.filter(on_post_date__lte=month_last(first)).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=first)
    )
