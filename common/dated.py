"""Dated county data (pay policies, schemes, rules): rows valid from a date, to a date or open.
One way to pick the row in force on a day, for every kind (subsidies.payroll.policies_in_force,
the social-insurance subsidy, assessment schemes and bonus rules)."""

import datetime as dt
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

D = TypeVar("D", bound=Model)


def in_force(rows: QuerySet[D], day: dt.date) -> QuerySet[D]:
    """Dated rows (valid_from, valid_to or open) in force on `day`, the latest start first."""
    started = rows.filter(valid_from__lte=day)
    return started.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).order_by("-valid_from")
