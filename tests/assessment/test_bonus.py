"""The performance bonus (docs/policy.md §9.10): HR proposes from published results, another
(finance) user approves, the next computed month pays it as 绩效奖励, all the district's."""

import datetime as dt
import io
from decimal import Decimal as M

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from assessment import bonus, scores
from assessment.models import BonusRound
from assessment.scores import Entry
from subsidies import payroll
from subsidies.exports import payroll_workbook_write
from subsidies.models import PayrollLine
from subsidies.reports import cost_rows, cost_workbook_write, monthly_totals
from tests import factories
from townships.models import County, Membership, Role, Township

pytestmark = pytest.mark.django_db
DONGCHANG = "371502"


def publish_year(cast, holders, totals: list[tuple[int, int, int]]) -> None:
    """Each holder scored by the clerk (no village user) the same every month of 2022, published."""
    town = Township.objects.get(code="371502101")
    for month in range(1, 13):
        sheet = scores.sheet_for(town, dt.date(2022, month, 1))
        entries = [
            Entry(p.pk, village=M(v), township=M(t), appraisal=M(a))
            for p, (v, t, a) in zip(holders, totals, strict=True)
        ]
        scores.scores_enter(actor=cast.clerk, sheet=sheet, entries=entries)
        scores.sheet_publish(actor=cast.clerk, sheet=sheet)


@pytest.fixture
def four(cast, scheme):
    people = [factories.placement("371502101", name=name) for name in ("甲", "乙", "丙", "丁")]
    publish_year(cast, people, [(28, 48, 19), (25, 45, 15), (20, 40, 15), (15, 30, 10)])  # 95, 85, 75, 55
    return people


def test_hr_proposes_by_grade_within_the_share_of_holders(cast, bonus_rule, four) -> None:
    made = bonus.bonus_propose(actor=cast.hr, county=County.objects.get(code=DONGCHANG), year=2022)
    awards = [(a.placement.person.name, a.average, a.rank, a.tier, a.amount) for a in made.awards.all()]
    # half of the four assessed: the first two; 95 reaches 一等, 85 二等
    assert awards == [("甲", M("95.00"), 1, "一等", M("1000.00")), ("乙", M("85.00"), 2, "二等", M("500.00"))]
    assert (made.first, made.last, made.state) == (
        dt.date(2022, 1, 1),
        dt.date(2022, 12, 1),
        BonusRound.State.PROPOSED,
    )


def test_finance_approves_never_the_proposer_and_only_finance(cast, bonus_rule, four) -> None:
    made = bonus.bonus_propose(actor=cast.hr, county=County.objects.get(code=DONGCHANG), year=2022)
    with pytest.raises(ValidationError, match="由本区县财政审批"):
        bonus.bonus_approve(actor=cast.hr, round=made)
    Membership.objects.filter(user=cast.hr).update(role=Role.FINANCE)  # the proposer, now in finance
    with pytest.raises(ValidationError, match="须由提出人以外的人审批"):
        bonus.bonus_approve(actor=User.objects.get(pk=cast.hr.pk), round=made)
    assert BonusRound.objects.get().state == BonusRound.State.PROPOSED
    bonus.bonus_approve(actor=cast.finance, round=made)
    assert BonusRound.objects.get().state == BonusRound.State.APPROVED


def test_the_approved_bonus_is_paid_in_the_next_computed_month_all_the_districts(
    cast, bonus_rule, four
) -> None:
    county = County.objects.get(code=DONGCHANG)
    december = payroll.compute_run(payroll.run_for(county, dt.date(2022, 12, 1)))
    made = bonus.bonus_propose(actor=cast.hr, county=county, year=2022)
    bonus.bonus_approve(actor=cast.finance, round=made)
    assert not december.lines.filter(kind=PayrollLine.Kind.BONUS).exists()  # computed before the approval
    january = payroll.compute_run(payroll.run_for(county, dt.date(2023, 1, 1)))
    paid = {
        line.placement.person.name: (line.pay, line.province, line.city, line.district, line.note)
        for line in january.lines.filter(kind=PayrollLine.Kind.BONUS).select_related("placement__person")
    }
    assert paid == {
        "甲": (M("1000.00"), M("0.00"), M("0.00"), M("1000.00"), "绩效奖励：2022年度一等"),
        "乙": (M("500.00"), M("0.00"), M("0.00"), M("500.00"), "绩效奖励：2022年度二等"),
    }
    regular = sum(line.district for line in january.lines.filter(kind=PayrollLine.Kind.REGULAR))
    assert january.district_total == regular + M("1500.00")
    # computing January again, or computing December again, pays it once
    payroll.compute_run(january)
    payroll.compute_run(december)
    assert PayrollLine.objects.filter(kind=PayrollLine.Kind.BONUS).count() == 2


