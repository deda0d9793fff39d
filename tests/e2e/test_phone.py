"""The pages a clerk uses daily work at phone size (issue 19): at 390×844 none scrolls sideways
(tables scroll inside their own box), and their buttons are at least 40px tall."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from tests import factories
from tests.conftest import Cast
from tests.e2e.conftest import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

SHORT_BUTTONS = """() => [...document.querySelectorAll('main a.button, main button')]
  .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height < 40; })
  .map(el => el.textContent.trim())"""


def test_the_daily_pages_fit_a_phone(cast: Cast, signed_in: Callable[..., Page]) -> None:
    today = dt.date.today()
    holder = factories.placement(on_post=dt.date(2024, 1, 1), agreement_until=today + dt.timedelta(days=20))
    pages = [
        reverse("home"),
        reverse("people:person-list"),
        reverse("people:person-detail", args=[holder.person_id]),
        reverse("placements:queue"),
        reverse("placements:placement-list"),
        reverse("placements:alerts"),
        reverse("placements:application-detail", args=[holder.application_id]),
    ]
    page = signed_in(cast.clerk)
    page.set_viewport_size(PHONE)
    for url in pages:
        page.goto(url)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], url
        assert page.evaluate(SHORT_BUTTONS) == [], url
    page.goto(reverse("placements:alerts"))
    page.get_by_role("link", name=f"续签：{holder.person.name}").click()
    assert page.url.endswith("#renew")
    assert page.evaluate("document.querySelector('#renew').getBoundingClientRect().top") < PHONE["height"]
