"""Every user changes their own password (old one, the rules in force, Chinese messages); the
county administrator resets a password of a user of their county, who must change it at the next
login; each change is in the audit log."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from audit.models import Entry
from tests.conftest import PASSWORD
from townships.models import County, Role
from townships.services import user_with_membership_ensure

NEW = "Qingshui-river-2026"
CHANGE = reverse("accounts:password-change")


def change(client: Client, old: str, new: str, again: str | None = None):
    form = {"old_password": old, "new_password1": new, "new_password2": again or new}
    return client.post(CHANGE, form)


def password_entries(user: User) -> list[tuple[str, int | None]]:
    entries = Entry.objects.filter(subject=f"auth.user:{user.pk}", changes__has_key="密码")
    return [(e.changes["密码"][1], e.actor_id) for e in entries.order_by("id")]


@pytest.fixture
def dongchang_admin(cast) -> User:
    """A county administrator of 东昌府区 (the cast's own sees every county)."""
    county = County.objects.get(code="371502")
    return user_with_membership_ensure(
        username="admin_dc", password=PASSWORD, role=Role.COUNTY_ADMIN, county=county
    )


@pytest.mark.parametrize("who", ["clerk", "hr", "finance", "auditor", "county_admin"])
def test_every_role_changes_its_own_password(cast, who) -> None:
    user = getattr(cast, who)
    client = cast.client(user)
    assert client.get(CHANGE).status_code == 200
    response = change(client, PASSWORD, NEW)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert client.get(reverse("home")).status_code == 200  # still logged in on this window
    assert password_entries(user) == [("本人修改", user.pk)]


def test_the_clerks_change_is_in_their_townships_log(cast) -> None:
    change(cast.client(cast.clerk), PASSWORD, NEW)
    entry = Entry.objects.get(subject=f"auth.user:{cast.clerk.pk}", changes__has_key="密码")
    assert entry.township.code == "371502101" and entry.county.code == "371502"
    assert NEW not in str(entry.changes)


def test_a_wrong_old_password_changes_nothing(cast) -> None:
    page = change(cast.client(cast.clerk), "not-my-password", NEW)
    assert page.status_code == 200
    assert "你的旧密码不正确" in page.content.decode()
    cast.clerk.refresh_from_db()
    assert cast.clerk.check_password(PASSWORD) and password_entries(cast.clerk) == []


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("12345678", "密码太短，至少需要 10 个字符。"),
        ("1234567890", "密码只包含数字。"),
        ("password123", "这个密码太常见了。"),
    ],
)
def test_a_weak_new_password_is_refused_in_chinese(cast, new, message) -> None:
    page = change(cast.client(cast.clerk), PASSWORD, new)
    assert page.status_code == 200
    assert message in page.content.decode()
    cast.clerk.refresh_from_db()
    assert cast.clerk.check_password(PASSWORD)


def test_a_password_like_the_username_is_refused(cast) -> None:
    page = change(cast.client(cast.finance), PASSWORD, "finance2026")
    assert "密码跟 用户名 太相似了。" in page.content.decode()


def test_two_different_new_passwords_are_refused(cast) -> None:
    page = change(cast.client(cast.clerk), PASSWORD, NEW, NEW + "x")
    assert "输入的两个密码不一致" in page.content.decode()


def test_the_county_administrator_resets_and_the_user_must_change_it_at_next_login(
    cast, dongchang_admin
) -> None:
    clerk_window = cast.client(cast.clerk)
    url = reverse("accounts:user-password-reset", args=[cast.clerk.pk])
    response = cast.client(dongchang_admin).post(url, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:user-list")
    assert password_entries(cast.clerk) == [("由区县系统管理员重置，须在下次登录时修改", dongchang_admin.pk)]
    # the clerk's open window is logged out (the session was tied to the old password)
    assert clerk_window.get(reverse("home"))["Location"].startswith(reverse("login"))
    client = Client()
    assert client.post(reverse("login"), {"username": "clerk", "password": NEW}).status_code == 302
    for page in (reverse("home"), reverse("people:person-list"), "/admin/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"] == CHANGE, page
    assert "请先设置一个只有您自己知道的新密码" in client.get(CHANGE).content.decode()
    assert change(client, NEW, "Another-good-one-7")["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("people:person-list")).status_code == 200
    # and the next login goes straight on
    again = Client()
    again.post(reverse("login"), {"username": "clerk", "password": "Another-good-one-7"})
    assert again.get(reverse("home")).status_code == 200


def test_a_reset_for_a_user_of_another_county_is_404_and_changes_nothing(cast, dongchang_admin) -> None:
    url = reverse("accounts:user-password-reset", args=[cast.hr_other_county.pk])
    client = cast.client(dongchang_admin)
    assert client.get(url).status_code == 404
    assert client.post(url, {"new_password1": NEW, "new_password2": NEW}).status_code == 404
    cast.hr_other_county.refresh_from_db()
    assert cast.hr_other_county.check_password(PASSWORD) and password_entries(cast.hr_other_county) == []


def test_a_weak_reset_password_is_refused(cast, dongchang_admin) -> None:
    url = reverse("accounts:user-password-reset", args=[cast.clerk.pk])
    page = cast.client(dongchang_admin).post(url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert page.status_code == 200 and "密码太短" in page.content.decode()
    cast.clerk.refresh_from_db()
    assert cast.clerk.check_password(PASSWORD)


@pytest.mark.parametrize("who", ["hr", "finance", "auditor", "clerk"])
def test_only_the_county_administrator_resets_passwords(cast, who) -> None:
    url = reverse("accounts:user-password-reset", args=[cast.other_clerk.pk])
    client = cast.client(getattr(cast, who))
    assert client.post(url, {"new_password1": NEW, "new_password2": NEW}).status_code == 404
    assert client.get(reverse("accounts:user-list")).status_code == 404
    cast.other_clerk.refresh_from_db()
    assert cast.other_clerk.check_password(PASSWORD)


def test_a_county_administrator_cannot_reset_another_administrators_password(cast, dongchang_admin) -> None:
    """Another administrator of the county (or Django staff) would be taken over by a colleague:
    the page offers no reset for them and the address answers 404, changing nothing."""
    colleague = user_with_membership_ensure(
        username="admin_dc2",
        password=PASSWORD,
        role=Role.COUNTY_ADMIN,
        county=County.objects.get(code="371502"),
    )
    staff_clerk = cast.other_clerk
    staff_clerk.is_staff = True
    staff_clerk.save()
    client = cast.client(dongchang_admin)
    listing = client.get(reverse("accounts:user-list")).content.decode()
    for user in (colleague, staff_clerk):
        url = reverse("accounts:user-password-reset", args=[user.pk])
        assert user.username in listing and url not in listing
        assert client.post(url, {"new_password1": NEW, "new_password2": NEW}).status_code == 404
        user.refresh_from_db()
        assert user.check_password(PASSWORD) and password_entries(user) == []
    assert reverse("accounts:user-password-reset", args=[cast.clerk.pk]) in listing
