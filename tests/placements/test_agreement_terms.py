"""Agreements say what the policy and the post say (issue 17, docs/policy.md §5.7): the monthly amount is
the policy's in force at the agreement's start, priced as the payroll prices a full month, shown
on the form and never typed; the working time and duties are the post's; renewals and 新老衔接
imports are priced the same way; an older agreement whose amount disagrees is flagged."""

import datetime as dt
from decimal import Decimal as M

import pytest
from django.urls import reverse

from common.retirement import add_months
from placements import services, terms
from placements.models import Agreement, Application, Placement
from subsidies import payroll
from subsidies.models import MinimumWage
from tests import factories
from townships.models import County

D = dt.date
RURAL_TIME = "每天工作2小时，每月20天"


@pytest.fixture
def business_day(monkeypatch):
    def set_day(day: dt.date) -> None:
        monkeypatch.setattr("placements.views.today", lambda: day)

    return set_day


def page_text(client, application: Application) -> str:
    return client.get(reverse("placements:application-detail", args=[application.pk])).content.decode()


def test_the_agreement_form_shows_the_policys_amount_and_a_typed_amount_changes_nothing(
    recruiting, business_day
) -> None:
    (application,) = recruiting.to_approved(1)
    business_day(D(2022, 3, 20))
    client = recruiting.cast.client(recruiting.cast.clerk)
    form = page_text(client, application)
    assert "680.00 元" in form and "东昌政办字〔2022〕4号" in form and "每月规定出勤20天" in form
    assert 'name="monthly_pay"' not in form and RURAL_TIME in form
    client.post(
        reverse("placements:application-agree", args=[application.pk]),
        {"start": "2022-04-01", "signed_on": "2022-03-20", "monthly_pay": "6800"},
    )
    agreement = Agreement.objects.get()
    assert (agreement.monthly_pay, agreement.working_time, agreement.duties) == (
        M("680.00"),
        RURAL_TIME,
        application.post.duty.name,
    )


def test_the_agreement_is_priced_as_the_payroll_prices_a_full_month_of_its_start(cast) -> None:
    """兖州区 rural pays 10,000 a year: a month is 833.33 or 833.34 (docs/policy.md §8.5), and the
    agreement says what the payroll pays for the month it starts in."""
    from placements.agreements import agreement_pay

    yanzhou = County.objects.get(code="370812")
    assert agreement_pay(yanzhou, "rural", D(2022, 1, 10)).monthly == M("833.33")
    assert agreement_pay(yanzhou, "rural", D(2022, 2, 1)).monthly == M("833.34")
    dongchang = County.objects.get(code="371502")
    assert agreement_pay(dongchang, "urban", D(2022, 4, 1)).monthly == M("1700.00")
    full, _ = payroll.month_policies(dongchang, D(2022, 4, 1), {"rural"})
    assert agreement_pay(dongchang, "rural", D(2022, 4, 1)).monthly == full["rural"].pay == M("680.00")


def test_an_agreement_without_a_policy_in_force_at_its_start_is_refused(recruiting) -> None:
    from django.core.exceptions import ValidationError

    (application,) = recruiting.to_approved(1)
    County.objects.get(code="371502").policies.filter(line="rural").update(valid_from=D(2022, 6, 1))
    with pytest.raises(ValidationError, match="没有2022年04月适用的乡村岗位补贴标准"):
        services.agreement_sign(
            application=application,
            start=D(2022, 4, 1),
            signed_on=D(2022, 3, 20),
            actor=recruiting.cast.clerk,
        )
    assert not Agreement.objects.exists()


def test_an_urban_agreement_prints_1700_with_the_urban_working_time(cast) -> None:
    held = factories.placement("371502101", line="urban", birth="19700101", on_post=D(2022, 4, 1))
    assert held.post.working_time == "全日制，按用人单位作息时间"  # posts.models.WORKING_TIME, as opened
    agreement = held.application.agreements.get()
    assert agreement.monthly_pay == M("1700.00") and agreement.working_time == "全日制，按用人单位作息时间"
    printed = (
        cast.client(cast.clerk)
        .get(reverse("placements:agreement-print", args=[held.application.pk, 1]))
        .content.decode()
    )
    assert "每月 1700.00 元（东昌政办字〔2022〕4号），每月规定出勤22天" in printed
    assert "工作时间：全日制，按用人单位作息时间。" in printed and "每天工作2小时" not in printed


def test_the_print_says_what_the_post_and_the_policy_say(recruiting) -> None:
    (application,) = recruiting.to_approved(1)
    recruiting.to_placed(application)
    client = recruiting.cast.client(recruiting.cast.clerk)
    printed = client.get(reverse("placements:agreement-print", args=[application.pk, 1])).content.decode()
    assert "每月 680.00 元（东昌政办字〔2022〕4号），每月规定出勤20天" in printed
    assert f"工作时间：{RURAL_TIME}。" in printed and "本协议记载的月补贴标准" not in printed


