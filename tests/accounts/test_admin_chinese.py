"""The admin in Chinese: django-axes's screens, the password rules' messages, and a database
constraint's refusal said as a sentence instead of its name."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from townships.models import Membership, Township

ROOT = Path(__file__).resolve().parent.parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries() -> list[tuple[str, str, str]]:
    """(msgid, msgid_plural or "", msgstr) of our catalogue (a plural entry by its one form)."""
    text = CATALOGUE.read_text()
    pattern = r'msgid "(.+)"\n(?:msgid_plural "(.+)"\n)?msgstr(?:\[0\])? "(.+)"'
    return re.findall(pattern, text)


@pytest.mark.parametrize(("msgid", "plural", "msgstr"), entries())
def test_the_compiled_catalogue_says_what_the_po_file_says(msgid, plural, msgstr) -> None:
    with translation.override("zh-hans"):
        said = translation.ngettext(msgid, plural, 2) if plural else translation.gettext(msgid)
    assert said == msgstr


@pytest.mark.parametrize(
    "page", ["admin:index", "admin:axes_accessattempt_changelist", "admin:axes_accesslog_changelist"]
)
def test_the_lock_out_screens_of_the_admin_are_in_chinese(cast, page) -> None:
    content = cast.client(cast.county_admin).get(reverse(page)).content.decode()
    assert "登录保护" in content
    for english in (
        "Access attempts",
        "Access logs",
        "access attempts",
        "Axes",
        "Attempt Time",
        "IP Address",
    ):
        assert english not in content, english


def test_a_weak_password_in_the_admin_is_refused_in_chinese(cast) -> None:
    url = reverse("admin:auth_user_password_change", args=[cast.clerk.pk])
    form = {"password1": "short1", "password2": "short1", "usable_password": "true"}
    content = cast.client(cast.county_admin).post(url, form).content.decode()
    assert "密码太短，至少需要 10 个字符。" in content
    assert "too short" not in content


@pytest.mark.parametrize(
    ("role", "township", "sentence", "name"),
    [("clerk", False, "乡镇经办人必须选择所属乡镇（街道）。", "membership_clerk_has_township"),
     ("hr", False, "人社局、财政和审计工作人员必须选择所属区县。", "membership_county_role_has_county")],
)  # fmt: skip
def test_a_constraint_refusal_in_the_admin_is_a_sentence(cast, role, township, sentence, name) -> None:
    form = {"user": cast.nobody.pk, "role": role, "county": "", "township": ""}
    page = cast.client(cast.county_admin).post(reverse("admin:townships_membership_add"), form)
    content = page.content.decode()
    assert page.status_code == 200 and sentence in content
    assert name not in content
    assert not Membership.objects.filter(user=cast.nobody).exists()


def test_a_right_membership_is_saved_through_the_admin(cast) -> None:
    town = Township.objects.get(name="沙镇镇")
    form = {"user": cast.nobody.pk, "role": "clerk", "county": town.county_id, "township": town.pk}
    page = cast.client(cast.county_admin).post(reverse("admin:townships_membership_add"), form)
    assert page.status_code == 302
    assert Membership.objects.get(user=cast.nobody).township == town
