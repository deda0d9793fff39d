"""The monthly payroll run of a county (docs/policy.md §9): start, compute, approve, lock.

Starting takes the run's row lock and flips it to 计算中, so two starts at once give one
computation and one clear refusal. Computing replaces the run's regular lines in one
transaction: placements active in the month are read as plain values (no model instances),
the money rules (subsidies.money) give each line, and the lines go in by COPY. A locked month
never changes."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from audit import record as audit
from common.retirement import add_months
from people.models import Person
from placements.models import Placement
from townships.access import membership_of
from townships.models import County, Line, Role

from . import payroll_audit, payroll_sql
from .models import Attendance, PayrollLine, PayrollRun, SubsidyPolicy
from .money import ZERO, Shares, full_month, half_up, part_month
from .months import month_last, month_open_check, on_post_during
from .services import policy_annuals_on

State = PayrollRun.State
T = TypeVar("T")
ONE_DAY = dt.timedelta(days=1)
LINE_FIELDS = [
    "run_id",
    "placement_id",
    "township_id",
    "line",
    "kind",
    "days_on_post",
    "days_attended",
    "fraction",
    "pay",
    "province",
    "city",
    "district",
    "note",
]


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


def policies_in_force(county: County, line: str, day: dt.date) -> QuerySet[SubsidyPolicy]:
    in_force = SubsidyPolicy.objects.filter(county=county, line=line, valid_from__lte=day)
    return in_force.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).order_by("-valid_from")


def policy_in_force(county: County, line: str, day: dt.date) -> SubsidyPolicy:
    policy = policies_in_force(county, line, day).first()
    if policy is None:
        raise ValidationError(
            f"{county.name}没有{day:%Y年%m月}适用的{Line(line).label}岗位补贴标准，请先在系统管理中设置"
        )
    return policy


def start(run: PayrollRun, actor: User | None = None) -> PayrollRun:
    """Flip the run to 计算中 under its row lock as a new attempt started by `actor` (None: the
    scheduled job or a command), or say why it cannot be computed now. A run silent for
    PAYROLL_STALE_MINUTES (its worker died) may start again."""
    month_open_check(run.month)
    with transaction.atomic():
        run = PayrollRun.objects.select_for_update().get(pk=run.pk)
        note = ""
        if run.state == State.COMPUTING:
            if not stalled(run):
                raise ValidationError(f"{run}正在计算，请稍后查看结果")
            note = f"上次计算（第{run.attempt}次）已中断，已重新开始"
        if run.state in (State.APPROVED, State.LOCKED):
            raise ValidationError(f"{run}已{run.get_state_display()}，不能重新计算")
        now = timezone.now()
        run.state, run.error, run.started_at, run.heartbeat_at = State.COMPUTING, note, now, now
        run.attempt += 1
        run.progress_done = run.progress_total = 0
        run.started_by = actor
        run.save(
            update_fields=[
                "started_by",
                "state",
                "error",
                "started_at",
                "heartbeat_at",
                "attempt",
                "progress_done",
                "progress_total",
            ]
        )
    return run


def stalled(run: PayrollRun) -> bool:
    """Whether a computing run has shown no sign of life for PAYROLL_STALE_MINUTES."""
    last = run.heartbeat_at or run.started_at
    quiet = dt.timedelta(minutes=settings.PAYROLL_STALE_MINUTES)
    return run.state == State.COMPUTING and (last is None or timezone.now() - last > quiet)


def beat(run: PayrollRun, **progress: object) -> bool:
    """Record progress of this attempt; False when a later attempt has superseded it."""
    attempt = PayrollRun.objects.filter(pk=run.pk, attempt=run.attempt, state=State.COMPUTING)
    return attempt.update(heartbeat_at=timezone.now(), **progress) == 1


def fail(run: PayrollRun, message: str) -> None:
    """Mark this attempt failed with the reason (a superseded attempt changes nothing)."""
    if PayrollRun.objects.filter(pk=run.pk, attempt=run.attempt).update(state=State.FAILED, error=message):
        _record_state(run, State.FAILED, {"error": message})


@dataclass(frozen=True)
class Active:
    """One placement's facts for a month, read as plain values."""

    pk: int
    township_id: int
    line: str
    on_post: dt.date
    exit: dt.date | None
    subsidy_end: dt.date | None  # Placement.subsidy_until; None (never stored) pays no day
    legacy_pay: Decimal | None = None  # old terms (新老衔接): this monthly amount, all the district's
    agreed_from: dt.date | None = None  # the first agreement's start; None: no agreement, no day paid
    agreed_until: dt.date | None = None  # the last agreement's end (renewals follow on: no gaps)


