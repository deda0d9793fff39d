"""The city and province pages on a phone (docs/policy.md §1.4): the province user opens their
area at 390×844, goes down to 聊城市 and to 东昌府区's reports; no page scrolls sideways (its wide
tables scroll in their own box) and no button is under 40 px."""

import datetime as dt
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from subsidies import payroll
from subsidies.models import PayrollRun
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


def test_the_province_user_goes_down_to_a_countys_reports_on_a_phone(
    cast: Cast, signed_in: Callable[..., Page]
) -> None:
    factories.placement("371502101", name="乡村甲")
    factories.placement("371502102", line="urban", name="城镇乙")
    run = payroll.compute_run(
        payroll.run_for(County.objects.get(code="371502"), dt.date(2022, 3, 1)), cast.finance
    )
    payroll.approve(run, cast.finance2)
    payroll.lock(PayrollRun.objects.get(pk=run.pk), cast.finance2)
    province = user_with_membership_ensure(username="province_37", password=PASSWORD, role=Role.PROVINCE)
    phone = signed_in(province, "/")
    phone.set_viewport_size(PHONE)
    expect(phone.get_by_role("heading", name="山东省2022年城乡公益性岗位")).to_be_visible()
    fits(phone)
    phone.get_by_role("link", name="聊城市").first.click()
    expect(phone.get_by_role("heading", name="聊城市2022年城乡公益性岗位")).to_be_visible()
    fits(phone)
    phone.get_by_role("link", name="东昌府区").first.click()
    expect(phone.get_by_role("heading", name="东昌府区2022年城乡公益性岗位")).to_be_visible()
    expect(phone.get_by_text("2022年3月分镇街、分城乡")).to_be_visible()
    fits(phone)
    assert "乡村甲" not in phone.content() and "城镇乙" not in phone.content()  # no person, ever
