"""A township clerk makes and stops the village users (村（社区）协管员) of the township's villages on
a page (docs/policy.md §1.2): the one-time password shown once, a taken name refused with what was
typed kept, another township's village or user out of reach (404), and other roles kept out."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from accounts.services import must_change_password
from townships.models import Role, Village


@pytest.fixture
def village(cast) -> Village:
    village = Village.objects.filter(township__code="371502101").order_by("pk").first()
    assert village is not None  # the seeded township has villages
    return village


def test_a_clerk_makes_a_village_user_and_sees_the_one_time_password_once(cast, village) -> None:
    client = cast.client(cast.clerk)
    page = client.post(reverse("accounts:village-users"), {"username": "cun_li", "village": village.pk})
    text = page.content.decode()
    made = User.objects.get(username="cun_li")
    assert (made.membership.role, made.membership.village) == (Role.VILLAGE, village)
    assert must_change_password(made)
    assert "一次性初始密码" in text and village.name in text
    assert "一次性初始密码" not in client.get(reverse("accounts:village-users")).content.decode()


def test_a_taken_name_is_refused_and_the_form_keeps_what_was_typed(cast, village) -> None:
    client = cast.client(cast.clerk)
    client.post(reverse("accounts:village-users"), {"username": "cun_li", "village": village.pk})
    again = client.post(reverse("accounts:village-users"), {"username": "cun_li", "village": village.pk})
    text = again.content.decode()
    assert "该用户名已被使用" in text and 'value="cun_li"' in text
    assert User.objects.filter(username="cun_li").count() == 1


def test_a_village_of_another_township_cannot_be_chosen(cast) -> None:
    other = Village.objects.exclude(township__code="371502101").first()
    assert other is not None  # the seed has villages in other townships
    answer = cast.client(cast.clerk).post(
        reverse("accounts:village-users"), {"username": "x1", "village": other.pk}
    )
    assert answer.status_code == 200 and "选择一个有效的选项" in answer.content.decode()
    assert not User.objects.filter(username="x1").exists()


def test_a_clerk_stops_a_village_user_of_the_township_and_no_other(cast, village) -> None:
    cast.client(cast.clerk).post(
        reverse("accounts:village-users"), {"username": "cun_li", "village": village.pk}
    )
    made = User.objects.get(username="cun_li")
    stop = reverse("accounts:village-user-stop", args=[made.pk])
    assert cast.client(cast.other_clerk).post(stop).status_code == 404
    made.refresh_from_db()
    assert made.is_active
    cast.client(cast.clerk).post(stop)
    made.refresh_from_db()
    assert not made.is_active


@pytest.mark.parametrize("who", ["hr", "finance", "auditor"])
def test_other_roles_do_not_reach_the_page(cast, who) -> None:
    assert cast.client(getattr(cast, who)).get(reverse("accounts:village-users")).status_code == 404
