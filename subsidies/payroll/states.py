"""A run's states as one map of allowed moves (as placements/procedure.py for applications):
待计算 → 计算中 → 已计算 (or 计算失败) → 已审核 → 已锁定, a computed or failed run computed again, a
computing run whose worker went silent started again. Money is moved by two people
(docs/policy.md §9.4): who started the computation neither approves nor locks it."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from assessment.bonus import bonus_claim
from assessment.selectors import sheets_moved_since
from audit import record as audit
from common.models import Job
from common.retirement import add_months
from people.models import Person
from townships.access import membership_of
from townships.models import County, Role

from ..aggregates import aggregates_write
from ..models import Attendance, PayrollLine, PayrollRun
from ..money import ZERO
from ..months import month_open_check

State = PayrollRun.State
MOVES: set[tuple[str, str]] = {
    (State.DRAFT, State.COMPUTING),
    (State.COMPUTED, State.COMPUTING),
    (State.FAILED, State.COMPUTING),
    (State.COMPUTING, State.COMPUTING),  # only when the computation went silent (stalled)
    (State.COMPUTING, State.COMPUTED),
    (State.COMPUTING, State.FAILED),
    (State.COMPUTED, State.APPROVED),
    (State.APPROVED, State.LOCKED),
}


def move_check(run: PayrollRun, to: str) -> None:
    """ValidationError saying why `run` cannot move to `to` now, per MOVES."""
    if (run.state, to) in MOVES and not (to == State.COMPUTING == run.state and not stalled(run)):
        return
    current = run.get_state_display()
    if to == State.COMPUTING:
        if run.state == State.COMPUTING:
            raise ValidationError(f"{run}正在计算，请稍后查看结果")
        raise ValidationError(f"{run}已{current}，不能重新计算")
    if to == State.APPROVED:
        raise ValidationError(f"只有已计算的月份可以审核（当前：{current}）")
    if to == State.LOCKED:
        raise ValidationError(f"只有已审核的月份可以锁定（当前：{current}）")
    raise ValidationError(f"{run}不能从「{current}」变为「{State(to).label}」")


def month_start(text_or_date: str | dt.date) -> dt.date:
    if isinstance(text_or_date, dt.date):
        return text_or_date.replace(day=1)
    try:
        return dt.datetime.strptime(text_or_date.strip(), "%Y-%m").date()
    except ValueError:
        raise ValidationError(f"月份「{text_or_date.strip()}」应写成 2022-03 的格式") from None


def run_for(county: County, month: dt.date) -> PayrollRun:
    """The county's run of `month`, made when first asked for; none for a month not yet open."""
    month_open_check(month_start(month))
    run, _ = PayrollRun.objects.get_or_create(county=county, month=month_start(month))
    return run


def start(run: PayrollRun, actor: User | None = None) -> PayrollRun:
    """Flip the run to 计算中 under its row lock as a new attempt started by `actor` (None: the
    scheduled job or a command), with a new background job for its progress, or say why it
    cannot be computed now. A run silent for PAYROLL_STALE_MINUTES (its worker died) may start
    again: its earlier job fails as interrupted."""
    month_open_check(run.month)
    with transaction.atomic():
        run = PayrollRun.objects.select_for_update().get(pk=run.pk)
        move_check(run, State.COMPUTING)
        note = ""
        if run.state == State.COMPUTING:
            note = f"上次计算（第{run.attempt}次）已中断，已重新开始"
            if run.job_id is not None:
                _job(run).update(
                    state=Job.State.FAILED,
                    error="计算中断（计算进程停止响应），已重新开始",
                    finished_at=timezone.now(),
                )
        now = timezone.now()
        run.attempt += 1
        run.job = Job.objects.create(
            user=actor,
            kind=Job.Kind.PAYROLL,
            title=f"{run}（第{run.attempt}次计算）",
            params={"run": run.pk, "attempt": run.attempt},
            state=Job.State.RUNNING,
            error=note,
            heartbeat_at=now,
        )
        run.state, run.started_at, run.started_by = State.COMPUTING, now, actor
        run.save(update_fields=["started_by", "state", "started_at", "attempt", "job"])
        # the bonus rounds approved so far are this run's to pay (docs/policy.md §9.10)
        bonus_claim(run.county_id, run.pk)
    return run


def _job(run: PayrollRun) -> QuerySet[Job]:
    """The job of this attempt of the run (the one start() made)."""
    return Job.objects.filter(pk=run.job_id) if run.job_id is not None else Job.objects.none()


def _current(run: PayrollRun) -> bool:
    """Whether `run` (as this attempt knows it) is still the run's computing attempt."""
    return PayrollRun.objects.filter(pk=run.pk, attempt=run.attempt, state=State.COMPUTING).exists()


def stalled(run: PayrollRun) -> bool:
    """Whether a computing run has shown no sign of life for PAYROLL_STALE_MINUTES."""
    last = run.heartbeat_at or run.started_at
    quiet = dt.timedelta(minutes=settings.PAYROLL_STALE_MINUTES)
    return run.state == State.COMPUTING and (last is None or timezone.now() - last > quiet)


def beat(run: PayrollRun, *, done: object = None, total: int | None = None) -> bool:
    """Record progress of this attempt (townships done, of `total`) on its job; False when a
    later attempt has superseded it."""
    progress: dict[str, object] = {"heartbeat_at": timezone.now()}
    if done is not None:
        progress["done"] = done
    if total is not None:
        progress["total"] = total
    running = _job(run).filter(state=Job.State.RUNNING)
    return running.update(**progress) == 1 and _current(run)


