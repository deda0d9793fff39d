"""What a month pays each person (docs/policy.md §9.8): one net amount per person and township, the
sum of their lines there, i.e. the month's pay (当月补贴) plus back-pay (补发) less recoveries
(扣回). The database sums the lines per person (GROUP BY the placement's person); nothing here
walks model instances.

- A net above 0 is paid: one row of the township's payment sheet (发放表).
- A net below 0 is not paid: it is an amount to recover (待扣回), listed apart.
- A net of exactly 0 (a recovery that cancels the month's pay or a back-pay) is neither paid nor
  recovered: the sheet names those people in its note.

A person on lines of two townships of the county (a move within the month) has a net in each:
every township pays, and recovers, its own lines."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum

from .models import PayrollLine, PayrollRun, people_paid

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# The amounts of a person's net, in the sheets' order. 扣回 is the amount taken back (positive):
# net = regular + back_pay - recovery + bonus (绩效奖励, docs/policy.md §9.10). The shares add up to
# the net, as on every line.
AMOUNTS = ("regular", "back_pay", "recovery", "bonus", "net", "province", "city", "district")
# The payee: the person's values while the month is open, and those frozen on the lines at the
# lock once it is locked (payroll.payees_freeze), so a locked month's files never change.
LIVE_PAYEE = (
    "placement__person__name",
    "placement__person__id_number",
    "placement__person__bank_account",
    "placement__person__bank_name",
)
FROZEN_PAYEE = ("payee_name", "payee_id_number", "bank_account", "bank_name")
# The columns of a person's net as read by the sheets (nets' values_list), in this order.
NET_FIELDS = (
    "township_id",
    "village",
    "holder",
    "holder_id_number",
    "holder_bank",
    "holder_account",
    *AMOUNTS,
)
NET = NET_FIELDS.index("net")


def payee_fields(run: PayrollRun) -> tuple[str, ...]:
    """Name, ID number, bank account and bank of a line's payee (frozen once the month is locked)."""
    return FROZEN_PAYEE if run.state == PayrollRun.State.LOCKED else LIVE_PAYEE


def _sums() -> dict:
    kind = PayrollLine.Kind
    return {
        "regular": Sum("pay", filter=Q(kind=kind.REGULAR), default=ZERO),
        "back_pay": Sum("pay", filter=Q(kind=kind.BACK_PAY), default=ZERO),
        "recovery": Sum(-F("pay"), filter=Q(kind=kind.RECOVERY), default=ZERO),
        "bonus": Sum("pay", filter=Q(kind=kind.BONUS), default=ZERO),
        "net": Sum("pay", default=ZERO),
        "province": Sum("province", default=ZERO),
        "city": Sum("city", default=ZERO),
        "district": Sum("district", default=ZERO),
    }


def _lines(run: PayrollRun, townships: Iterable[int] | None) -> QuerySet[PayrollLine]:
    """The run's lines of `townships` (all when None), of the run's county only. The townships
    are named by id, not through a join on the county: joined, the planner expects a few hundred
    lines, and walks 100,000 in nested loops (docs/performance.md P7)."""
    ours = run.county.townships.values_list("pk", flat=True)
    if townships is not None:
        ours = ours.filter(pk__in=list(townships))
    return PayrollLine.objects.filter(run=run, township_id__in=list(ours))


def nets(run: PayrollRun, townships: Iterable[int] | None = None) -> QuerySet:
    """One row per person and township of the run (all its townships, or those given) as
    NET_FIELDS, summed by the database, ordered by township, village and name. The payee's
    values are the same on each of a person's lines (Max picks them without grouping by them);
    the village is the post's (the first by name should a person hold two posts)."""
    name, id_number, account, bank = payee_fields(run)
    grouped = _lines(run, townships).values("township_id", "placement__person_id")
    return (
        grouped.annotate(
            village=Min("placement__post__village__name"),
            holder=Max(name),
            holder_id_number=Max(id_number),
            holder_bank=Max(bank),
            holder_account=Max(account),
            **_sums(),
        )
        .order_by("township__code", "village", "holder", "placement__person_id")
        .values_list(*NET_FIELDS)
    )


def paid_nets(run: PayrollRun, townships: Iterable[int] | None = None) -> Iterator[tuple]:
    """The nets above 0 (the rows of the payment sheets), by township, streamed in chunks: one
    query for every township (per township, each query hashed the whole placement table)."""
    return nets(run, townships).filter(net__gt=0).iterator(chunk_size=2000)


@dataclass
class Payment:
    """A township's month: all its lines summed, the people paid and their sums, and the nets
    not paid (below 0: to recover; exactly 0: neither)."""

    lines: int  # payroll lines
    people: int  # 人数 (models.people_paid: placements with a regular line)
    total: dict[str, Decimal]  # AMOUNTS over all the township's lines
    paid_people: int = 0  # persons with a net above 0 (the rows of the payment sheet)
    paid: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(AMOUNTS, ZERO))
    to_recover: list[tuple] = field(default_factory=list)  # nets below 0, as NET_FIELDS
    zero: list[tuple] = field(default_factory=list)  # nets of exactly 0, as NET_FIELDS

    @cached_property
    def recover(self) -> dict[str, Decimal]:
        """The sums of the nets to recover, by amount (net and shares below 0)."""
        return {key: _sum(n[NET_FIELDS.index(key)] for n in self.to_recover) for key in AMOUNTS}


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO).quantize(CENT)


def payments(run: PayrollRun, townships: Iterable[int] | None = None) -> dict[int, Payment]:
    """Per township id (of those given, or all the run's): its Payment. Two queries over the
    run's lines: the township's sums and number of persons, and the nets of 0 or below (few);
    the paid sums are the township's less those."""
    townships = None if townships is None else list(townships)
    totals = (
        _lines(run, townships)
        .values("township_id")
        .annotate(
            lines=Count("id"),
            people=people_paid(),
            persons=Count("placement__person", distinct=True),
            **_sums(),
        )
    )
    result = {}
    for row in totals.order_by():
        total = {key: row[key].quantize(CENT) for key in AMOUNTS}
        result[row["township_id"]] = Payment(
            lines=row["lines"],
            people=row["people"],
            total=total,
            paid_people=row["persons"],
            paid=dict(total),
        )
    # A net of 0 or below has a line of 0 or below: only those people's lines are summed.
    suspects = _lines(run, townships).filter(pay__lte=0).values("placement__person_id")
    for net in nets(run, townships).filter(placement__person_id__in=suspects, net__lte=0):
        payment = result[net[0]]
        (payment.zero if net[NET] == 0 else payment.to_recover).append(net)
    for payment in result.values():
        unpaid = payment.to_recover + payment.zero
        payment.paid_people -= len(unpaid)
        payment.paid = {
            key: value - _sum(n[NET_FIELDS.index(key)] for n in unpaid) for key, value in payment.paid.items()
        }
    return result
