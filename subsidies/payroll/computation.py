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
from ..models import PayrollRun, SettledMonth, SubsidyPolicy
from ..money import Shares, full_month
from ..months import month_last
from ..services import policy_annuals_on
from . import facts, rules, settled, states, store

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
    return [locked for locked in locked_from(run) if locked.month < run.month]


def locked_from(run: PayrollRun) -> list[PayrollRun]:
    """The county's locked runs from 12 months before the run's month on, later ones included
    (they may hold adjustments of the earlier months), in month order: one read, so that the
    months settled and the lines read as paid for them agree."""
    locked = PayrollRun.objects.filter(county=run.county_id, state=State.LOCKED)
    return list(locked.filter(month__gte=add_months(run.month, -12)).order_by("month"))


def on_post_in(known: facts.Facts, period: rules.Month) -> list[rules.Placed]:
    """The placements of the facts on post at some day of the month."""
    return [
        p
        for p in known.placed.values()
        if p.on_post <= period.last and (p.exit is None or p.exit >= period.first)
    ]


def month_terms(county: County, month: dt.date, on_post: list[rules.Placed]) -> dict[str, rules.Terms]:
    """Per line of the placements on post: the policy in force in the month."""
    full, required = month_policies(county, month, {p.line for p in on_post})
    return {line: rules.Terms(full[line], required[line]) for line in full}


def lines_of(
    period: rules.Month, on_post: list[rules.Placed], terms: dict[str, rules.Terms], known: facts.Facts
) -> list[rules.Line]:
    """The regular lines the rules give the placements `on_post` for the month."""
    marks, verdicts = known.marks[period.first], known.verdicts.get(period.first, {})
    made = (rules.regular(p, period, terms[p.line], marks.get(p.pk)) for p in on_post)
    return [rules.assessed(line, verdicts.get(line.placement_id)) for line in made if line is not None]


def month_lines(county: County, month: dt.date, known: facts.Facts) -> list[rules.Line]:
    """The regular lines the rules give for `month` on the facts."""
    period = rules.Month(month, month_last(month))
    on_post = on_post_in(known, period)
    return lines_of(period, on_post, month_terms(county, month, on_post), known)


def adjustments(
    earlier: PayrollRun, now: list[rules.Line], paid: facts.Paid, known: facts.Facts
) -> list[rules.Line]:
    """The 补发/扣回 lines that bring what the locked month `earlier` paid (`paid`, per placement) to
    what the rules give it now (`now`), for the placements of either."""
    given = {line.placement_id: line for line in now}
    made = []
    for placement_id in given.keys() | paid.keys():
        if not rules.settles(known.placed.get(placement_id), earlier.locked_at):
            continue
        line = given.get(placement_id)
        before = paid.get(placement_id) or (line.township_id, line.line, [rules.ZERO] * 4)  # type: ignore[union-attr]  # a placement is in now or in paid
        made_line = rules.adjustment(placement_id, line, before, earlier.month)
        if made_line is not None:
            made.append(made_line)
    return made


def by_township(on_post: list[rules.Placed], townships: list[int]) -> dict[int, list[rules.Placed]]:
    grouped: dict[int, list[rules.Placed]] = {t: [] for t in townships}
    for p in on_post:
        grouped[p.township_id].append(p)
    return grouped


def month_records(
    period: rules.Month,
    groups: dict[int, list[rules.Placed]],
    terms: dict[str, rules.Terms],
    known: facts.Facts,
    base: settled.Digests,
    basis: list[int],
) -> list[settled.Record]:
    """Per township: what the computation of the month reads (payroll.settled)."""
    marks, verdicts = known.marks[period.first], known.verdicts.get(period.first, {})
    return [
        settled.record(
            township,
            period.first,
            basis,
            settled.terms_digest({p.line: terms[p.line] for p in group}),
            settled.month_digests(group, base, marks, verdicts),
        )
        for township, group in groups.items()
    ]


def settle(
    county: County,
    earlier: PayrollRun,
    basis: list[int],
    known: facts.Facts,
    records: list[settled.Record],
    stored: dict[tuple[int, dt.date], SettledMonth],
) -> list[rules.Line]:
    """The adjustments of the locked month `earlier` in the townships of `records` (docs/policy.md
    §9.7): per township, none when the stored record of what was paid for the month (payroll.settled)
    digests the same facts and terms as now; those of the placements whose facts changed when only
    they did; the township's whole month otherwise."""
    whole: set[int] = set()
    some: dict[int, set[int]] = {}  # per township: the placements whose facts changed
    for record in records:
        before = stored.get((record.township_id, record.month))
        if before is None or bytes(before.terms) != record.terms:
            whole.add(record.township_id)
        elif bytes(before.summary) != record.summary:
            if (digests := settled.digests_of(before)) is None:
                whole.add(record.township_id)
            else:
                some[record.township_id] = settled.changed(record.digests, digests)
    if not whole and not some:
        return []
    period = rules.Month(earlier.month, month_last(earlier.month))
    on_post = [
        p for p in on_post_in(known, period) if p.township_id in whole or p.pk in some.get(p.township_id, ())
    ]
    now = lines_of(period, on_post, month_terms(county, earlier.month, on_post), known)
    paid = facts.paid_for(earlier, basis, sorted(whole), some)
    return adjustments(earlier, now, paid, known)


def computed(run: PayrollRun, townships: list[int]) -> tuple[list[rules.Line], list[settled.Record]]:
    """Every line the run's month gives in `townships` (its regular lines, the adjustments of the
    earlier locked months, its bonus lines) and, per township and month, what it read."""
    locked = locked_from(run)
    earlier = [r for r in locked if r.month < run.month]
    known = facts.read(run.county_id, townships, run.month, earlier)
    base = settled.placed_digests(known.placed.values())

    def basis(month: dt.date) -> list[int]:
        return [r.pk for r in locked if r.month >= month]

    period = rules.Month(run.month, month_last(run.month))
    on_post = on_post_in(known, period)
    terms = month_terms(run.county, run.month, on_post)
    lines = lines_of(period, on_post, terms, known)
    records = month_records(period, by_township(on_post, townships), terms, known, base, basis(run.month))
    stored = settled.settling(townships, {r.month: basis(r.month) for r in earlier})
    for locked_run in earlier:
        period = rules.Month(locked_run.month, month_last(locked_run.month))
        on_post = on_post_in(known, period)
        terms = month_terms(run.county, locked_run.month, on_post)
        made = month_records(period, by_township(on_post, townships), terms, known, base, basis(period.first))
        lines += settle(run.county, locked_run, basis(period.first), known, made, stored)
        records += [settled.same_as(r, stored.get((r.township_id, r.month))) for r in made]
    return lines + rules.bonus_lines(facts.bonuses(run.pk, townships)), records


def lines_for(run: PayrollRun, townships: list[int]) -> list[rules.Line]:
    """Every line the run's month gives in `townships`: its regular lines and the adjustments
    of the earlier locked months."""
    return computed(run, townships)[0]


def compute(run: PayrollRun, townships: list[int] | None = None) -> int:
    """Compute the run's lines (all townships, or the given ones), replacing the old ones in one
    transaction. The run must have been started (states.start)."""
    if townships is None:
        townships = list(run.county.townships.values_list("pk", flat=True))
    lines, records = computed(run, townships)
    with transaction.atomic():
        store.replace(run, townships, lines)
        settled.record_replace(run, townships, records)
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