def fail(run: PayrollRun, message: str) -> None:
    """Mark this attempt failed with the reason, on the run and its job (a superseded attempt
    changes nothing)."""
    if PayrollRun.objects.filter(pk=run.pk, attempt=run.attempt).update(state=State.FAILED):
        _job(run).update(state=Job.State.FAILED, error=message, finished_at=timezone.now())
        _record_state(run, State.FAILED, {"error": message})


def finish(run: PayrollRun, count: int) -> None:
    """Mark this attempt's run computed with its lines' sums per party, its job done (a
    superseded attempt changes nothing)."""
    if PayrollRun.objects.filter(pk=run.pk, attempt=run.attempt, state=State.COMPUTING).update(
        state=State.COMPUTED, computed_at=timezone.now(), **run_totals(run.pk)
    ):
        _job(run).update(
            state=Job.State.DONE, error="", message=f"已算出{count}条明细", finished_at=timezone.now()
        )
        _record_state(run, State.COMPUTED, {"lines": count})


def run_totals(run_id: int) -> dict[str, object]:
    """PayrollRun's stored sums of its lines (line_count, province_total, city_total, district_total):
    one aggregate over the run's lines, the one definition of a run's totals."""
    sums = PayrollLine.objects.filter(run_id=run_id).aggregate(
        line_count=Count("id"), **{f"{party}_total": Sum(party) for party in ("province", "city", "district")}
    )
    return {key: ZERO if value is None else value for key, value in sums.items()}


def _record_state(run: PayrollRun, state: str, details: dict[str, object]) -> None:
    """The audit entry of a state change made by a conditional UPDATE (no signal sees it)."""
    before = {"state": State.COMPUTING.value, **dict.fromkeys(details, "")}
    change = audit.Change(run.pk, str(run), before, {"state": state, **details}, county_id=run.county_id)
    audit.write(PayrollRun, [change])


@transaction.atomic
def approve(run: PayrollRun, actor: User) -> PayrollRun:
    from ..checks import open_blocking

    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    move_check(run, State.APPROVED)
    second_person_check(run, actor, "审核")
    if changed := attendance_changed_since(run):
        raise ValidationError(f"计算之后有{changed}条考勤记录有变动，请重新计算该月后再审核")
    if moved := results_moved_since(run):
        raise ValidationError(f"计算之后有{moved}张考核表公示或撤回公示，请重新计算该月后再审核")
    if blocking := open_blocking(run):
        raise ValidationError(
            f"还有{blocking}个须处理的核算前检查问题（如无银行账号、在死亡名单中），处理后才能审核"
        )
    run.state, run.approved_by = State.APPROVED, actor
    run.save(update_fields=["state", "approved_by"])
    return run


def second_person_check(run: PayrollRun, actor: User, act: str) -> None:
    """Money is moved by two people (docs/policy.md §9.4): whoever started the computation of the lines
    neither approves nor locks the month; a month the scheduled job computed is approved and
    locked by two different users. A county may switch this off with a recorded reason."""
    membership = membership_of(actor)
    if membership is None or membership.role != Role.FINANCE or membership.county_id != run.county_id:
        raise ValidationError(f"只有{run.county.name}的财务人员可以{act}该月补贴")
    if not run.county.payroll_two_people:
        return
    if run.started_by_id is not None and actor.pk == run.started_by_id:
        raise ValidationError(f"{run}由您计算，须由另一名财务人员{act}（双人审核）")
    if act == "锁定" and run.started_by_id is None and actor.pk == run.approved_by_id:
        raise ValidationError(f"{run}由您审核，须由另一名财务人员锁定（双人审核）")


def attendance_changed_since(run: PayrollRun) -> int:
    """How many attendance records the run's lines may not reflect: of its month, or of the
    earlier months its adjustments settle, confirmed after its computation started (a record
    counts from its confirmation, docs/policy.md §9.2; the township's own are confirmed as made)."""
    since = run.started_at or run.computed_at  # the lines read the attendance when it started
    if run.computed_at is None or since is None:
        return 0
    marks = Attendance.objects.filter(
        placement__township__county=run.county_id,
        confirmed_at__gt=since,
        month__lte=run.month,
        month__gte=add_months(run.month, -12),
    )
    return marks.count()


def results_moved_since(run: PayrollRun) -> int:
    """How many assessment sheets of the run's month, or of the months its adjustments settle,
    were published or reopened after its computation started (docs/policy.md §8.14, §9.5)."""
    since = run.started_at or run.computed_at
    if run.computed_at is None or since is None:
        return 0
    return sheets_moved_since(run.county_id, add_months(run.month, -12), run.month, since)


@transaction.atomic
def lock(run: PayrollRun, actor: User) -> PayrollRun:
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    move_check(run, State.LOCKED)
    second_person_check(run, actor, "锁定")
    run.state, run.locked_by, run.locked_at = State.LOCKED, actor, timezone.now()
    run.save(update_fields=["state", "locked_by", "locked_at"])
    payees_freeze(run)
    aggregates_write(run)  # the month's sums for the city and province pages (docs/policy.md §9.12)
    return run


def payees_freeze(run: PayrollRun) -> int:
    """Copy each line's payee (name, ID number, bank account and bank) from the person onto the
    line, as the month is locked: what a locked month paid, and to whom, never changes after.
    One UPDATE with a subquery per field (each an index look-up of the placement and person)."""
    person = Person.objects.filter(placements=OuterRef("placement_id"))
    return PayrollLine.objects.filter(run=run).update(
        payee_name=Subquery(person.values("name")[:1]),
        payee_id_number=Subquery(person.values("id_number")[:1]),
        bank_account=Subquery(person.values("bank_account")[:1]),
        bank_name=Subquery(person.values("bank_name")[:1]),
    )