def agreed_span(placements: QuerySet) -> QuerySet:
    """The placements with the span their application's agreements cover (agreed_from,
    agreed_until): agreements of an application are consecutive, each renewal starting the day
    after the last one ends (placements.terms.agreement_renew), so the span is what they cover."""
    return placements.annotate(
        agreed_from=Min("application__agreements__start_date"),
        agreed_until=Max("application__agreements__end_date"),
    )


def active_placements(
    county: County, first: dt.date, last: dt.date, townships: list[int] | None = None
) -> list[Active]:
    """Placements on post at some day of the month, with their stored subsidy end
    (Placement.subsidy_until, kept by placements.terms.stored_terms_refresh) and the span of
    their agreements (no agreement, no pay: docs/policy.md §8.11). One query."""
    rows = on_post_during(first).filter(township__county=county)
    if townships is not None:
        rows = rows.filter(township_id__in=townships)
    values = agreed_span(rows).values_list(
        "pk",
        "township_id",
        "line",
        "on_post_date",
        "exit_date",
        "subsidy_until",
        "legacy_pay",
        "agreed_from",
        "agreed_until",
    )
    return [Active(*row) for row in values]


def legacy_month(pay: Decimal) -> Shares:
    """An old agreement's full month: its monthly amount, borne by the district (existing channels)."""
    return Shares(pay, ZERO, ZERO, pay)


def line_values(
    run_id: int,
    item: Active,
    first: dt.date,
    last: dt.date,
    full: Shares,
    required: int,
    attendance: tuple[int, bool, str] | None,
) -> tuple | None:
    """The payroll line of one placement for the month, or None when no day of it is paid: a
    day is paid while on post, within the subsidy period and covered by an agreement."""
    start_day = max(first, item.on_post, item.agreed_from or first)
    end_day = min(
        last, item.exit or last, item.subsidy_end or first - ONE_DAY, item.agreed_until or first - ONE_DAY
    )
    if end_day < start_day:
        return None
    days_in_month = last.day
    days_on = (end_day - start_day).days + 1
    note = ""
    numerator, denominator = days_on, days_in_month
    attended = required if days_on == days_in_month else half_up(Decimal(required * days_on) / days_in_month)
    if attendance is not None:
        attended, withheld, note = attendance
        if withheld:
            zero = Decimal("0.00")
            head = (run_id, item.pk, item.township_id, item.line, "regular", days_on, attended, Decimal(0))
            return (*head, zero, zero, zero, zero, f"暂停发放：{note}"[:200])
        if attended < required:
            numerator, denominator = attended, required
    shares = part_month(full, numerator, denominator)
    fraction = Decimal(min(numerator, denominator)) / Decimal(denominator)
    return (
        run_id,
        item.pk,
        item.township_id,
        item.line,
        "regular",
        days_on,
        attended,
        fraction.quantize(Decimal("0.000001")),
        shares.pay,
        shares.province,
        shares.city,
        shares.district,
        note[:200],
    )


# Within one computation (compute_started) a month's policies and minimum wage are read once,
# not again for each township and each earlier month its adjustments settle.
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


def month_lines(run_id: int, county: County, first: dt.date, townships: list[int] | None) -> list[tuple]:
    """The regular lines a month gives on today's data (placements, attendance, policies)."""
    last = month_last(first)
    items = active_placements(county, first, last, townships)
    full, required = month_policies(county, first, {item.line for item in items})
    marks = Attendance.objects.filter(month=first, placement__township__county=county)
    if townships is not None:
        marks = marks.filter(placement__township_id__in=townships)
    attendance = {
        pk: (days, withheld, note)
        for pk, days, withheld, note in marks.values_list("placement_id", "days", "withheld", "note")
    }
    rows = []
    for item in items:
        shares = full[item.line] if item.legacy_pay is None else legacy_month(item.legacy_pay)
        values = line_values(run_id, item, first, last, shares, required[item.line], attendance.get(item.pk))
        if values is not None:
            rows.append(values)
    return rows


