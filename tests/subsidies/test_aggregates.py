"""A locked month's stored sums (docs/policy.md §9.12): written with the lock, through the page
that locks, equal to the sums of the locked lines to the fen (a month with a recovery and a
back-pay, urban rows with their social-insurance subsidy), replaced when written again, and
written for months locked before by the command aggregates_rebuild."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal as M

import pytest
from django.core.management import call_command
from django.urls import reverse

from posts.models import Post
from subsidies import payroll
from subsidies.aggregates import aggregates_write
from subsidies.models import Attendance, MonthAggregate, PayrollLine, PayrollRun, SocialInsuranceLine
from tests import factories
from townships.models import County, Village

FEB, MAR = dt.date(2022, 2, 1), dt.date(2022, 3, 1)
MONEY = ("pay", "province", "city", "district")


def locked(cast, month: dt.date) -> PayrollRun:
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), month), cast.finance)
    payroll.approve(run, cast.finance2)
    return payroll.lock(PayrollRun.objects.get(pk=run.pk), cast.finance2)


def expected(run: PayrollRun) -> dict[tuple[str, str], dict]:
    """An independent reading: the run's lines and social-insurance rows summed in Python."""
    rows: dict[tuple[str, str], dict] = defaultdict(lambda: defaultdict(lambda: M("0.00")))
    people: dict[tuple[str, str], set] = defaultdict(set)
    for line in PayrollLine.objects.filter(run=run).select_related("township"):
        row = rows[(line.township.code, line.line)]
        for field in MONEY:
            row[field] += getattr(line, field)
            if line.kind in ("back_pay", "recovery"):
                row[f"adjustment_{field}"] += getattr(line, field)
        if line.kind == "bonus":
            row["bonus"] += line.pay
        if line.kind == "regular":
            people[(line.township.code, line.line)].add(line.placement_id)
    for social in SocialInsuranceLine.objects.filter(run=run).select_related("township"):
        row = rows[(social.township.code, "urban")]
        row["social_total"] += social.total
        row[f"social_{social.party}"] += social.total
    posts: dict[tuple[str, str], int] = defaultdict(int)
    filled = Post.objects.filter(
        township__county=run.county, year=run.month.year, status="filled", kind="regular"
    )
    for code, post_line in filled.values_list("township__code", "line"):
        posts[(code, post_line)] += 1
        rows[(code, post_line)]  # a township with filled posts has its row, paid or not
    return {
        key: dict(row) | {"people": len(people[key]), "posts_filled": posts[key]} for key, row in rows.items()
    }


FIELDS = (
    "people",
    "posts_filled",
    *MONEY,
    *(f"adjustment_{f}" for f in MONEY),
    "bonus",
    "social_total",
    "social_province",
    "social_city",
    "social_district",
)


def stored(run: PayrollRun) -> dict[tuple[str, str], dict]:
    found = {}
    for row in MonthAggregate.objects.filter(run=run).select_related("township"):
        assert (row.county_id, row.month) == (run.county_id, run.month)
        found[(row.township.code, row.line)] = {f: getattr(row, f) for f in FIELDS}
    return found


def same(run: PayrollRun) -> None:
    want, got = expected(run), stored(run)
    assert set(got) == set(want)
    for key, row in got.items():
        for field in FIELDS:
            value = row[field]
            assert value == want[key].get(field, 0), (key, field)
            if field not in ("people", "posts_filled"):
                assert isinstance(value, M) and value == value.quantize(M("0.01")), (key, field)


