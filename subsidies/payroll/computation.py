"""Computing a run: the policies of a month, the lines the rules give for some townships
(the month's and the adjustments of the earlier locked months), stored in one transaction."""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from common.dated import in_force  # every dated county policy is picked the same way
from common.retirement import add_months
from townships.models import County, Line

from .. import social_insurance
from ..models import PayrollRun, SubsidyPolicy
from ..money import Shares, full_month
from ..months import month_last
from ..services import policy_annuals_on
from . import facts, rules, states, store

State = PayrollRun.State
T = TypeVar("T")


def policies_in_force(county: County, line: str, day: dt.date) -> QuerySet[SubsidyPolicy]:
    return in_force(SubsidyPolicy.objects.filter(county=county, line=line), day)


def policy_in_force(county: County, line: str, day: dt.date) -> SubsidyPolicy:
    policy = policies_in_force(county, line, day).first()
    if policy is None:
        raise ValidationError(
            f"{county.name}没有{day:%Y年%m月}适用的{Line(line).label}岗位补贴标准，请先在系统管理中设置"
        )
    return policy


# Within one computation (compute_started) a month's policies and minimum wage are read once,
# not again for each township.
_remembered: ContextVar[dict | None] = ContextVar("payroll_remembered", default=None)


@contextmanager
def policies_remembered() -> Iterator[None]:
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def _remember(key: tuple, read: Callable[[], T]) -> T:
    memo = _remembered.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def month_policies(
    county: County, first: dt.date, lines: set[str]
) -> tuple[dict[str, Shares], dict[str, int]]:
    """Per line: the full-month amounts and the required days of the policy in force."""

    def read() -> tuple[dict[str, Shares], dict[str, int]]:
        policies = {line: policy_in_force(county, line, first) for line in lines}
        full = {line: full_month(policy_annuals_on(p, first), first.month) for line, p in policies.items()}
        return full, {line: p.required_days for line, p in policies.items()}

    return _remember(("policies", county.pk, first, frozenset(lines)), read)


def locked_before(run: PayrollRun) -> list[PayrollRun]:
    """The county's locked months of the last 12 months before the run's, which adjustments correct."""
    locked = PayrollRun.objects.filter(county=run.county, state=State.LOCKED, month__lt=run.month)
    return list(locked.filter(month__gte=add_months(run.month, -12)).order_by("month"))


def month_lines(county: County, month: dt.date, known: facts.Facts) -> list[rules.Line]:
    """The regular lines the rules give for `month` on the facts."""
    period = rules.Month(month, month_last(month))
    on_post = [
        p for p in known.placed.values() if p.on_post <= period.last and (p.exit is None or p.exit >= month)
    ]
    full, required = month_policies(county, month, {p.line for p in on_post})
    terms = {line: rules.Terms(full[line], required[line]) for line in full}
    marks, verdicts = known.marks[month], known.verdicts.get(month, {})
    made = (rules.regular(p, period, terms[p.line], marks.get(p.pk)) for p in on_post)
    return [rules.assessed(line, verdicts.get(line.placement_id)) for line in made if line is not None]


def adjustments(county: County, earlier: PayrollRun, known: facts.Facts) -> list[rules.Line]:
    """The 补发/扣回 lines that bring the locked month `earlier` to what the rules give it now."""
    now = {line.placement_id: line for line in month_lines(county, earlier.month, known)}
    paid = known.paid[earlier.month]
    made = []
    for placement_id in now.keys() | paid.keys():
        if not rules.settles(known.placed.get(placement_id), earlier.locked_at):
            continue
        line = now.get(placement_id)
        before = paid.get(placement_id) or (line.township_id, line.line, [rules.ZERO] * 4)  # type: ignore[union-attr]  # a placement is in now or in paid
        made_line = rules.adjustment(placement_id, line, before, earlier.month)
        if made_line is not None:
            made.append(made_line)
    return made


def lines_for(run: PayrollRun, townships: list[int]) -> list[rules.Line]:
    """Every line the run's month gives in `townships`: its regular lines and the adjustments
    of the earlier locked months."""
    earlier = locked_before(run)
    known = facts.read(run.county_id, townships, run.month, earlier)
    lines = month_lines(run.county, run.month, known)
    for locked in earlier:
        lines += adjustments(run.county, locked, known)
    return lines + rules.bonus_lines(facts.bonuses(run.pk, townships))


def compute(run: PayrollRun, townships: list[int] | None = None) -> int:
    """Compute the run's lines (all townships, or the given ones), replacing the old ones in one
    transaction. The run must have been started (states.start)."""
    if townships is None:
        townships = list(run.county.townships.values_list("pk", flat=True))
    lines = lines_for(run, townships)
    with transaction.atomic():
        store.replace(run, townships, lines)
        social_insurance.replace(run, townships, lines)  # the urban lines' subsidy (docs/policy.md §8.13)
    return len(lines)


def compute_run(run: PayrollRun, actor: User | None = None) -> PayrollRun:
    """Start and compute a whole run in this process (the --sync path), township by township so
    that the run's page shows progress. A failure leaves the run 计算失败 with the reason; a
    re-run replaces every line, so nothing is left half-done."""
    return compute_started(states.start(run, actor))


def compute_started(run: PayrollRun) -> PayrollRun:
    """Compute a run that start() has flipped to 计算中 (here or in a Celery worker): the
    checks first, then the lines township by township."""
    from ..checks import findings_refresh

    findings_refresh(run)
    townships = list(run.county.townships.order_by("code").values_list("pk", flat=True))
    if not states.beat(run, total=len(townships)):
        return run  # superseded by a later attempt: that one computes
    count = 0
    try:
        with policies_remembered():
            for done, township in enumerate(townships, start=1):
                count += compute(run, [township])
                if not states.beat(run, done=done):
                    return run
    except ValidationError as exc:
        states.fail(run, "；".join(exc.messages))
        raise
    except Exception as exc:  # recorded on the run for finance to see, then re-raised
        states.fail(run, f"计算出错：{exc}")
        raise
    states.finish(run, count)
    run.refresh_from_db()
    return run
