"""Scores entered on a phone (docs/policy.md §8.14, issue 20): the village user opens 绩效考核 at
390×844, scores the village part of the village's holders on the grid and saves; the clerk, on a
phone too, enters the township part and the appraisal and publishes. No page scrolls sideways
and no button is under 40 px; a failing total shows on the grid."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from assessment.models import Scheme, Score, Sheet
from tests import factories
from tests.conftest import PASSWORD, Cast
from tests.e2e.conftest import PHONE
from townships.models import County, Role
from townships.services import user_with_membership_ensure

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

SHORT_BUTTONS = """() => [...document.querySelectorAll('main a.button, main button')]
  .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height < 40; })
  .map(el => el.textContent.trim())"""


def fits(page: Page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(SHORT_BUTTONS) == []


def test_scores_are_entered_and_published_on_a_phone(cast: Cast, signed_in: Callable[..., Page]) -> None:
    Scheme.objects.create(
        county=County.objects.get(code="371502"),
        name="月度考核",
        valid_from=dt.date(2022, 1, 1),
        fail_share=Decimal("0.30"),
    )
    first = factories.placement("371502101", name="甲")
    factories.placement("371502101", name="乙")
    keeper = user_with_membership_ensure(
        username="cun_kh",
        password=PASSWORD,
        role=Role.VILLAGE,
        township=first.township,
        village=first.post.village,
    )
    phone = signed_in(keeper, reverse("assessment:sheet-list"))
    phone.set_viewport_size(PHONE)
    phone.get_by_label("考核月份").fill("2022-03")
    phone.get_by_role("button", name="打开考核表").click()
    phone.get_by_label("甲村（社区）评分").fill("25")
    phone.get_by_label("乙村（社区）评分").fill("10")
    fits(phone)
    phone.screenshot(path="/tmp/h8-assessment-village-phone.png", full_page=True)
    phone.get_by_role("button", name="保存评分").click()
    expect(phone.get_by_text("已保存2人的评分。")).to_be_visible()

    clerk = signed_in(cast.clerk, reverse("assessment:sheet-detail", args=[Sheet.objects.get().pk]))
    clerk.set_viewport_size(PHONE)
    expect(clerk.get_by_label("甲村（社区）评分")).to_have_count(0)  # the village's part, entered there
    for name, township, appraisal in (("甲", "45", "18"), ("乙", "30", "10")):
        clerk.get_by_label(f"{name}乡镇（街道）评分").fill(township)
        clerk.get_by_label(f"{name}民主评议").fill(appraisal)
    fits(clerk)
    clerk.get_by_role("button", name="保存评分").click()
    expect(clerk.get_by_text("50.0 不合格")).to_be_visible()
    clerk.get_by_role("button", name="公示考核结果").click()  # the 公示…？ prompt is accepted
    expect(clerk.get_by_text("考核结果已公示。")).to_be_visible()
    fits(clerk)
    clerk.screenshot(path="/tmp/h8-assessment-clerk-phone.png", full_page=True)
    assert Sheet.objects.get().state == Sheet.State.PUBLISHED
    totals = Score.objects.order_by("total").values_list("total", flat=True)
    assert list(totals) == [Decimal("50.0"), Decimal("88.0")]