def test_an_agreement_typed_at_6800_is_flagged_and_prints_what_is_paid(recruiting) -> None:
    (application,) = recruiting.to_approved(1)
    recruiting.to_placed(application)
    Agreement.objects.filter(application=application).update(monthly_pay=M("6800.00"))  # typed before
    client = recruiting.cast.client(recruiting.cast.clerk)
    detail = page_text(client, application)
    assert "第1份协议记载的月补贴标准为6,800.00元，与补贴发放标准680.00元不一致：补贴按680.00元计发" in detail
    printed = client.get(reverse("placements:agreement-print", args=[application.pk, 1])).content.decode()
    assert "每月 680.00 元" in printed and "每月 6800" not in printed
    assert "本协议记载的月补贴标准为6,800.00元，与补贴发放标准不一致" in printed  # on screen only
    pdf = client.get(reverse("placements:agreement-pdf", args=[application.pk, 1]))
    from tests.placements.test_print import _text

    assert "每月 680.00 元" in _text(pdf) and "6,800.00" not in _text(pdf)


def test_a_matching_agreement_raises_no_warning(recruiting) -> None:
    (application,) = recruiting.to_approved(1)
    recruiting.to_placed(application)
    assert "不一致" not in page_text(recruiting.cast.client(recruiting.cast.hr), application)


def test_a_renewal_is_priced_from_the_policy_at_its_start(recruiting, business_day) -> None:
    """A new minimum wage from 2023-04-01 (18 元/h): 东昌府区 rural pays 18 × 2 × 20 = 720.00
    from then, so the agreement renewed from that day says 720.00 (the first one keeps 680.00)."""
    (application,) = recruiting.to_approved(1)
    placed = recruiting.to_placed(application)
    county = County.objects.get(code="371502")
    MinimumWage.objects.create(
        county=county, valid_from=D(2023, 4, 1), monthly=M("1800.00"), hourly=M("18.00"), document="新标准"
    )
    business_day(D(2023, 3, 20))
    client = recruiting.cast.client(recruiting.cast.clerk)
    client.post(
        reverse("placements:placement-renew", args=[application.pk]),
        {"signed_on": "2023-03-20"},
    )
    first, second = Agreement.objects.filter(application=application).order_by("number")
    assert (first.monthly_pay, second.start_date, second.monthly_pay) == (
        M("680.00"),
        D(2023, 4, 1),
        M("720.00"),
    )
    assert second.working_time == RURAL_TIME
    third = terms.agreement_renew(placement=placed, signed_on=D(2024, 3, 20), actor=recruiting.cast.clerk)
    assert third.monthly_pay == M("720.00")
    assert "不一致" not in page_text(client, application)


def test_imported_holders_carry_the_new_pay_not_zero(cast) -> None:
    """新老衔接: a holder who qualifies gets the new pay (docs/policy.md §7.7) and their agreement says it:
    an agreement from before the county's first policy is priced at the day that policy began."""
    from tests.placements.test_migration import holder, run

    later = {"身份证号": factories.id_number("19680305"), "上岗日期": "2022-03-01"}
    later |= {"协议开始日期": "2022-03-01", "协议结束日期": "2023-02-28"}
    report = run([holder(), holder(**later)], actor=cast.hr)
    assert report.imported, report.problems
    pays = sorted(
        Agreement.objects.filter(application__migrated=True).values_list("start_date", "monthly_pay")
    )
    assert pays == [(D(2021, 3, 1), M("680.00")), (D(2022, 3, 1), M("680.00"))]
    held = Placement.objects.filter(migrated=True).first()
    assert held is not None  # the holder imported above
    assert "不一致" not in page_text(cast.client(cast.hr), held.application)


def test_an_agreement_starting_at_the_end_of_the_calendar_is_refused_with_its_reason(recruiting) -> None:
    (application,) = recruiting.to_approved(1)
    page = recruiting.cast.client(recruiting.cast.clerk).post(
        reverse("placements:application-agree", args=[application.pk]),
        {"start": "9999-12-31", "signed_on": "2022-03-20"},
        follow=True,
    )
    assert "协议开始日期（9999年12月31日）有误，协议期限超出日历范围" in page.content.decode()
    assert not Agreement.objects.exists()


def test_a_renewal_recorded_beyond_the_back_pay_reach_says_which_months_stay_unpaid(
    recruiting, business_day
) -> None:
    """docs/policy.md §9.7: adjustments reach the 12 months before the month computed next; a
    renewal from a lapse older than that is told which locked months it can no longer pay."""
    from subsidies.models import PayrollRun

    (application,) = recruiting.to_approved(1)
    recruiting.to_placed(application)
    first = Agreement.objects.get(application=application)
    county = County.objects.get(code="371502")
    lapsed = first.end_date + dt.timedelta(days=1)
    months = [add_months(lapsed.replace(day=1), n) for n in range(14)]  # 14 locked months since
    PayrollRun.objects.bulk_create(
        PayrollRun(county=county, month=m, state=PayrollRun.State.LOCKED) for m in months
    )
    business_day(add_months(months[-1], 1) + dt.timedelta(days=2))
    page = recruiting.cast.client(recruiting.cast.clerk).post(
        reverse("placements:placement-renew", args=[application.pk]),
        {"signed_on": f"{add_months(months[-1], 1) + dt.timedelta(days=1)}"},
        follow=True,
    )
    text = page.content.decode()
    assert Agreement.objects.filter(application=application).count() == 2
    assert f"注意：{months[0]:%Y年%m月}、{months[1]:%Y年%m月}已锁定且超出补发期限（12个月）" in text
    assert f"{months[2]:%Y年%m月}已锁定" not in text
