"""Adjustments recompute only what changed (docs/policy.md §9.7): a run settling locked months
applies the rules again only to the placements whose facts of a month differ from what the run
that last settled it read, the whole month where the terms changed or nothing was recorded; and
each kind of change after a lock still gives the exact 补发/扣回 a full recomputation gives."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal as M

import pytest
from django.core.management import call_command
from django.db import transaction

from placements.models import Agreement, Placement
from subsidies import payroll
from subsidies.attendance import Record, records_write
from subsidies.models import MinimumWage, PayrollLine, PayrollRun, SettledMonth
from subsidies.payroll import rules
from tests import factories
from townships.models import County

pytestmark = pytest.mark.django_db
JAN, FEB, MAR, APR = (dt.date(2022, m, 1) for m in (1, 2, 3, 4))
Money = tuple[M, M, M, M]


def county() -> County:
    return County.objects.get(code="371502")


def locked(cast, month: dt.date) -> PayrollRun:
    run = payroll.compute_run(payroll.run_for(county(), month))
    payroll.approve(run, cast.finance)
    return payroll.lock(PayrollRun.objects.get(pk=run.pk), cast.finance2)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[int, dt.date]]]:
    """Every (placement, month) the rules are applied to."""
    made: list[tuple[int, dt.date]] = []
    regular = rules.regular

    def counted(placed, month, terms, mark):
        made.append((placed.pk, month.first))
        return regular(placed, month, terms, mark)

    monkeypatch.setattr(rules, "regular", counted)
    yield made


def adjusted(run: PayrollRun) -> dict[tuple[int, dt.date | None], tuple[str, Money]]:
    lines = PayrollLine.objects.filter(run=run).exclude(kind="regular")
    return {
        (line.placement_id, line.corrects_month): (
            line.kind,
            (line.pay, line.province, line.city, line.district),
        )
        for line in lines
    }


def fully(run: PayrollRun) -> list[rules.Line]:
    """The lines a full recomputation of every locked month gives (no stored record: the way
    adjustments were made before), township by township as a run is computed, rolled back."""
    with transaction.atomic():
        SettledMonth.objects.all().delete()
        townships = run.county.townships.values_list("pk", flat=True)
        made = sorted(line for township in townships for line in payroll.lines_for(run, [township]))
        transaction.set_rollback(True)
    return made


def stored(run: PayrollRun) -> list[tuple]:
    fields = rules.Line._fields
    return sorted(rules.Line(*row) for row in PayrollLine.objects.filter(run=run).values_list(*fields))


def april(cast, calls) -> PayrollRun:
    calls.clear()
    run = payroll.compute_run(payroll.run_for(county(), APR))
    made = list(calls)
    assert stored(run) == fully(run)  # exactly what recomputing every locked month gives
    calls[:] = made  # the computation's, not the full recomputation's
    return run


@pytest.fixture
def three(cast) -> tuple[Placement, Placement, Placement]:
    """Three holders in two townships, January to March locked."""
    made = (
        factories.placement("371502101", name="甲"),
        factories.placement("371502101", name="乙"),
        factories.placement("371502102", name="丙"),
    )
    for month in (JAN, FEB, MAR):
        locked(cast, month)
    return made


def test_an_unchanged_month_is_not_recomputed_and_without_a_record_it_is(cast, three, calls) -> None:
    run = april(cast, calls)
    assert sorted(calls) == sorted((p.pk, APR) for p in three)  # April's own lines only
    assert adjusted(run) == {}
    # the months' records gone (as for months locked before they were kept): all recomputed
    SettledMonth.objects.exclude(run=run).delete()
    calls.clear()
    payroll.compute_run(run)
    assert sorted(calls) == sorted((p.pk, m) for p in three for m in (JAN, FEB, MAR, APR))


def test_an_attendance_correction_recomputes_that_holder_and_month_only(cast, three, calls) -> None:
    a = three[0]
    with transaction.atomic():
        records_write(FEB, [Record(a, 10, False, "更正")], actor=cast.clerk, confirmed=True)
    run = april(cast, calls)
    assert sorted(calls) == sorted([(a.pk, FEB), *((p.pk, APR) for p in three)])
    # 10 of 20 days: 340.00 of February's 680.00 (333.34 + 138.66 + 208.00)
    assert adjusted(run) == {
        (a.pk, FEB): ("recovery", (M("-340.00"), M("-166.67"), M("-69.33"), M("-104.00")))
    }
    # corrected once: May, after April is locked, finds April's record and owes nothing more
    payroll.approve(run, cast.finance)
    payroll.lock(PayrollRun.objects.get(pk=run.pk), cast.finance2)
    calls.clear()
    may = payroll.compute_run(payroll.run_for(county(), dt.date(2022, 5, 1)))
    assert adjusted(may) == {} and {month for _, month in calls} == {dt.date(2022, 5, 1)}
    # April kept no digests of its own for January (the same as January's): a change of January
    # now is found through January's own record
    assert bytes(SettledMonth.objects.get(run=run, month=JAN, township_id=a.township_id).digests) == b""
    with transaction.atomic():
        records_write(JAN, [Record(a, 10, False, "更正")], actor=cast.clerk, confirmed=True)
    calls.clear()
    may = payroll.compute_run(may)
    assert {(pk, m) for pk, m in calls if m != dt.date(2022, 5, 1)} == {(a.pk, JAN)}
    assert [(kind, money[0]) for kind, money in adjusted(may).values()] == [("recovery", M("-340.00"))]
    calls.clear()
    assert stored(may) == fully(may)


def test_an_exit_dated_back_by_any_write_is_recovered(cast, three, calls) -> None:
    b = three[1]
    Placement.objects.filter(pk=b.pk).update(exit_date=dt.date(2022, 2, 14))  # not through a service
    run = april(cast, calls)
    march = PayrollLine.objects.get(run__month=MAR, placement=b)
    assert adjusted(run) == {
        (b.pk, FEB): ("recovery", (M("-340.00"), M("-166.67"), M("-69.33"), M("-104.00"))),
        (b.pk, MAR): ("recovery", (-march.pay, -march.province, -march.city, -march.district)),
    }
    # its facts changed in every month: those it is still on post in are recomputed; March, when it
    # no longer is, is recovered whole
    assert {(pk, m) for pk, m in calls if m != APR} == {(b.pk, JAN), (b.pk, FEB)}


def test_an_agreement_renewed_late_pays_back_the_months_it_covers(cast, calls) -> None:
    lapsed = factories.placement("371502101", name="丁", agreement_until=dt.date(2022, 1, 31))
    other = factories.placement("371502101", name="戊")
    for month in (JAN, FEB, MAR):
        locked(cast, month)
    assert not PayrollLine.objects.filter(placement=lapsed, run__month__in=[FEB, MAR]).exists()
    factories.agreement_for(lapsed.application, dt.date(2022, 2, 1), dt.date(2023, 1, 31), number=2)
    run = april(cast, calls)
    paid = {m: PayrollLine.objects.get(run__month=m, placement=other) for m in (FEB, MAR)}
    assert adjusted(run) == {
        (lapsed.pk, m): ("back_pay", (line.pay, line.province, line.city, line.district))
        for m, line in paid.items()
    }
    assert {(pk, m) for pk, m in calls if m != APR} == {(lapsed.pk, m) for m in (JAN, FEB, MAR)}
    assert Agreement.objects.filter(application=lapsed.application).count() == 2


def test_a_minimum_wage_dated_back_recomputes_the_whole_months_it_reaches(cast, three, calls) -> None:
    """东昌府区's rural pay follows the minimum wage (docs/policy.md §8.2): one dated back into March
    changes every holder's March, a county-wide change."""
    MinimumWage.objects.create(
        county=county(),
        valid_from=MAR,
        monthly=M("1850.00"),
        hourly=M("18.50"),
        wage_class=3,
        document="鲁政字〔2022〕新标准",
    )
    run = april(cast, calls)
    assert {(pk, m) for pk, m in calls if m != APR} == {(p.pk, MAR) for p in three}
    found = adjusted(run)
    assert set(found) == {(p.pk, MAR) for p in three}
    assert {(kind, money[0]) for kind, money in found.values()} == {("back_pay", M("60.00"))}  # 740 − 680