ADJUSTMENT_FIELDS = [*LINE_FIELDS, "corrects_month"]
MONEY = slice(8, 12)  # pay, province, city, district in a line's values


def adjustments(run: PayrollRun, townships: list[int] | None) -> list[tuple]:
    """补发 / 扣回 lines for earlier locked months whose amounts today's data would change: the
    difference between what the month gives now and what was paid for it (its lines and the
    adjustments already made in other locked months), per placement and share."""
    rows = []
    for earlier in locked_before(run):
        expected = {
            v[1]: (v[2], v[3], v[8:12]) for v in month_lines(run.pk, run.county, earlier.month, townships)
        }
        paid: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal("0.00")] * 4)
        where = {"township_id__in": townships} if townships is not None else {}
        already = PayrollLine.objects.filter(
            Q(run=earlier, kind=PayrollLine.Kind.REGULAR)
            | Q(corrects_month=earlier.month, run__state=State.LOCKED, run__county=run.county),
            **where,
        ).values_list("placement_id", "township_id", "line", "pay", "province", "city", "district")
        places: dict[int, tuple[int, str]] = {}
        for placement_id, township_id, line, *money in already:
            places[placement_id] = (township_id, line)
            paid[placement_id] = [a + b for a, b in zip(paid[placement_id], money, strict=True)]
        for placement_id in (set(expected) | set(paid)) - imported_after_lock(earlier, townships):
            township_id, line, now = expected.get(placement_id, (*places.get(placement_id, (0, "")), None))
            target = list(now) if now is not None else [Decimal("0.00")] * 4
            diff = [a - b for a, b in zip(target, paid[placement_id], strict=True)]
            if not any(diff):
                continue
            kind = PayrollLine.Kind.BACK_PAY if diff[0] >= 0 else PayrollLine.Kind.RECOVERY
            label = "补发" if kind == PayrollLine.Kind.BACK_PAY else "扣回"
            rows.append(
                (
                    run.pk,
                    placement_id,
                    township_id,
                    line,
                    kind,
                    0,
                    0,
                    Decimal(0),
                    *diff,
                    f"{label}{earlier.month:%Y年%m月}",
                    earlier.month,
                )
            )
    return rows


def imported_after_lock(earlier: PayrollRun, townships: list[int] | None) -> set[int]:
    """新老衔接 placements imported after `earlier` was locked: the old system paid that month,
    so it gets no 补发 here (as payroll_sql.ADJUST_SQL)."""
    if earlier.locked_at is None:
        return set()
    found = Placement.objects.filter(migrated=True, application__created_at__gt=earlier.locked_at)
    if townships is not None:
        found = found.filter(township_id__in=townships)
    return set(found.values_list("pk", flat=True))


def locked_before(run: PayrollRun) -> list[PayrollRun]:
    """The county's locked months of the last 12 months before the run's, which adjustments correct."""
    locked = PayrollRun.objects.filter(county=run.county, state=State.LOCKED, month__lt=run.month)
    return list(locked.filter(month__gte=add_months(run.month, -12)).order_by("month"))


def compute(run: PayrollRun, townships: list[int] | None = None) -> int:
    """Compute the run's lines (all townships, or the given ones): the month's regular lines and
    the adjustments for earlier locked months, replacing the old ones in one transaction. The
    run must have been started (start()). On PostgreSQL both are set-based statements
    (subsidies.payroll_sql); elsewhere the same rules run here in Python."""
    if connection.vendor == "postgresql":
        return compute_in_database(run, townships)
    rows = month_lines(run.pk, run.county, run.month, townships)
    corrections = adjustments(run, townships)
    if townships is None:
        townships = list(run.county.townships.values_list("pk", flat=True))
    lines = [dict(zip(LINE_FIELDS, row, strict=True)) for row in rows]
    lines += [dict(zip(ADJUSTMENT_FIELDS, row, strict=True)) for row in corrections]
    with transaction.atomic():
        payroll_audit.apply_python(run, townships, lines)
    return len(lines)


