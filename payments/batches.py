"""Payment batches (代发批次, docs/policy.md §9.11): from a locked month, one batch per bank of the
month's nets above 0 (subsidies.payment.nets: the month's pay, back-pay and any other line kind,
less recoveries), less what earlier months' nets below 0 still owe (payments.recoveries), and of
the failed lines whose account has been corrected since. A batch is made by one finance user
and approved by another, never its maker, before its files are taken; the bank's return closes
it (payments.returns). Moves: MOVES, checked by move_check, each recorded (audit)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.utils import timezone

from common.bulk import insert_rows, update_rows
from subsidies.models import PayrollRun
from subsidies.payment import NET_FIELDS, nets
from townships.access import membership_of
from townships.models import County, Role, Township

from .banks import BankMatcher, banks_ensure
from .models import Bank, Batch, Item, Line, Recovery
from .recoveries import PARTIES, ZERO, Deduction, deductions_plan, deductions_write, open_recoveries

State = Batch.State
# The allowed moves and what each is called: a second finance user approves; the return closes.
MOVES: dict[tuple[str, str], str] = {
    (State.MADE, State.APPROVED): "审核",
    (State.APPROVED, State.RETURNED): "回盘",
}
Progress = Callable[[int, int], None]
ITEM_FIELDS = (
    "pk",
    "township_id",
    "person_id",
    "name",
    "id_number",
    "account",
    "bank_name",
    "village",
    "township__name",
    "net",
    "amount",
    "province",
    "city",
    "district",
)


def item_state() -> Case:
    """An item's state as pages and the reconciliation read it: stored, except that an item in
    a returned batch (not named as failed by the return) is paid, or repaid after an earlier
    failure (its reason kept). The one definition: a return writes only its failures."""
    returned = Q(state=Item.State.IN_BATCH, batch__state=State.RETURNED)
    return Case(
        When(returned & Q(reason=""), then=Value(Item.State.PAID)),
        When(returned, then=Value(Item.State.REPAID)),
        default=F("state"),
    )


def line_state() -> Case:
    """A line's state: 失败 where the return named it, 成功 once its batch's return is in, else 待回盘."""
    return Case(
        When(state=Line.State.FAILED, then=Value(Line.State.FAILED)),
        When(batch__state=State.RETURNED, then=Value(Line.State.PAID)),
        default=Value(Line.State.SENT),
    )


def move_check(batch: Batch, to: str) -> None:
    """ValidationError saying why `batch` cannot move to `to` now, per MOVES."""
    if (batch.state, to) in MOVES:
        return
    current = batch.get_state_display()
    if to == State.APPROVED:
        raise ValidationError(f"只有待审核的批次可以审核（当前：{current}）")
    raise ValidationError(f"只有已审核、尚未回盘的批次可以导入回盘文件（当前：{current}）")


def finance_check(actor: User, county_id: int, act: str) -> None:
    membership = membership_of(actor)
    if membership is None or membership.role != Role.FINANCE or membership.county_id != county_id:
        raise ValidationError(f"只有本区县的财务人员可以{act}")


@dataclass(slots=True)
class Pay:
    """An item as a making handles it (new: not yet written)."""

    id: int
    township_id: int
    person_id: int
    name: str
    id_number: str
    account: str
    bank_name: str
    village: str
    township_name: str
    net: Decimal
    amount: Decimal
    province: Decimal
    city: Decimal
    district: Decimal
    new: bool = False


@dataclass
class Group:
    """A bank's part of a making: its fresh items, and failed items to pay again."""

    bank: Bank
    fresh: list[Pay]
    retry: list[Pay]
    batch: Batch | None = None  # once written


def _new_ids(n: int) -> list[int]:
    """`n` primary keys for new items, taken from the table's sequence (the run's row lock is
    held: on SQLite, which has no sequence, after the largest id, writes being serialised)."""
    if n == 0:
        return []
    table = Item._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + n))


