"""The reconciliation of a county's year (docs/policy.md §9.11): per month and township, and for
each party (合计, 省级, 市级, 区级), what the payroll computed (the cost report's own figures,
subsidies.reports.cost_rows), what the bank paid, what failed, what is still outstanding (not in a
batch yet, awaiting the bank's return, or failed), what the month's nets gave up to earlier
recoveries, and the month's amounts to recover with what of them is recovered. For every row:

    computed = paid + outstanding + deducted − to recover

to the fen (a month not yet paid through the bank is wholly outstanding). Five grouped queries."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet, Sum

from subsidies.reports import cost_rows
from townships.models import County

from .batches import item_state
from .models import Item, Recovery, Settlement

ZERO = Decimal("0.00")
PARTIES = ("total", "province", "city", "district")
PARTY_LABELS = {"total": "合计", "province": "省级", "city": "市级", "district": "区级"}
MEASURES = ("computed", "paid", "failed", "outstanding", "deducted", "to_recover", "recovered")
MEASURE_LABELS = {
    "computed": "核算金额",
    "paid": "已发放",
    "failed": "发放失败",
    "outstanding": "未发放",
    "deducted": "抵扣以前月份",
    "to_recover": "待扣回",
    "recovered": "已扣回",
}


def _zero() -> dict[str, Decimal]:
    return dict.fromkeys(PARTIES, ZERO)


@dataclass
class Row:
    month: object
    code: str
    township: str
    draft: bool = False
    batched: bool = False
    amounts: dict[str, dict[str, Decimal]] = field(default_factory=lambda: {m: _zero() for m in MEASURES})

    def add(self, measure: str, sums: dict) -> None:
        for party in PARTIES:
            self.amounts[measure][party] += sums.get(party) or ZERO

    @property
    def balanced(self) -> bool:
        a = self.amounts
        return all(
            a["computed"][p] == a["paid"][p] + a["outstanding"][p] + a["deducted"][p] - a["to_recover"][p]
            for p in PARTIES
        )

    def by_party(self) -> list[tuple[str, list[Decimal]]]:
        return [(PARTY_LABELS[p], [self.amounts[m][p] for m in MEASURES]) for p in PARTIES]


SUMS = {"total": Sum("amount"), "province": Sum("province"), "city": Sum("city"), "district": Sum("district")}


def _grouped(queryset: QuerySet, month: str, township: str, *extra: str) -> Iterable[dict]:
    return queryset.values(month, township, *extra).annotate(**SUMS).order_by()


def reconciliation(county: County, year: int) -> list[Row]:
    """The rows of `county`'s `year`, by month and township code."""
    towns = {pk: (code, name) for pk, code, name in county.townships.values_list("pk", "code", "name")}
    rows: dict[tuple, Row] = {}
    for cost in cost_rows(county, year):
        row = Row(cost["run__month"], cost["township__code"], cost["township__name"], draft=cost["draft"])
        row.add("computed", {"total": cost["pay"], **{p: cost[p] for p in PARTIES[1:]}})
        rows[(row.month, row.code)] = row

    def at(month: object, township: int) -> Row:
        code, name = towns[township]
        return rows.setdefault((month, code), Row(month, code, name))

    items = Item.objects.filter(run__county=county, run__month__year=year).annotate(shown=item_state())
    for g in _grouped(items, "run__month", "township_id", "shown"):
        row = at(g["run__month"], g["township_id"])
        row.batched = True
        state = g["shown"]
        row.add("paid" if state in (Item.State.PAID, Item.State.REPAID) else "outstanding", g)
        if state == Item.State.FAILED:
            row.add("failed", g)
    deducted = Settlement.objects.filter(
        kind=Settlement.Kind.DEDUCTED, item__run__county=county, item__run__month__year=year
    )
    for g in _grouped(deducted, "item__run__month", "item__township_id"):
        at(g["item__run__month"], g["item__township_id"]).add("deducted", g)
    recoveries = Recovery.objects.filter(county=county, run__month__year=year)
    for g in _grouped(recoveries, "run__month", "township_id"):
        row = at(g["run__month"], g["township_id"])
        row.batched = True
        row.add("to_recover", g)
    settled = Settlement.objects.filter(recovery__county=county, recovery__run__month__year=year)
    for g in _grouped(settled, "recovery__run__month", "recovery__township_id"):
        at(g["recovery__run__month"], g["recovery__township_id"]).add("recovered", g)
    for row in rows.values():
        if not row.batched:  # not yet paid through the bank: all of it outstanding
            row.add("outstanding", row.amounts["computed"])
    return [rows[key] for key in sorted(rows, key=lambda k: (k[0], k[1]))]


def year_totals(rows: list[Row]) -> Row:
    total = Row(None, "", "全年合计")
    for row in rows:
        for measure in MEASURES:
            total.add(measure, row.amounts[measure])
    return total


def month_totals(rows: list[Row]) -> list[Row]:
    months: dict[object, Row] = {}
    for row in rows:
        month = months.setdefault(row.month, Row(row.month, "", "全区县", draft=row.draft))
        for measure in MEASURES:
            month.add(measure, row.amounts[measure])
    return [months[m] for m in sorted(months)]  # type: ignore[type-var]  # months are dates


def outstanding_by_party(rows: list[Row]) -> dict[str, Decimal]:
    total: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        for p in PARTIES:
            total[p] += row.amounts["outstanding"][p]
    return dict(total)
