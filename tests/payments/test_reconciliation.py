"""The reconciliation (docs/policy.md §9.11): per month and township, for each party, computed =
paid + outstanding + deducted − to recover, to the fen; the year's computed figures are the cost
report's (subsidies.reports.cost_rows)."""

import datetime as dt
from decimal import Decimal as M

from payments.batches import batch_approve, batches_make
from payments.reconciliation import PARTIES, reconciliation, year_totals
from payments.returns import return_apply
from subsidies.reports import cost_rows

from .conftest import month_locked
from .test_returns import return_workbook

D = dt.date


def test_the_year_reconciles_to_the_fen_with_the_cost_report(cast, county, march) -> None:
    """January paid (one failure), March batched (甲 owes 340.00), April pays it off, May not
    yet through the bank: every row balances and the year's computed amounts are the cost
    report's, party by party."""
    made = batches_make(
        run=march.__class__.objects.get(county=county, month=D(2022, 1, 1)),
        actor=cast.finance,
        pay_date=D(2022, 1, 31),
    )
    for batch in made:
        batch = batch_approve(batch=batch, actor=cast.finance2)
        failures = {1: ("失败", "账户冻结")} if batch.bank.name == "农商银行" else {}
        assert return_apply(batch=batch, source=return_workbook(batch, failures), actor=cast.finance).written
    batches_make(run=march, actor=cast.finance, pay_date=D(2022, 3, 31))
    april = month_locked(county, D(2022, 4, 1), cast)
    batches_make(run=april, actor=cast.finance, pay_date=D(2022, 4, 30))
    month_locked(county, D(2022, 5, 1), cast)
    rows = reconciliation(county, 2022)
    assert rows and all(row.balanced for row in rows)
    costs = cost_rows(county, 2022)
    total = year_totals(rows)
    for party, key in zip(PARTIES, ("pay", "province", "city", "district"), strict=True):
        assert total.amounts["computed"][party] == sum((r[key] for r in costs), M("0.00"))
    january = {r.code: r for r in rows if r.month == D(2022, 1, 1)}
    sha = january["371502101"].amounts
    assert (sha["paid"]["total"], sha["failed"]["total"], sha["outstanding"]["total"]) == (
        M("1360.00"),
        M("680.00"),
        M("680.00"),
    )
    march_row = {r.code: r for r in rows if r.month == D(2022, 3, 1)}["371502101"].amounts
    assert march_row["to_recover"]["total"] == M("340.00") and march_row["recovered"]["total"] == M("340.00")
    april_row = {r.code: r for r in rows if r.month == D(2022, 4, 1)}["371502101"].amounts
    assert april_row["deducted"]["total"] == M("340.00")
    may = {r.code: r for r in rows if r.month == D(2022, 5, 1)}["371502101"].amounts
    assert may["outstanding"] == may["computed"] and may["paid"]["total"] == 0
    assert total.amounts["recovered"] == total.amounts["deducted"]  # recovered only by deduction here
