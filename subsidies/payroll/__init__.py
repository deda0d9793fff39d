"""The monthly payroll run of a county (docs/policy.md §9): start, compute, approve, lock.

- rules: the money rules of a line and of an adjustment, pure functions over plain facts;
- facts: what they judge, read in three queries per group of townships;
- store: the lines brought to what the rules give, each change recorded (audit.record);
- states: the run's allowed moves, two people for money, the lock that freezes payees;
- computation: a run computed township by township (here, or one Celery task per township).

Starting takes the run's row lock and flips it to 计算中, so two starts at once give one
computation and one clear refusal. A locked month never changes: its corrections are the
adjustments of a later month."""

from .computation import (
    compute,
    compute_run,
    compute_started,
    lines_for,
    locked_before,
    month_policies,
    policies_in_force,
    policy_in_force,
)
from .facts import agreed_spans
from .states import (
    approve,
    attendance_changed_since,
    beat,
    fail,
    finish,
    lock,
    month_start,
    payees_freeze,
    run_for,
    run_totals,
    second_person_check,
    stalled,
    start,
)

__all__ = [
    "agreed_spans",
    "approve",
    "attendance_changed_since",
    "beat",
    "compute",
    "compute_run",
    "compute_started",
    "fail",
    "finish",
    "lines_for",
    "lock",
    "locked_before",
    "month_policies",
    "month_start",
    "payees_freeze",
    "policies_in_force",
    "policy_in_force",
    "run_for",
    "run_totals",
    "second_person_check",
    "stalled",
    "start",
]
