"""No agreement, no pay (docs/policy.md §8.11, issue 17): a day is paid only while an agreement covers it.
A lapsed agreement stops the pay from the day after it ends and the run says 协议已到期未续签,
naming the holder; a renewal (from the day after, as agreements follow on) pays again at the next
computation, with 补发 for the months locked meanwhile."""

import datetime as dt
from decimal import Decimal as M

import pytest
from django.urls import reverse

from placements import terms
from subsidies import payroll
from subsidies.models import Finding, PayrollLine, PayrollRun
from tests import factories
from townships.models import County

D = dt.date


@pytest.fixture
def eager(monkeypatch):
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def month(text: str) -> PayrollRun:
    return payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), D.fromisoformat(text)))


def money(run: PayrollRun, kind: str = "regular") -> list[tuple]:
    lines = run.lines.filter(kind=kind).order_by("corrects_month")
    return list(lines.values_list("corrects_month", "days_on_post", "pay", "province", "city", "district"))


def lapse_messages(run: PayrollRun) -> list[str]:
    return list(run.findings.filter(kind=Finding.Kind.LAPSED).values_list("message", flat=True))


def test_a_lapsed_agreement_pays_only_its_days_and_the_run_says_so(cast) -> None:
    factories.placement("371502101", name="续签人", agreement_until=D(2022, 6, 15))
    factories.placement("371502101", name="有协议")
    may, june, july = month("2022-05-01"), month("2022-06-01"), month("2022-07-01")
    assert money(may)[0][2] == M("680.00") and not lapse_messages(may)
    # 15 of June's 30 days: 680 × 15/30; province 333.33 × ½, city 138.67 × ½, district the rest
    june_lines = dict(june.lines.values_list("placement__person__name", "pay"))
    assert june_lines == {"续签人": M("340.00"), "有协议": M("680.00")}
    assert june.lines.get(placement__person__name="续签人").province == M("166.67")
    assert june.lines.get(placement__person__name="续签人").city == M("69.34")
    assert list(july.lines.values_list("placement__person__name", flat=True)) == ["有协议"]
    message = "沙镇镇续签人的协议已于2022年06月15日到期未续签，此后不计发补贴：请续签协议或办理退出"
    assert lapse_messages(june) == lapse_messages(july) == [message]
    assert not july.findings.get(kind=Finding.Kind.LAPSED).blocking  # pay has stopped: nothing to hold


def test_the_run_page_shows_the_lapsed_agreement(cast, eager) -> None:
    factories.placement("371502101", name="续签人", agreement_until=D(2022, 6, 15))
    client = cast.client(cast.finance)
    page = client.post(reverse("subsidies:run-start"), {"month": "2022-07"}, follow=True).content.decode()
    assert "协议已到期未续签" in page and "沙镇镇续签人的协议已于2022年06月15日到期未续签" in page
    assert PayrollLine.objects.count() == 0


def test_no_agreement_at_all_pays_nothing_and_says_so(cast) -> None:
    factories.placement("371502101", name="无协议", agreement=False)
    march = month("2022-03-01")
    assert not march.lines.exists()
    assert lapse_messages(march) == ["沙镇镇无协议没有岗位协议，不计发补贴：请签订协议或办理退出"]


def test_an_agreement_ending_with_the_subsidy_period_or_an_exit_raises_nothing(cast) -> None:
    factories.placement("371502101", name="期满", prior_months=31, agreement_until=D(2022, 5, 31))
    factories.placement("371502101", name="离岗", exit_date=D(2022, 6, 10), agreement_until=D(2022, 6, 10))
    june = month("2022-06-01")
    assert lapse_messages(june) == []
    assert list(june.lines.values_list("placement__person__name", "pay")) == [("离岗", M("226.67"))]


def test_a_renewal_pays_again_with_back_pay_for_the_locked_months(cast) -> None:
    held = factories.placement("371502101", name="续签人", agreement_until=D(2022, 6, 15))
    for text in ("2022-06-01", "2022-07-01"):
        run = month(text)
        payroll.lock(payroll.approve(run, cast.finance), cast.finance2)
    renewed = terms.agreement_renew(placement=held, signed_on=D(2022, 8, 5), actor=cast.clerk)
    assert (renewed.number, renewed.start_date, renewed.monthly_pay) == (2, D(2022, 6, 16), M("680.00"))
    august = month("2022-08-01")
    assert money(august) == [(None, 31, M("680.00"), M("333.34"), M("138.66"), M("208.00"))]
    assert money(august, "back_pay") == [
        (D(2022, 6, 1), 0, M("340.00"), M("166.66"), M("69.33"), M("104.01")),  # the other half of June
        (D(2022, 7, 1), 0, M("680.00"), M("333.33"), M("138.67"), M("208.00")),
    ]
    assert lapse_messages(august) == []
    assert august.lines.get(corrects_month=D(2022, 6, 1)).note == "补发2022年06月"