def test_an_assessment_published_after_the_lock_is_settled_by_the_next_month(cast, three, calls) -> None:
    from accounts.services import village_user_create
    from assessment import scores
    from assessment.models import Scheme
    from assessment.scores import Entry
    from townships.models import Township

    Scheme.objects.create(
        county=county(),
        name="公益性岗位月度考核",
        valid_from=JAN,
        pass_mark=M(60),
        fail_share=M("0.30"),
        exit_after=2,
    )
    a, b = three[0], three[1]
    town = Township.objects.get(code="371502101")
    village = town.villages.first()
    assert village is not None  # the seeded township has villages
    keeper, _ = village_user_create(actor=cast.clerk, village=village, username="cun")
    sheet = scores.sheet_for(town, FEB)
    scores.scores_enter(
        actor=keeper, sheet=sheet, entries=[Entry(a.pk, village=M(25)), Entry(b.pk, village=M(10))]
    )
    scores.scores_enter(
        actor=cast.clerk,
        sheet=sheet,
        entries=[Entry(a.pk, township=M(40), appraisal=M(15)), Entry(b.pk, township=M(30), appraisal=M(12))],
    )
    scores.sheet_publish(actor=cast.clerk, sheet=sheet)  # 乙 52 in February, published after its lock
    run = april(cast, calls)
    # 30 % of February's 680.00: province 333.34 − 233.34, city 138.66 − 97.06, the district the rest
    assert adjusted(run) == {
        (b.pk, FEB): ("recovery", (M("-204.00"), M("-100.00"), M("-41.60"), M("-62.40")))
    }
    assert {(pk, m) for pk, m in calls if m != APR} == {(a.pk, FEB), (b.pk, FEB)}
    payroll.approve(run, cast.finance)
    payroll.lock(PayrollRun.objects.get(pk=run.pk), cast.finance2)
    scores.sheet_reopen(actor=cast.hr, sheet=sheet, reason="乙的民主评议结果录错")  # withdrawn: paid back
    may = payroll.compute_run(payroll.run_for(county(), dt.date(2022, 5, 1)))
    calls.clear()
    assert stored(may) == fully(may) and calls  # the full recomputation applies the rules again
    assert adjusted(may) == {(b.pk, FEB): ("back_pay", (M("204.00"), M("100.00"), M("41.60"), M("62.40")))}