def sql_params(run: PayrollRun, first: dt.date, townships: list[int] | None) -> dict:
    """The parameters of payroll_sql's statements for month `first` of the run's county."""
    county = run.county
    if townships is None:
        townships = list(county.townships.values_list("pk", flat=True))
    # A line without a policy in force is an error only when someone is on post in it; the query
    # that finds out (a scan of the townships' placements) runs only then.
    active = on_post_during(first).filter(township_id__in=townships)
    with_policy = _remember(
        ("lines", county.pk, first),
        lambda: {line for line in Line.values if policies_in_force(county, line, first).exists()},
    )
    without = set(Line.values) - with_policy
    lines = with_policy | {line for line in without if active.filter(line=line).exists()}
    full, required = month_policies(county, first, lines)
    return payroll_sql.month_params(county, first, townships, full, required)


def compute_in_database(run: PayrollRun, townships: list[int] | None) -> int:
    params = sql_params(run, run.month, townships)
    earlier = [(e, sql_params(run, e.month, townships)) for e in locked_before(run)]
    with transaction.atomic():
        payroll_sql.new_lines_start()
        count = payroll_sql.month_insert(run.pk, params)
        for locked, locked_params in earlier:
            count += payroll_sql.adjustments_insert(run.pk, locked, locked_params)
        payroll_audit.apply(run, params["townships"])
    return count


def compute_run(run: PayrollRun, actor: User | None = None) -> PayrollRun:
    """Start and compute a whole run in this process (the --sync path), township by township so
    that the run's page shows progress. A failure leaves the run 计算失败 with the reason; a
    re-run replaces every line, so nothing is left half-done."""
    return compute_started(start(run, actor))


def compute_started(run: PayrollRun) -> PayrollRun:
    """Compute a run that start() has flipped to 计算中 (here or in a Celery worker): the
    checks first, then the lines township by township."""
    from .checks import findings_refresh

    findings_refresh(run)
    townships = list(run.county.townships.order_by("code").values_list("pk", flat=True))
    if not beat(run, progress_total=len(townships)):
        return run  # superseded by a later attempt: that one computes
    count = 0
    try:
        with policies_remembered():
            for done, township in enumerate(townships, start=1):
                count += compute(run, [township])
                if not beat(run, progress_done=done):
                    return run
    except ValidationError as exc:
        fail(run, "；".join(exc.messages))
        raise
    except Exception as exc:  # recorded on the run for finance to see, then re-raised
        fail(run, f"计算出错：{exc}")
        raise
    finish(run, count)
    run.refresh_from_db()
    return run


def finish(run: PayrollRun, count: int) -> None:
    """Mark this attempt's run computed with its lines' sums per party (a superseded attempt
    changes nothing)."""
    if PayrollRun.objects.filter(pk=run.pk, attempt=run.attempt, state=State.COMPUTING).update(
        state=State.COMPUTED, computed_at=timezone.now(), error="", **run_totals(run.pk)
    ):
        _record_state(run, State.COMPUTED, {"lines": count})


def run_totals(run_id: int) -> dict[str, object]:
    """PayrollRun's stored sums of its lines (line_count, province_total, city_total, district_total):
    one aggregate over the run's lines."""
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
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    if run.state != State.COMPUTED:
        raise ValidationError(f"只有已计算的月份可以审核（当前：{run.get_state_display()}）")
    from .checks import open_blocking

    second_person_check(run, actor, "审核")
    if changed := attendance_changed_since(run):
        raise ValidationError(f"计算之后有{changed}条考勤记录有变动，请重新计算该月后再审核")
    blocking = open_blocking(run)
    if blocking:
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
    earlier months its adjustments settle, recorded after its computation started."""
    since = run.started_at or run.computed_at  # the lines read the attendance when it started
    if run.computed_at is None or since is None:
        return 0
    marks = Attendance.objects.filter(
        placement__township__county=run.county_id,
        recorded_at__gt=since,
        month__lte=run.month,
        month__gte=add_months(run.month, -12),
    )
    return marks.count()


@transaction.atomic
def lock(run: PayrollRun, actor: User) -> PayrollRun:
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    if run.state != State.APPROVED:
        raise ValidationError(f"只有已审核的月份可以锁定（当前：{run.get_state_display()}）")
    second_person_check(run, actor, "锁定")
    run.state, run.locked_by, run.locked_at = State.LOCKED, actor, timezone.now()
    run.save(update_fields=["state", "locked_by", "locked_at"])
    payees_freeze(run)
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
