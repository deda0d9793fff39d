"""Payment batches (代发批次, docs/policy.md §16.6): from a locked month, one batch per bank of the
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
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from common.bulk import insert_rows, update_rows
from subsidies.models import PayrollRun
from subsidies.payment import NET_FIELDS, nets
from townships.access import membership_of
from townships.models import County, Role

from .banks import BankMatcher, banks_ensure
from .models import Bank, Batch, Item, Line, Recovery
from .recoveries import PARTIES, ZERO, deductions_plan, deductions_write, open_recoveries

State = Batch.State
# The allowed moves and what each is called: a second finance user approves; the return closes.
MOVES: dict[tuple[str, str], str] = {
    (State.MADE, State.APPROVED): "审核",
    (State.APPROVED, State.RETURNED): "回盘",
}
Progress = Callable[[int, int], None]
ITEM_FIELDS = (
    "pk", "township_id", "person_id", "name", "id_number", "account", "bank_name", "village",
    "township__name", "amount", "province", "city", "district",
)  # fmt: skip


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


@dataclass
class Group:
    """A bank's part of a making: its fresh items, and failed items to pay again."""

    bank: Bank
    fresh: list[tuple]
    retry: list[tuple]


def items_materialise(run: PayrollRun) -> int:
    """Once per locked month: an Item for each net above 0 and a Recovery for each net below 0
    (a net of 0 is neither). One grouped query over the month's lines, two bulk writes."""
    if Item.objects.filter(run=run).exists() or Recovery.objects.filter(run=run).exists():
        return 0
    items, recoveries = [], []
    net_at = NET_FIELDS.index("net")
    for row in nets(run).values_list(*NET_FIELDS, "placement__person_id").iterator(chunk_size=5000):
        township, village, name, id_number, bank, account = row[:6]
        net, shares, person = row[net_at], row[net_at + 1 : net_at + 4], row[-1]
        if net > 0:
            items.append(
                [
                    run.pk,
                    township,
                    person,
                    name,
                    id_number,
                    account or "",
                    bank or "",
                    village or "",
                    net,
                    net,
                    *shares,
                ]
            )
        elif net < 0:
            recoveries.append([run.county_id, run.pk, township, person, -net, *(-s for s in shares)])
    names = [
        "run_id",
        "township_id",
        "person_id",
        "name",
        "id_number",
        "account",
        "bank_name",
        "village",
        "net",
        "amount",
        *PARTIES,
    ]
    insert_rows(Item, names, items)
    insert_rows(Recovery, ["county_id", "run_id", "township_id", "person_id", "amount", *PARTIES], recoveries)
    return len(items)


def _retries(county: County) -> list[tuple]:
    """The county's failed items whose person's account has changed since (confirmed by two
    people, docs/policy.md §10), as ITEM_FIELDS with the person's current name, account and bank."""
    failed = Item.objects.filter(run__county=county, state=Item.State.FAILED).order_by("run__month", "pk")
    rows = failed.values_list(*ITEM_FIELDS, "person__name", "person__bank_account", "person__bank_name")
    retry = []
    for row in rows:
        *item, name, account, bank = row
        if account and account != item[5]:
            item[3], item[5], item[6] = name, account, bank
            retry.append(tuple(item))
    return retry


def _groups(run: PayrollRun, bank: Bank | None) -> list[Group]:
    matcher = BankMatcher(banks_ensure(run.county))
    fresh = Item.objects.filter(run=run, state=Item.State.COMPUTED).order_by(
        "township__code", "village", "name", "pk"
    )
    groups: dict[int, Group] = {}
    unknown: dict[str, int] = defaultdict(int)
    for kind, rows in (
        ("fresh", fresh.values_list(*ITEM_FIELDS).iterator(chunk_size=5000)),
        ("retry", _retries(run.county)),
    ):
        for row in rows:
            found = matcher(row[6])
            if found is None:
                unknown[row[6] or "（未填写）"] += 1
                continue
            group = groups.setdefault(found.pk, Group(found, [], []))
            getattr(group, kind).append(row)
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
    month not locked, a bank not in the county's table, or nothing left to pay."""
    run = PayrollRun.objects.select_for_update().select_related("county").get(pk=run.pk)
    finance_check(actor, run.county_id, "生成代发批次")
    if run.state != PayrollRun.State.LOCKED:
        raise ValidationError(f"只有已锁定的月份可以生成代发批次（{run}当前：{run.get_state_display()}）")
    if progress:
        progress(0, 3)
    items_materialise(run)
    groups = _groups(run, bank)
    if progress:
        progress(1, 3)
    plans = _deductions(run, groups, actor, pay_date)
    made = [b for g in groups if (b := _batch_write(run, g, plans, actor, pay_date)) is not None]
    if not made:
        raise ValidationError(f"{run}的实发金额已全部用于扣回，没有需要银行发放的明细")
    Item.objects.filter(pk__in=Line.objects.filter(batch__in=made).values("item_id")).update(
        state=Item.State.IN_BATCH
    )
    if progress:
        progress(3, 3)
    return made


def _deductions(run: PayrollRun, groups: list[Group], actor: User, on: dt.date) -> dict:
    owing = set(open_recoveries(run.county, run.month).values_list("person_id", flat=True))
    fresh: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for group in groups:
        for row in group.fresh:
            if row[2] in owing:
                fresh[row[2]].append((row[0], row[9]))
    plans = deductions_plan(run.county, run.month, dict(fresh))
    deductions_write(plans, on=on, actor=actor)
    at = ITEM_FIELDS.index("amount")
    changed, paid_off = [], []
    for group in groups:
        for i, row in enumerate(group.fresh):
            plan = plans.get(row[0])
            if plan is None:
                continue
            amounts = [
                row[at] - plan.amount,
                *(row[at + 1 + k] - plan.shares[p] for k, p in enumerate(PARTIES)),
            ]
            group.fresh[i] = (*row[:at], *amounts)
            changed.append([row[0], *amounts])
            if amounts[0] == 0:
                paid_off.append(row[0])
    update_rows(Item, ["id", "amount", *PARTIES], changed)
    Item.objects.filter(pk__in=paid_off).update(state=Item.State.PAID)  # wholly taken by recoveries
    return plans


def _batch_write(run: PayrollRun, group: Group, plans: dict, actor: User, pay_date: dt.date) -> Batch | None:
    rows = [r for r in group.fresh + group.retry if r[9] > 0]
    if not rows:
        return None
    total = sum((r[9] for r in rows), ZERO)
    batch = Batch.objects.create(
        county=run.county,
        run=run,
        bank=group.bank,
        pay_date=pay_date,
        line_count=len(rows),
        total=total,
        made_by=actor,
    )
    lines = [
        [batch.pk, r[0], seq, r[3], r[4], r[5], r[6], r[8], r[7], r[9], Line.State.SENT, ""]
        for seq, r in enumerate(rows, start=1)
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
        "state",
        "reason",
    ]
    insert_rows(Line, names, lines)
    # a failed item paid again goes to the account as corrected (its item keeps what was last sent)
    update_rows(Item, ["id", "name", "account", "bank_name"], [[r[0], r[3], r[5], r[6]] for r in group.retry])
    return batch


@transaction.atomic
def batch_approve(*, batch: Batch, actor: User) -> Batch:
    """A second finance user of the county approves the batch: never its maker (docs/policy.md §16.6)."""
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