def test_the_pages_propose_and_approve_and_refuse_the_proposer(cast, bonus_rule, four) -> None:
    hr = cast.client(cast.hr)
    assert hr.post(reverse("assessment:bonus-list"), {"year": "2022"}).status_code == 302
    made = BonusRound.objects.get()
    url = reverse("assessment:bonus-detail", args=[made.pk])
    assert hr.post(url, {"action": "approve"}).status_code == 404  # HR does not approve
    again = hr.post(reverse("assessment:bonus-list"), {"year": "2022"})
    assert again.status_code == 400 and "已有奖励名单" in again.content.decode()
    assert cast.client(cast.hr_other_county).get(url).status_code == 404
    assert cast.client(cast.finance).post(url, {"action": "approve"}).status_code == 302
    assert BonusRound.objects.get().state == BonusRound.State.APPROVED


def test_no_published_results_no_list(cast, bonus_rule, scheme) -> None:
    with pytest.raises(ValidationError, match="没有已公示的考核结果"):
        bonus.bonus_propose(actor=cast.hr, county=County.objects.get(code=DONGCHANG), year=2022)


def test_the_bonus_is_in_the_workbooks_payment_sheet_and_its_lines(cast, bonus_rule, four) -> None:
    county = County.objects.get(code=DONGCHANG)
    bonus.bonus_approve(
        actor=cast.finance, round=bonus.bonus_propose(actor=cast.hr, county=county, year=2022)
    )
    january = payroll.compute_run(payroll.run_for(county, dt.date(2023, 1, 1)))
    buffer = io.BytesIO()
    payroll_workbook_write(run=january, target=buffer)
    buffer.seek(0)
    book = load_workbook(buffer)
    rows = [list(r) for r in book["沙镇镇发放表"].iter_rows(values_only=True)]
    headers = next(r for r in rows if r[0] == "序号")
    first = {r[2]: dict(zip(headers, r, strict=True)) for r in rows if r[0] not in (None, "序号", "合计")}
    assert M(str(first["甲"]["绩效奖励"])) == M("1000.00")
    assert M(str(first["甲"]["实发金额"])) == M("1680.00")
    assert M(str(first["丙"]["绩效奖励"])) == M("0.00")
    details = [r for r in book["沙镇镇"].iter_rows(values_only=True) if r[3] == "甲"]
    assert any("绩效奖励：2022年度一等" in (r[-1] or "") for r in details)


def test_the_cost_report_shows_the_bonus_apart_inside_the_districts_share(cast, bonus_rule, four) -> None:
    county = County.objects.get(code=DONGCHANG)
    bonus.bonus_approve(
        actor=cast.finance, round=bonus.bonus_propose(actor=cast.hr, county=county, year=2022)
    )
    payroll.compute_run(payroll.run_for(county, dt.date(2023, 1, 1)))
    (january,) = monthly_totals(cost_rows(county, 2023))
    assert january["bonus"] == M("1500.00")
    assert january["district"] == 4 * M("208.00") + M("1500.00")
    page = cast.client(cast.finance).get(reverse("subsidies:costs"), {"year": "2023"}).content.decode()
    assert "其中绩效奖励" in page and "1500.00" in page
    buffer = io.BytesIO()
    cost_workbook_write(county=county, year=2023, target=buffer)
    buffer.seek(0)
    rows = list(load_workbook(buffer)["分月汇总"].iter_rows(values_only=True))
    headers = next(r for r in rows if r[0] == "月份")
    total = next(r for r in rows if r[0] == "合计")
    assert M(str(dict(zip(headers, total, strict=True))["其中绩效奖励"])) == M("1500.00")