def test_a_holder_moved_to_another_township_is_settled_in_both(cast, three, calls) -> None:
    from townships.models import Township

    c = three[2]
    before, after = (Township.objects.get(code=code).pk for code in ("371502102", "371502101"))
    Placement.objects.filter(pk=c.pk).update(township=after)
    run = april(cast, calls)
    paid = {m: PayrollLine.objects.get(run__month=m, placement=c).pay for m in (JAN, FEB, MAR)}
    moved = run.lines.filter(placement=c).exclude(kind="regular")
    assert set(moved.values_list("township_id", "kind", "corrects_month", "pay")) == {
        *((before, "recovery", m, -pay) for m, pay in paid.items()),
        *((after, "back_pay", m, pay) for m, pay in paid.items()),
    }
    assert {(pk, m) for pk, m in calls if m != APR} == {(c.pk, m) for m in (JAN, FEB, MAR)}


def test_the_command_settles_through_the_stored_records(cast, three, calls, capsys) -> None:
    a = three[0]
    Placement.objects.filter(pk=a.pk).update(exit_date=dt.date(2022, 4, 30))  # no earlier month changes
    calls.clear()
    call_command("compute_subsidies", "--county", "371502", "--month", "2022-04", "--sync")
    assert "共 3 条" in capsys.readouterr().out
    # a's facts changed (its exit date), so its months are recomputed, and owe nothing
    assert {(pk, m) for pk, m in calls if m != APR} == {(a.pk, m) for m in (JAN, FEB, MAR)}
    run = PayrollRun.objects.get(month=APR)
    assert adjusted(run) == {} and stored(run) == fully(run)


def test_a_record_read_with_other_locked_runs_is_not_trusted(cast, three, calls) -> None:
    """The stored record holds only where its run and the locked runs it read as paid are exactly
    those holding lines of the month now (a month locked after a later one was computed)."""
    SettledMonth.objects.filter(run__month=MAR, month=MAR).update(basis=[0])
    april(cast, calls)
    assert {(pk, m) for pk, m in calls if m != APR} == {(p.pk, MAR) for p in three}


def test_a_record_without_its_digests_recomputes_the_whole_township_month(cast, three, calls) -> None:
    a, b, c = three
    run = april(cast, calls)
    payroll.approve(run, cast.finance)
    payroll.lock(PayrollRun.objects.get(pk=run.pk), cast.finance2)
    # April kept no digests of its own for January; January's own record lost them too
    SettledMonth.objects.filter(month=JAN, township_id=a.township_id).update(digests=b"")
    with transaction.atomic():
        records_write(JAN, [Record(a, 10, False, "更正")], actor=cast.clerk, confirmed=True)
    Placement.objects.filter(pk=b.pk).update(township=c.township_id)  # b gone from a's township
    calls.clear()
    may = payroll.compute_run(payroll.run_for(county(), dt.date(2022, 5, 1)))
    assert {(pk, m) for pk, m in calls if m == JAN} == {(a.pk, JAN), (b.pk, JAN)}
    corrected = may.lines.filter(corrects_month=JAN)
    assert corrected.get(placement=a).pay == M("-340.00")
    # b's January, paid in a's township, is recovered there: found only by recomputing it whole
    assert corrected.get(placement=b, township=a.township_id).kind == "recovery"
    assert stored(may) == fully(may)
