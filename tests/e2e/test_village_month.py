"""A village's month end to end (docs/policy.md §9.2, issue 19): the village user enters it on a
phone (390×844: one holder's days ticked day by day, another's typed), submits it; the clerk
confirms it on the township's grid (1366×900); finance computes the month; the holder's line
has the village's days and the amount they give."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, ViewportSize, expect

from subsidies.models import AttendanceSheet, PayrollLine
from tests import factories
from tests.conftest import PASSWORD, Cast
from tests.e2e.conftest import PHONE
from townships.models import Role
from townships.services import user_with_membership_ensure

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

CLERK_SCREEN: ViewportSize = {"width": 1366, "height": 900}
SHORT_BUTTONS = """() => [...document.querySelectorAll('main a.button, main button, main .day')]
  .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height < 40; })
  .map(el => el.textContent.trim())"""


def message(page: Page, text: str) -> None:
    expect(page.locator("[role=status], [role=alert]").filter(has_text=text)).to_be_visible()


def test_a_month_entered_on_a_phone_is_confirmed_and_paid(
    cast: Cast, signed_in: Callable[..., Page], eager: None
) -> None:
    first = factories.placement("371502101", name="甲")
    second = factories.placement("371502101", name="乙")
    village = first.post.village
    keeper = user_with_membership_ensure(
        username="cun_e2e", password=PASSWORD, role=Role.VILLAGE, township=first.township, village=village
    )
    month_url = f"{reverse('subsidies:village-month', args=(village.pk,))}?month=2022-03"

    phone = signed_in(keeper, month_url)
    phone.set_viewport_size(PHONE)
    expect(phone.locator("#sheet-state")).to_have_text("填报中")
    card = phone.locator("fieldset.holder").filter(has_text="甲")
    card.get_by_text("按日勾选出勤").click()
    card.get_by_role("button", name="全部缺勤").click()
    for day in range(1, 16):
        card.get_by_label(f"{day}日出勤", exact=True).check()
    expect(card.get_by_label("出勤天数")).to_have_value("15")
    card.get_by_label("备注").fill("病假十六天")
    phone.locator("fieldset.holder").filter(has_text="乙").get_by_label("出勤天数").fill("22")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert phone.evaluate(SHORT_BUTTONS) == []
    phone.screenshot(path="/tmp/h1b-village-phone.png", full_page=True)
    phone.get_by_role("button", name="保存并报送").click()
    message(phone, "已报送乡镇（街道）确认")
    expect(phone.locator("#sheet-state")).to_have_text("已报送")
    phone.screenshot(path="/tmp/h1b-village-submitted-phone.png", full_page=True)

    clerk = signed_in(cast.clerk, f"{reverse('subsidies:attendance-villages')}?month=2022-03")
    clerk.set_viewport_size(CLERK_SCREEN)
    clerk.get_by_role("link", name=village.name).click()
    expect(clerk.locator("#sheet-state")).to_have_text("已报送")
    expect(clerk.get_by_label("甲备注")).to_have_value("病假十六天")
    expect(clerk.get_by_label("甲出勤天数")).to_have_value("15")
    clerk.screenshot(path="/tmp/h1b-clerk-grid.png", full_page=True)
    clerk.get_by_role("button", name="确认村（社区）考勤").click()  # the 确认…？ prompt is accepted
    message(clerk, "已确认")
    expect(clerk.locator("#sheet-state")).to_have_text("已确认")
    clerk.screenshot(path="/tmp/h1b-clerk-grid-confirmed.png", full_page=True)
    assert AttendanceSheet.objects.get(village=village).confirmed_by == cast.clerk

    finance = signed_in(cast.finance, reverse("subsidies:run-list"))
    start = finance.locator("form").filter(has=finance.get_by_role("button", name="计算该月补贴"))
    start.get_by_label("月份").fill("2022-03")
    start.get_by_role("button", name="计算该月补贴").click()
    message(finance, "已开始计算")
    expect(finance.locator("#run-state")).to_have_text("已计算")
    lines = {
        line.placement_id: line
        for line in PayrollLine.objects.filter(run__month=dt.date(2022, 3, 1), placement__in=[first, second])
    }
    assert (lines[first.pk].days_attended, lines[first.pk].pay) == (15, Decimal("510.00"))  # 680 ÷ 20 × 15
    assert (lines[second.pk].days_attended, lines[second.pk].pay) == (22, Decimal("680.00"))
