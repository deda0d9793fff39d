"""选人报名 in a real browser (docs/policy.md §5.3), at a desktop's size and a phone's: the clerk
finds people by name, ticks three, one of whom is refused, sees the refused pair named with the
ticks kept, unticks that one and applies the other two at once. At 390×844 the form is one column
without horizontal scrolling and its ticks are big enough for a thumb."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from placements.models import Application
from tests import factories
from tests.placements.conftest import recruiting  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

SHOTS = Path("/tmp")
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def fits(page: Page, width: int) -> None:
    """Nothing of the page's content is wider than the window (the site's menu scrolls on its own)."""
    widest = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('main *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= width, widest
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("size", ["wide", "phone"])
def test_the_clerk_picks_people_and_applies_them_at_once(recruiting, signed_in, monkeypatch, size) -> None:  # noqa: F811
    monkeypatch.setattr("placements.views.today", lambda: dt.date(2022, 3, 1))
    township = recruiting.township.code
    one, two = (factories.person(township, name=n) for n in ("王一", "王二"))
    old = factories.person(township, name="王老", birth="19500101", groups=["rural_older"])
    posts = recruiting.posts
    clerk = signed_in(recruiting.cast.clerk, reverse("placements:apply-pick"))
    clerk.set_viewport_size(WIDE if size == "wide" else PHONE)
    clerk.get_by_label("查找本乡镇（街道）人员").fill("王")
    clerk.get_by_role("button", name="查找").click()
    for person in (one, two, old):
        clerk.get_by_label(f"报名{person.name}（").check()
    clerk.get_by_label("报名日期").fill("2022-03-01")
    clerk.get_by_label("统一报名岗位").select_option(str(posts[0].pk))
    clerk.get_by_label("王二的报名岗位").select_option(str(posts[1].pk))
    clerk.get_by_role("button", name="报名所勾选的人员").click()
    refused = clerk.locator(".pick-errors")
    expect(refused).to_contain_text(
        f"王老（{old.id_number[:6]}********{old.id_number[-4:]}）报名岗位{posts[0].code}"
    )
    expect(refused).to_contain_text("不符合安置条件")
    for person in (one, two, old):
        expect(clerk.get_by_label(f"报名{person.name}（")).to_be_checked()
    expect(clerk.get_by_label("王二的报名岗位")).to_have_value(str(posts[1].pk))
    box = clerk.get_by_label("报名王一（").bounding_box()
    assert box is not None and box["width"] >= 24 and box["height"] >= 24
    fits(clerk, WIDE["width"] if size == "wide" else PHONE["width"])
    clerk.screenshot(path=SHOTS / f"h2-{size}-refused.png", full_page=True)
    assert not Application.objects.exists()
    clerk.get_by_label("报名王老（").uncheck()
    clerk.get_by_role("button", name="报名所勾选的人员").click()
    expect(clerk.locator("[role=status], [role=alert]").filter(has_text="已报名2人")).to_be_visible()
    clerk.screenshot(path=SHOTS / f"h2-{size}-done.png", full_page=True)
    made = Application.objects.order_by("person__name").values_list("person__name", "post")
    assert list(made) == [("王一", posts[0].pk), ("王二", posts[1].pk)]