@pytest.fixture
def march_with_adjustments(cast) -> PayrollRun:
    """February locked with four holders; in March one leaves (recorded late: a recovery of
    February), one's February attendance is corrected upwards (a back-pay), two urban holders
    (social-insurance subsidy) and a rural one in another township."""
    leaver = factories.placement("371502101", name="晚退出")
    short = factories.placement("371502102", name="补考勤")
    factories.placement("371502101", line="urban", name="城镇甲")
    factories.placement("371502102", line="urban", name="城镇乙")
    factories.placement("371502102", name="乡村乙")
    Attendance.objects.create(placement=short, month=FEB, days=10, recorded_by=cast.clerk)
    village = Village.objects.filter(township__code="371502103").first()
    assert village is not None  # the seeded township has villages
    # a post filled (its holder not yet recorded as placed): 371502103's row counts it, nobody paid
    Post.objects.create(
        code="P-UNPAID",
        year=2022,
        township=village.township,
        village=village,
        line="rural",
        duty=leaver.post.duty,
        status="filled",
    )
    locked(cast, FEB)
    leaver.exit_date = dt.date(2022, 2, 14)
    leaver.save()
    Attendance.objects.filter(placement=short, month=FEB).update(days=20)
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), MAR), cast.finance)
    kinds = set(run.lines.values_list("kind", flat=True))
    assert {"regular", "back_pay", "recovery"} <= kinds
    assert SocialInsuranceLine.objects.filter(run=run).exists()
    return run


def test_the_page_that_locks_writes_the_months_sums_to_the_fen(cast, march_with_adjustments) -> None:
    run = march_with_adjustments
    assert not MonthAggregate.objects.filter(run=run).exists()  # computed is not locked
    checker = cast.client(cast.finance2)
    checker.post(reverse("subsidies:run-decide", args=[run.pk]), {"action": "approve"})
    assert not MonthAggregate.objects.filter(run=run).exists()  # approved is not locked either
    page = checker.post(reverse("subsidies:run-decide", args=[run.pk]), {"action": "lock"}, follow=True)
    assert "已锁定" in page.content.decode()
    same(run)
    run.refresh_from_db()
    rows = MonthAggregate.objects.filter(run=run)
    assert sum(r.pay for r in rows) == run.province_total + run.city_total + run.district_total
    assert [sum(getattr(r, p) for r in rows) for p in ("province", "city", "district")] == [
        run.province_total,
        run.city_total,
        run.district_total,
    ]
    # people are §9.9's: the leaver has only a recovery line and is not counted
    assert sum(r.people for r in rows) == run.lines.filter(kind="regular").count() == 4
    shatown = rows.get(township__code="371502101", line="rural")
    adjustments = run.lines.filter(township__code="371502101", kind__in=["back_pay", "recovery"])
    assert shatown.adjustment_pay == sum(adjustments.values_list("pay", flat=True))
    assert shatown.adjustment_pay < 0 < rows.get(township__code="371502102", line="rural").adjustment_pay
    assert rows.filter(social_total__gt=0).count() == 2
    unpaid = rows.get(township__code="371502103")
    assert (unpaid.people, unpaid.pay, unpaid.posts_filled) == (0, M("0.00"), 1)
    assert sum(r.posts_filled for r in rows) == 6  # the five placed holders' posts and that one


def test_writing_again_replaces_the_rows_and_the_command_writes_months_locked_before(
    cast, march_with_adjustments
) -> None:
    run = march_with_adjustments
    payroll.approve(run, cast.finance2)
    payroll.lock(PayrollRun.objects.get(pk=run.pk), cast.finance2)
    first = stored(run)
    assert aggregates_write(run) == len(first)
    assert stored(run) == first and MonthAggregate.objects.filter(run=run).count() == len(first)
    MonthAggregate.objects.all().delete()  # months locked before the aggregates existed
    call_command("aggregates_rebuild", "--county", "371502")
    assert stored(run) == first
    february = PayrollRun.objects.get(county__code="371502", month=FEB)
    same(february)


def test_an_open_month_is_not_rebuilt_and_a_bad_county_is_refused(cast) -> None:
    from django.core.management.base import CommandError

    factories.placement("371502101")
    payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), MAR), cast.finance)
    call_command("aggregates_rebuild")
    assert not MonthAggregate.objects.exists()
    with pytest.raises(CommandError, match="没有代码为 999999 的区县"):
        call_command("aggregates_rebuild", "--county", "999999")