def _fresh(run: PayrollRun) -> list[Pay]:
    """The month's items not yet in a batch. The first making reads the month's nets
    (subsidies.payment.nets: one grouped query) and writes each net below 0 as a Recovery; its
    items (nets above 0) are new, written once with their batch; a later making reads the items
    left (已核算) from an earlier making of some banks only."""
    if Item.objects.filter(run=run).exists() or Recovery.objects.filter(run=run).exists():
        left = Item.objects.filter(run=run, state=Item.State.COMPUTED).order_by(
            "township__code", "village", "name", "pk"
        )
        return [Pay(*row) for row in left.values_list(*ITEM_FIELDS).iterator(chunk_size=5000)]
    names = dict(Township.objects.filter(county=run.county_id).values_list("pk", "name"))
    fresh, recoveries = [], []
    net_at = NET_FIELDS.index("net")
    for row in nets(run).values_list(*NET_FIELDS, "placement__person_id").iterator(chunk_size=5000):
        township, village, name, id_number, bank, account = row[:6]
        net, shares, person = row[net_at], row[net_at + 1 : net_at + 4], row[-1]
        if net > 0:
            text = (name, id_number, account or "", bank or "", village or "", names[township])
            province, city, district = shares
            fresh.append(Pay(0, township, person, *text, net, net, province, city, district, new=True))
        elif net < 0:
            recoveries.append([run.county_id, run.pk, township, person, -net, *(-s for s in shares)])
    insert_rows(Recovery, ["county_id", "run_id", "township_id", "person_id", "amount", *PARTIES], recoveries)
    for pay, pk in zip(fresh, _new_ids(len(fresh)), strict=True):
        pay.id = pk
    return fresh


def _retries(county: County) -> list[Pay]:
    """The county's failed items whose person's account has changed since (confirmed by two
    people, docs/policy.md §10), paid to the person's current name, account and bank."""
    failed = Item.objects.filter(run__county=county, state=Item.State.FAILED).order_by("run__month", "pk")
    # locked: a making of another month at the same time waits, then finds them in its batch
    failed = failed.select_for_update(of=("self",))
    retry = []
    for row in failed.values_list(*ITEM_FIELDS, "person__name", "person__bank_account", "person__bank_name"):
        pay = Pay(*row[:-3])
        name, account, bank = row[-3:]
        if account and account != pay.account:
            pay.name, pay.account, pay.bank_name = name, account, bank
            retry.append(pay)
    return retry


def _groups(run: PayrollRun, fresh: list[Pay], bank: Bank | None) -> list[Group]:
    matcher = BankMatcher(banks_ensure(run.county))
    groups: dict[int, Group] = {}
    unknown: dict[str, int] = defaultdict(int)
    for kind, pays in (("fresh", fresh), ("retry", _retries(run.county))):
        for pay in pays:
            found = matcher(pay.bank_name)
            if found is None:
                unknown[pay.bank_name or "（未填写）"] += 1
                continue
            group = groups.setdefault(found.pk, Group(found, [], []))
            getattr(group, kind).append(pay)
    if unknown:
        named = "、".join(f"{name}（{count}人）" for name, count in sorted(unknown.items()))
        raise ValidationError(
            f"以下开户银行不在本区县的代发银行表中：{named}。请区县管理员在后台「代发银行」中添加该银行或别名后再生成。"
        )
    chosen = [g for g in groups.values() if bank is None or g.bank.pk == bank.pk]
    if not chosen:
        where = f"{bank.name}" if bank else ""
        raise ValidationError(
            f"{run}没有待生成{where}代发批次的明细：已生成的批次不能重复生成（失败的明细在更正银行账号后才能重新发放）"
        )
    return sorted(chosen, key=lambda g: g.bank.name)


@transaction.atomic
def batches_make(
    *,
    run: PayrollRun,
    actor: User,
    pay_date: dt.date,
    bank: Bank | None = None,
    progress: Progress | None = None,
) -> list[Batch]:
    """One batch per bank (or only `bank`'s) of the locked month's items not yet in a batch and
    of the county's failed items whose account has been corrected; each fresh item first gives
    up what earlier recoveries of its person still owe. Refused, with nothing written, for a
    month not locked, a bank not in the county's table, or nothing left to pay. Writes: the
    month's recoveries, the batches, their items (new ones inserted once, with their batch) and
    lines, each by COPY on PostgreSQL; no row is written twice."""
    run = PayrollRun.objects.select_for_update().select_related("county").get(pk=run.pk)
    finance_check(actor, run.county_id, "生成代发批次")
    if run.state != PayrollRun.State.LOCKED:
        raise ValidationError(f"只有已锁定的月份可以生成代发批次（{run}当前：{run.get_state_display()}）")
    if progress:
        progress(0, 3)
    fresh = _fresh(run)
    groups = _groups(run, fresh, bank)
    if progress:
        progress(1, 3)
    plans = _deductions(run, groups)
    made = [b for g in groups if (b := _batch_write(run, g, actor, pay_date)) is not None]
    if not made:
        raise ValidationError(f"{run}的实发金额已全部用于扣回，没有需要银行发放的明细")
    _items_write(run, fresh, groups)
    deductions_write(plans, on=pay_date, actor=actor)  # after the items its settlements name
    if progress:
        progress(3, 3)
    return made


