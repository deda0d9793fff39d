"""The scoping gate, through the module and through every page that exists so far."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from posts.models import Duty, Post
from townships.access import visible_counties, visible_townships
from townships.models import Membership, Role, Township

PLAN = ("posts:plan-detail", "posts:plan-download")


def test_it_scopes_each_role_to_its_counties_and_townships(cast) -> None:
    assert set(visible_counties(cast.county_admin).values_list("code", flat=True)) == {"371502", "370812"}
    assert list(visible_counties(cast.hr).values_list("code", flat=True)) == ["371502"]
    assert visible_townships(cast.finance).count() == 14
    assert visible_townships(cast.auditor).count() == 14
    assert list(visible_townships(cast.clerk).values_list("code", flat=True)) == ["371502101"]
    assert list(visible_counties(cast.clerk).values_list("code", flat=True)) == ["371502"]


def test_it_fails_closed_for_users_without_a_role_or_inactive(cast) -> None:
    assert not visible_townships(cast.nobody).exists()
    assert not visible_counties(cast.nobody).exists()
    cast.hr.is_active = False
    assert not visible_townships(cast.hr).exists()


def test_it_refuses_a_clerk_without_a_township_in_the_database(cast) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=cast.clerk).update(township=None)


def test_it_refuses_an_hr_membership_without_a_county_in_the_database(cast) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=cast.hr).update(county=None, role=Role.HR)


@pytest.mark.parametrize("name", PLAN)
@pytest.mark.parametrize("who", ["county_admin", "hr", "finance", "auditor", "clerk"])
def test_each_role_reaches_its_own_countys_plan(cast, name, who) -> None:
    response = cast.client(getattr(cast, who)).get(reverse(name, args=["371502", 2022]))
    assert response.status_code == 200


@pytest.mark.parametrize("name", PLAN)
@pytest.mark.parametrize("who", ["hr_other_county", "clerk_other_county", "nobody"])
def test_other_counties_and_unassigned_users_get_404_for_a_plan(cast, name, who) -> None:
    response = cast.client(getattr(cast, who)).get(reverse(name, args=["371502", 2022]))
    assert response.status_code == 404


@pytest.mark.parametrize("url", ["/", "/plans/371502/2022/", "/plans/371502/2022/xlsx/"])
def test_anonymous_visitors_are_sent_to_login(cast, url) -> None:
    response = cast.client(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_clerk_sees_only_their_own_township_on_the_plan_and_home(cast) -> None:
    client = cast.client(cast.clerk)
    plan_page = client.get(reverse("posts:plan-detail", args=["371502", 2022])).content.decode()
    assert "沙镇镇" in plan_page
    assert "堂邑镇" not in plan_page
    home = client.get("/").content.decode()
    assert "沙镇镇" in home and "堂邑镇" not in home and "兖州区" not in home


def test_hr_home_shows_every_township_of_the_county_with_plan_and_filled(cast, django_assert_max_num_queries):
    township = Township.objects.get(code="371502102")
    Post.objects.create(
        code="P-1",
        year=2022,
        township=township,
        village=township.villages.first(),
        line="rural",
        duty=Duty.objects.filter(line="rural").first(),
        status=Post.Status.FILLED,
    )
    client = cast.client(cast.hr)
    with django_assert_max_num_queries(36):  # a fixed number, whatever the number of townships
        response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<meter") == 14
    assert 'value="1"' in page
    assert "兖州区" not in page


def test_a_user_without_a_role_sees_a_clear_page_not_data(cast) -> None:
    response = cast.client(cast.nobody).get("/")
    assert response.status_code == 403
    assert "尚未分配角色" in response.content.decode()


def test_admin_is_for_county_administrators_only(cast) -> None:
    assert cast.client(cast.county_admin).get("/admin/").status_code == 200
    for user in (cast.hr, cast.finance, cast.auditor, cast.clerk):
        response = cast.client(user).get("/admin/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_the_login_page_and_admin_speak_chinese(cast) -> None:
    page = cast.client(None).get(reverse("login")).content.decode()
    assert "登录" in page and "用户名" in page
    admin_page = cast.client(cast.county_admin).get("/admin/").content.decode()
    assert "城乡公益性岗位管理系统" in admin_page and "站点管理" not in admin_page


def test_a_demo_user_can_sign_in_with_the_login_form(cast) -> None:
    client = cast.client(None)
    response = client.post(reverse("login"), {"username": "clerk", "password": "cast-password-1"})
    assert response.status_code == 302
    assert "沙镇镇" in client.get("/").content.decode()
    bad = cast.client(None).post(reverse("login"), {"username": "clerk", "password": "wrong"})
    assert bad.status_code == 200
    assert "请输入一个正确的" in bad.content.decode()
