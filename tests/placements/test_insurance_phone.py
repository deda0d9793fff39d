"""Entry at phone size (docs/policy.md §7.9, §7.10): at 390×844 a clerk finds a holder on the
roster, records an accident and its report, and records a leaver's follow-up, in Chromium; no
page scrolls sideways and no button is under 40px."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from placements import terms
from placements.models import Accident, ClaimState, FollowUp
from tests import factories
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, base_url, browser_type_launch_args, signed_in  # noqa: F401, F811  # the browser fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

SHORT_BUTTONS = """() => [...document.querySelectorAll('main a.button, main button')]
  .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height < 40; })
  .map(el => el.textContent.trim())"""


def fits(page: Page) -> None:
    page.wait_for_load_state()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], page.url
    assert page.evaluate(SHORT_BUTTONS) == [], page.url


def test_a_clerk_records_an_accident_and_a_follow_up_on_a_phone(
    cast: Cast,
    signed_in: Callable[..., Page],  # noqa: F811  # the fixture imported above
) -> None:
    today = dt.date.today()
    holder = factories.placement(on_post=today - dt.timedelta(days=400), name="乡村人")
    gone = factories.placement(on_post=today - dt.timedelta(days=400), name="离岗人")
    terms.placement_exit(
        placement=gone,
        exit_date=today - dt.timedelta(days=40),
        reason="voluntary",
        referral="employment",
        note="",
        actor=cast.clerk,
    )
    page = signed_in(cast.clerk)
    page.set_viewport_size(PHONE)
    page.goto(reverse("placements:insurance-roster"))
    fits(page)
    page.get_by_role("link", name="登记事故：乡村人").click()
    fits(page)
    page.get_by_label("事故日期").fill(today.isoformat())
    page.get_by_label("事故经过").fill("修剪树木时摔伤")
    page.get_by_role("button", name="登记事故").click()
    page.get_by_text("未参保").first.wait_for()
    fits(page)
    accident = Accident.objects.get(placement=holder)
    assert accident.cover is None and accident.state == ClaimState.NONE
    page.goto(reverse("placements:followup-list"))
    fits(page)
    page.get_by_role("link", name="离岗人").click()
    fits(page)
    page.get_by_label("转介", exact=True).select_option(label="就业帮扶")
    page.get_by_label("跟踪日期").fill(today.isoformat())
    page.get_by_label("提供服务").select_option(label="职业介绍")
    page.get_by_label("跟踪结果").select_option(label="已就业")
    page.get_by_role("button", name="记录跟踪").click()
    page.get_by_text("已记录跟踪情况").wait_for()
    assert FollowUp.objects.get().outcome == "employed"