def _deductions(run: PayrollRun, groups: list[Group]) -> dict[int, Deduction]:
    """Take what earlier recoveries are owed from the fresh items of the chosen banks."""
    owing = set(open_recoveries(run.county, run.month).values_list("person_id", flat=True))
    fresh: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    by_id: dict[int, Pay] = {}
    for group in groups:
        for pay in group.fresh:
            if pay.person_id in owing:
                fresh[pay.person_id].append((pay.id, pay.amount))
                by_id[pay.id] = pay
    plans = deductions_plan(run.county, run.month, dict(fresh))
    for pk, plan in plans.items():
        pay = by_id[pk]
        pay.amount -= plan.amount
        pay.province, pay.city, pay.district = (getattr(pay, p) - plan.shares[p] for p in PARTIES)
    return plans


def _batch_write(run: PayrollRun, group: Group, actor: User, pay_date: dt.date) -> Batch | None:
    pays = [p for p in group.fresh + group.retry if p.amount > 0]
    if not pays:
        return None
    total = sum((p.amount for p in pays), ZERO)
    batch = Batch.objects.create(
        county=run.county,
        run=run,
        bank=group.bank,
        pay_date=pay_date,
        line_count=len(pays),
        total=total,
        made_by=actor,
    )
    lines = [
        [
            batch.pk,
            p.id,
            seq,
            p.name,
            p.id_number,
            p.account,
            p.bank_name,
            p.township_name,
            p.village,
            p.amount,
        ]
        for seq, p in enumerate(pays, start=1)
    ]
    names = [
        "batch_id",
        "item_id",
        "seq",
        "name",
        "id_number",
        "account",
        "bank_name",
        "township_name",
        "village",
        "amount",
    ]
    insert_rows(Line, names, lines)
    group.batch = batch
    return batch


ITEM_COLUMNS = [
    "id",
    "run_id",
    "township_id",
    "person_id",
    "state",
    "batch_id",
    "name",
    "id_number",
    "account",
    "bank_name",
    "village",
    "net",
    "amount",
    *PARTIES,
]


def _items_write(run: PayrollRun, fresh: list[Pay], groups: list[Group]) -> None:
    """Every item once: new ones inserted with their state and batch, earlier ones updated (a
    wholly recovered item is paid, without a line)."""
    where: dict[int, tuple[str, int | None]] = {}
    for group in groups:
        for pay in group.fresh + group.retry:
            paid_off = pay.amount == 0 or group.batch is None
            where[pay.id] = (Item.State.PAID, None) if paid_off else (Item.State.IN_BATCH, group.batch.pk)  # type: ignore[union-attr]  # not paid off: the group has its batch
    new, changed = [], []
    for pay in fresh + [p for g in groups for p in g.retry]:
        state, batch_id = where.get(pay.id, (Item.State.COMPUTED, None))
        values = [
            state,
            batch_id,
            pay.name,
            pay.id_number,
            pay.account,
            pay.bank_name,
            pay.village,
            pay.net,
            pay.amount,
        ]
        values += [pay.province, pay.city, pay.district]
        if pay.new:
            new.append([pay.id, run.pk, pay.township_id, pay.person_id, *values])
        elif pay.id in where:
            changed.append([pay.id, *values])
    insert_rows(Item, ITEM_COLUMNS, new)
    update_rows(Item, ["id", *ITEM_COLUMNS[4:]], changed)


@transaction.atomic
def batch_approve(*, batch: Batch, actor: User) -> Batch:
    """A second finance user of the county approves the batch: never its maker (docs/policy.md §9.11)."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    finance_check(actor, batch.county_id, "审核代发批次")
    move_check(batch, State.APPROVED)
    if actor.pk == batch.made_by_id:
        raise ValidationError("代发批次由您生成，须由另一名财务人员审核（双人审核）")
    batch.state, batch.approved_by, batch.approved_at = State.APPROVED, actor, timezone.now()
    batch.save(update_fields=["state", "approved_by", "approved_at"])
    return batch


def download_check(batch: Batch) -> None:
    """A batch's files are taken only once it is approved."""
    if batch.state == State.MADE:
        raise ValidationError("代发批次须经另一名财务人员审核后才能下载文件")


def batch_totals(batch: Batch) -> list[dict]:
    """Per township of the batch: lines and amount (the batch page)."""
    rows = batch.lines.values("township_name").annotate(lines=Count("id"), amount=Sum("amount"))
    return list(rows.order_by("township_name"))


def pending_count(run: PayrollRun) -> int:
    """Items of a month not yet in a batch (COMPUTED)."""
    return Item.objects.filter(run=run, state=Item.State.COMPUTED).count()
