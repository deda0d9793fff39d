"""The calendar month of a payroll and the placements on post during it, in one place."""

import calendar
import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from placements.models import Placement


def month_last(first: dt.date) -> dt.date:
    """The last day of the month that starts on `first`."""
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def on_post_during(first: dt.date) -> QuerySet[Placement]:
    """Placements on post at some day of the month that starts on `first`."""
    return Placement.objects.filter(on_post_date__lte=month_last(first)).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=first)
    )


# A month takes attendance and a payroll run from this day of the month on (payment at month end).
OPENS_ON_DAY = 20


def month_open_check(first: dt.date, today: dt.date | None = None) -> None:
    """docs/policy.md §6.5, no future months: a month takes attendance and a run only once it has begun,
    the current month from its 20th. ValidationError naming the month otherwise."""
    today = today or timezone.localdate()
    current = today.replace(day=1)
    if first > current:
        raise ValidationError(f"{first:%Y年%m月}尚未到来，不能登记考勤或核算补贴")
    if first == current and today.day < OPENS_ON_DAY:
        raise ValidationError(f"本月（{first:%Y年%m月}）{OPENS_ON_DAY}日起才能登记考勤和核算补贴")
