"""Amounts to recover (待扣回, docs/policy.md §9.11): a locked month's net below 0 is not paid; it
is kept per person and township as a Recovery and deducted from the person's next nets as
batches of later months are made (oldest first, as much as each net allows), or settled by a
repayment the person makes, recorded by finance. A settlement splits into the parties' shares
as the recovery does (the province and city shares in proportion, rounded to the fen; the
district the rest; the last settlement takes what is left of each), so that every party's
amounts reconcile to the fen."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, QuerySet, Sum

from common.bulk import insert_rows, update_rows
from townships.access import membership_of
from townships.models import County, Role

from .models import Recovery, Settlement

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PARTIES = ("province", "city", "district")


@dataclass
class Deduction:
    """What a fresh net gives up to earlier recoveries: the amount, its shares, the settlements."""

    amount: Decimal = ZERO
    shares: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(PARTIES, ZERO))
    settlements: list[tuple[int, Decimal, dict[str, Decimal]]] = field(default_factory=list)


def open_recoveries(county: County, before: dt.date | None = None) -> QuerySet[Recovery]:
    """The county's recoveries not yet settled (of months before `before`, when given), oldest first."""
    found = Recovery.objects.filter(county=county, settled__lt=F("amount"))
    if before is not None:
        found = found.filter(run__month__lt=before)
    return found.order_by("run__month", "pk")


def _settled_shares(ids: Iterable[int]) -> dict[int, dict[str, Decimal]]:
    sums = (
        Settlement.objects.filter(recovery_id__in=list(ids))
        .values("recovery_id")
        .annotate(**{p: Sum(p) for p in PARTIES})
    )
    return {row["recovery_id"]: {p: (row[p] or ZERO).quantize(CENT) for p in PARTIES} for row in sums}


def split(recovery: Recovery, amount: Decimal, settled: dict[str, Decimal]) -> dict[str, Decimal]:
    """The shares of `amount` settled of `recovery` (see the module's contract)."""
    if amount == recovery.balance:
        return {p: getattr(recovery, p) - settled.get(p, ZERO) for p in PARTIES}
    province = (recovery.province * amount / recovery.amount).quantize(CENT, ROUND_HALF_UP)
    city = (recovery.city * amount / recovery.amount).quantize(CENT, ROUND_HALF_UP)
    return {"province": province, "city": city, "district": amount - province - city}


def deductions_plan(
    county: County, month: dt.date, nets: dict[int, list[tuple[int, Decimal]]]
) -> dict[int, Deduction]:
    """For the fresh nets of `month` (person id → [(item id, net)]), what each item gives up to
    the person's recoveries of earlier months. Reads only; deductions_write records it."""
    persons = list(nets)
    locked = open_recoveries(county, month).filter(person_id__in=persons).select_for_update(of=("self",))
    recoveries = list(locked) if persons else []  # locked: another making waits, then sees what is left
    settled = _settled_shares(r.pk for r in recoveries)
    plans: dict[int, Deduction] = defaultdict(Deduction)
    by_person: dict[int, list[Recovery]] = defaultdict(list)
    for recovery in recoveries:
        by_person[recovery.person_id].append(recovery)
    for person, owed in by_person.items():
        items = [item for item, _ in nets[person]]
        left = [net for _, net in nets[person]]
        for recovery in owed:
            for i, item in enumerate(items):
                if recovery.balance == 0:
                    break
                taken = min(left[i], recovery.balance)
                if taken <= 0:
                    continue
                shares = split(recovery, taken, settled.get(recovery.pk, {}))
                for p in PARTIES:
                    settled.setdefault(recovery.pk, dict.fromkeys(PARTIES, ZERO))[p] += shares[p]
                recovery.settled += taken
                left[i] -= taken
                plan = plans[item]
                plan.amount += taken
                for p in PARTIES:
                    plan.shares[p] += shares[p]
                plan.settlements.append((recovery.pk, taken, shares))
    return dict(plans)


def deductions_write(plans: dict[int, Deduction], *, on: dt.date, actor: User) -> None:
    """Record the planned deductions: a Settlement each, and each recovery's settled sum."""
    rows: list[list] = []
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for item, plan in plans.items():
        for recovery, amount, shares in plan.settlements:
            note = "生成代发批次时从实发金额中扣回"
            rows.append(
                [
                    recovery,
                    Settlement.Kind.DEDUCTED,
                    item,
                    amount,
                    *(shares[p] for p in PARTIES),
                    on,
                    note,
                    actor.pk,
                ]
            )
            totals[recovery] += amount
    names = ["recovery_id", "kind", "item_id", "amount", *PARTIES, "date", "note", "recorded_by_id"]
    insert_rows(Settlement, names, rows)
    current = dict(Recovery.objects.filter(pk__in=list(totals)).values_list("pk", "settled"))
    update_rows(Recovery, ["id", "settled"], [[pk, current[pk] + amount] for pk, amount in totals.items()])


@transaction.atomic
def repayment_record(
    *, recovery: Recovery, amount: Decimal, on: dt.date, note: str, actor: User
) -> Settlement:
    """The person paid back (part of) an amount to recover; finance of the county records it."""
    membership = membership_of(actor)
    recovery = Recovery.objects.select_for_update().select_related("county").get(pk=recovery.pk)
    if membership is None or membership.role != Role.FINANCE or membership.county_id != recovery.county_id:
        raise ValidationError("只有本区县的财务人员可以登记退回")
    if amount is None or amount <= 0:
        raise ValidationError("退回金额须大于0")
    amount = amount.quantize(CENT)
    if amount > recovery.balance:
        raise ValidationError(f"退回金额{amount}元超过尚未扣回的{recovery.balance}元")
    if not note.strip():
        raise ValidationError("请填写说明（如退回凭证号）")
    shares = split(recovery, amount, _settled_shares([recovery.pk]).get(recovery.pk, {}))
    settlement = Settlement(
        recovery=recovery,
        kind=Settlement.Kind.REPAID,
        amount=amount,
        date=on,
        note=note.strip(),
        recorded_by=actor,
        **shares,
    )
    settlement.full_clean()
    settlement.save()
    recovery.settled += amount
    recovery.save(update_fields=["settled"])
    return settlement


def township_outstanding(county: County) -> list[dict]:
    """Per township: the people and amount still to recover (listed until settled)."""
    rows = (
        open_recoveries(county)
        .values("township__code", "township__name")
        .annotate(amount=Sum(F("amount") - F("settled")), people=Count("person", distinct=True))
        .order_by("township__code")
    )
    return list(rows)
