"""The county administrator's users page: the users of their county only, new users with a role
and a township of that county (never another county's: service, page and admin alike)."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts import services
from audit.models import Entry
from tests.accounts.test_passwords import dongchang_admin  # noqa: F401 (fixture)
from tests.conftest import PASSWORD
from townships.models import County, Membership, Role, Township
from townships.services import user_with_membership_ensure

FIRST = "Chushi-mima-2026"
CREATE = reverse("accounts:user-create")


def new_user(**changes: str) -> dict[str, str]:
    form = {"username": "clerk_new", "role": "clerk", "new_password1": FIRST, "new_password2": FIRST}
    return form | changes


def ids(name: str) -> dict[str, str]:
    township = Township.objects.get(name=name)
    return {"county": str(township.county_id), "township": str(township.pk)}


def test_the_list_shows_the_users_of_the_county_only(cast, dongchang_admin) -> None:  # noqa: F811
    page = cast.client(dongchang_admin).get(reverse("accounts:user-list")).content.decode()
    for user in (cast.hr, cast.finance, cast.auditor, cast.clerk, cast.other_clerk):
        assert f"<td>{user.username}</td>" in page
    for user in (cast.hr_other_county, cast.clerk_other_county, cast.nobody):
        assert f"<td>{user.username}</td>" not in page


def test_the_county_administrator_creates_a_clerk_who_must_change_the_first_password(
    cast,
    dongchang_admin,  # noqa: F811
) -> None:
    response = cast.client(dongchang_admin).post(CREATE, new_user(**ids("沙镇镇")))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:user-list")
    user = User.objects.get(username="clerk_new")
    assert user.membership.township is not None  # a clerk is tied to a township
    assert (user.membership.role, user.membership.township.name) == (Role.CLERK, "沙镇镇")
    assert not user.is_staff and not user.is_superuser
    entry = Entry.objects.get(subject=f"auth.user:{user.pk}", action=Entry.Action.CREATE)
    assert entry.actor_id == dongchang_admin.pk and entry.township.name == "沙镇镇"
    client = Client()
    client.post(reverse("login"), {"username": "clerk_new", "password": FIRST})
    assert client.get(reverse("home"))["Location"] == reverse("accounts:password-change")


def test_a_township_of_another_county_is_refused_on_the_page(cast, dongchang_admin) -> None:  # noqa: F811
    page = cast.client(dongchang_admin).post(CREATE, new_user(**ids("鼓楼街道")))
    assert page.status_code == 200 and "选择一个有效的选项" in page.content.decode()
    assert not User.objects.filter(username="clerk_new").exists()


def test_the_all_counties_administrator_cannot_mix_county_and_township(cast) -> None:
    form = new_user(county=str(County.objects.get(code="370812").pk), township=ids("沙镇镇")["township"])
    page = cast.client(cast.county_admin).post(CREATE, form)
    assert page.status_code == 200 and "沙镇镇不属于兖州区" in page.content.decode()
    assert not User.objects.filter(username="clerk_new").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": "clerk"}, "该用户名已被使用"),
        ({"role": "county_admin"}, "选择一个有效的选项"),
        ({"township": ""}, "乡镇（街道）经办人员必须选择所属乡镇（街道）"),
        ({"new_password1": "12345678", "new_password2": "12345678"}, "密码太短"),
    ],
)
def test_bad_new_users_are_refused_in_chinese(cast, dongchang_admin, changes, message) -> None:  # noqa: F811
    form = new_user(**ids("沙镇镇")) | changes
    before = User.objects.count()
    page = cast.client(dongchang_admin).post(CREATE, form)
    assert page.status_code == 200 and message in page.content.decode()
    assert User.objects.count() == before


def test_a_county_role_is_given_no_township(cast, dongchang_admin) -> None:  # noqa: F811
    cast.client(dongchang_admin).post(CREATE, new_user(username="hr_new", role="hr", **ids("沙镇镇")))
    membership = Membership.objects.get(user__username="hr_new")
    assert membership.county is not None  # HR is tied to a county
    assert (membership.role, membership.county.name, membership.township) == (Role.HR, "东昌府区", None)


def test_the_membership_service_refuses_a_township_of_another_county(cast) -> None:
    with pytest.raises(ValidationError, match="沙镇镇不属于兖州区"):
        user_with_membership_ensure(
            username="clerk_yz2",
            password=PASSWORD,
            role=Role.CLERK,
            county=County.objects.get(code="370812"),
            township=Township.objects.get(name="沙镇镇"),
        )
    assert not User.objects.filter(username="clerk_yz2").exists()


def test_the_admin_refuses_a_clerk_of_one_county_for_a_township_of_another(cast) -> None:
    form = {
        "user": cast.nobody.pk,
        "role": "clerk",
        **ids("沙镇镇"),
        "county": County.objects.get(code="370812").pk,
    }
    page = cast.client(cast.county_admin).post(reverse("admin:townships_membership_add"), form)
    assert page.status_code == 200
    assert "沙镇镇不属于兖州区" in page.content.decode()
    assert not Membership.objects.filter(user=cast.nobody).exists()


def test_only_the_county_administrator_creates_users(cast) -> None:
    for who in (cast.hr, cast.clerk, cast.nobody):
        assert cast.client(who).post(CREATE, new_user(**ids("沙镇镇"))).status_code == 404
    assert not User.objects.filter(username="clerk_new").exists()


def test_the_service_refuses_a_role_the_page_does_not_give(cast) -> None:
    data = services.NewUser("boss", FIRST, Role.COUNTY_ADMIN, County.objects.get(code="371502"), None)
    with pytest.raises(ValidationError):
        services.user_create(data=data)
