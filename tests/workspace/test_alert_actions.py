"""Each alert links to the action it calls for (docs/policy.md §7.6): 续签 and 退出 for an agreement
ending, 延期 and 退出 for a subsidy period ending, 退出 at the age flag or retirement; shown only to
whom the action's own page accepts it from (clerk or HR; 延期 HR only), and each link lands on its
form on the application page."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from placements import terms
from tests import factories
from townships.models import Role

D = dt.date
TODAY = D(2024, 11, 1)


@pytest.fixture
def due(cast, monkeypatch):
    """A rural holder whose agreement ends within the alert period, and one whose subsidy period
    ends within it (36 months from 2021-12-01: 2024-11-30)."""
    monkeypatch.setattr("placements.views.today", lambda: TODAY)
    agreement = factories.placement(on_post=D(2024, 1, 1), agreement_until=D(2024, 12, 1), name="协议人")
    subsidy = factories.placement(on_post=D(2021, 12, 1), name="期满人")
    return agreement, subsidy


def actions_of(page: str, application_id: int) -> list[str]:
    """The labels of the action links to one application's forms, in order."""
    found = re.findall(rf'href="/placements/{application_id}/#(\w+)"[^>]*>([^<]+)</a>', page)
    return [label for _, label in found]


def test_it_offers_a_clerk_renewal_and_exit_but_no_extension(cast, due) -> None:
    agreement, subsidy = due
    page = cast.client(cast.clerk).get(reverse("placements:alerts")).content.decode()
    assert actions_of(page, agreement.application_id) == ["续签", "退出"]
    assert actions_of(page, subsidy.application_id) == ["退出"]
    assert f'href="/placements/{agreement.application_id}/#renew"' in page


def test_it_offers_hr_the_extension_of_a_subsidy_period(cast, due) -> None:
    agreement, subsidy = due
    page = cast.client(cast.hr).get(reverse("placements:alerts")).content.decode()
    assert actions_of(page, subsidy.application_id) == ["延期", "退出"]
    assert actions_of(page, agreement.application_id) == ["续签", "退出"]


@pytest.mark.parametrize("who", ["auditor", "finance", "county_admin"])
def test_it_offers_a_reader_no_action(cast, due, who) -> None:
    agreement, subsidy = due
    page = cast.client(getattr(cast, who)).get(reverse("placements:alerts")).content.decode()
    assert "协议人" in page and "期满人" in page  # the alerts themselves are still listed
    assert actions_of(page, agreement.application_id) == []
    assert ">办理</th>" not in page


def test_each_link_lands_on_its_form_on_the_application_page(cast, due) -> None:
    agreement, _ = due
    detail = reverse("placements:application-detail", args=[agreement.application_id])
    page = cast.client(cast.hr).get(detail).content.decode()
    for action in ("renew", "extend", "exit"):
        url = reverse(f"placements:placement-{action}", args=[agreement.application_id])
        assert re.search(rf'<form method="post" action="{url}"[^>]* id="{action}"', page), action


def test_the_offered_roles_are_those_the_action_pages_accept(cast, due) -> None:
    """An auditor posting to each action is refused and nothing changes; a clerk may not extend."""
    agreement, _ = due
    for action, roles in terms.ACTION_ROLES.items():
        url = reverse(f"placements:placement-{action}", args=[agreement.application_id])
        assert Role.AUDITOR not in roles
        assert cast.client(cast.auditor).post(url, {}).status_code in (403, 404)
    extend = reverse("placements:placement-extend", args=[agreement.application_id])
    answer = cast.client(cast.clerk).post(extend, {"until": "2025-06-30", "document": "东人社〔2024〕1号"})
    assert answer.status_code in (403, 404)
    agreement.refresh_from_db()
    assert agreement.extended_until is None
