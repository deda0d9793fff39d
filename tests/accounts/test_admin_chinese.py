"""The admin in Chinese: every admin page a county administrator opens (lists, forms, histories,
deletions, the user and password forms with their errors) read for English; django-axes's screens
and records, the built-in permissions' names, the password rules' messages; and every database
constraint's refusal said as a sentence instead of its name."""

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.models import Permission, User
from django.db.models import BaseConstraint
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import translation

from subsidies.models import MinimumWage, SubsidyPolicy
from tests.conftest import PASSWORD
from townships.models import County, Membership, Plan, Township, Village

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
    [
        ("clerk", False, "乡镇经办人必须选择所属乡镇（街道）。", "membership_clerk_has_township"),
        ("hr", False, "人社局、财政和审计工作人员必须选择所属区县。", "membership_county_role_has_county"),
    ],
)
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


# --- every admin page, read for English -----------------------------------------------------------


class VisibleText(HTMLParser):
    """What a user reads or a screen reader says: text outside scripts and styles, titles,
    placeholders, labels, image alternatives and button values."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        found = dict(attrs)
        if tag == "img" and "admin/img/icon-" in (found.get("src") or ""):
            return  # Django's yes/no icons: alt="True"/"False" is written by Python, see README
        for name in ("title", "placeholder", "aria-label", "alt"):
            if found.get(name):
                self.parts.append(found[name])  # type: ignore[arg-type]
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.parts.append(found["value"])  # type: ignore[arg-type]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


# Latin words a Chinese page may hold: protocol and product names in Django's own Chinese texts.
# GBK and UTF-8: the encodings a bank's file is written in (payments.BankLayout), named as banks name them.
TECHNICAL = {
    "HTTP",
    "Accept",
    "GET",
    "POST",
    "IP",
    "sha",
    "LDAP",
    "Control",
    "Command",
    "Mac",
    "unknown",
    "GBK",
    "UTF",
}


def english_words(html: str, allowed: set[str]) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return [
        word
        for part in parser.parts
        for word in re.findall(r"[A-Za-z]{2,}", part)
        if word not in allowed and word not in TECHNICAL
    ]


def admin_pages() -> list[str]:
    """Every admin page of a registered model: list, add, and for its first row change,
    history and delete; the index and each app's page."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{info}_changelist"), reverse(f"{info}_add")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls += [reverse(f"{info}_{view}", args=[first.pk]) for view in ("change", "history", "delete")]
        urls.append(reverse("admin:app_list", args=[model._meta.app_label]))
    return list(dict.fromkeys(urls))


def data_words() -> set[str]:
    """Latin words that are data, not interface: user names, and codes stored in the rows."""
    from axes.models import AccessAttempt, AccessLog

    from posts.models import PostCategory

    values = [*User.objects.values_list("username", flat=True)]
    for password in User.objects.values_list("password", flat=True):  # summarised on a user's page
        values += [str(v) for v in identify_hasher(password).safe_summary(password).values()]
    values += [str(code) for code in PostCategory.objects.values_list("code", flat=True)]
    for row in AccessAttempt.objects.values("path_info", "get_data", "post_data"):
        values += row.values()  # what a login attempt sent, shown as it came
    values += AccessLog.objects.values_list("path_info", flat=True)
    return {word for value in values for word in re.findall(r"[A-Za-z]{2,}", value)}


def test_no_admin_page_of_a_county_administrator_says_english(cast) -> None:
    client = cast.client(cast.county_admin)
    Client().post(reverse("login"), {"username": "admin", "password": "wrong"})  # axes rows to list
    allowed = data_words()
    found: dict[str, list[str]] = {}
    pages = admin_pages()
    assert len(pages) > 60
    for url in pages:
        page = client.get(url)
        assert page.status_code in (200, 403), url  # 403: adding is refused (runs, axes records)
        words = english_words(page.content.decode(), allowed)
        if words:
            found[url] = sorted(set(words))
    assert not found, found


def test_the_user_and_password_forms_of_the_admin_answer_errors_in_chinese(cast) -> None:
    client = cast.client(cast.county_admin)
    allowed = data_words()
    change_password = reverse("admin:auth_user_password_change", args=[cast.clerk.pk])

    def passwords(one: str, two: str) -> dict[str, str]:
        return {"password1": one, "password2": two, "usable_password": "true"}

    own = {"old_password": "wrong", "new_password1": "new-password-1", "new_password2": "new-password-1"}
    pages = {
        "login": Client().post("/admin/login/", {"username": "someone", "password": "wrong"}),
        "password": client.post(change_password, passwords("abc", "abd")),
        "common": client.post(change_password, passwords("password123", "password123")),
        "numeric": client.post(change_password, passwords("1234567890123", "1234567890123")),
        "new user": client.post(reverse("admin:auth_user_add"), {"username": "admin", **passwords("a", "b")}),
        "own password": client.post(reverse("admin:password_change"), own),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name  # refused, shown again with the errors
        assert english_words(page.content.decode(), allowed) == [], name
    said = {name: page.content.decode() for name, page in pages.items()}
    assert "输入的两个密码不一致。" in said["password"]
    assert "这个密码太常见了。" in said["common"] and "密码只包含数字。" in said["numeric"]
    assert "已存在一位使用该名字的用户。" in said["new user"]
    assert "旧密码不正确" in said["own password"]
    cast.clerk.refresh_from_db()
    assert cast.clerk.check_password(PASSWORD)


def test_built_in_permissions_are_named_in_chinese(db) -> None:
    """`migrate` writes "Can add user"; the names the admin's user and group forms list are Chinese."""
    assert Permission.objects.get(codename="add_user").name == "可新增用户"
    assert Permission.objects.get(codename="view_membership").name == "可查看用户角色"
    assert Permission.objects.get(codename="delete_accesslog").name == "可删除登录记录"
    assert not Permission.objects.filter(name__startswith="Can ")


def test_the_lock_out_records_are_named_in_chinese(cast) -> None:
    from axes.models import AccessAttempt, AccessLog

    client = Client()
    for _ in range(2):
        client.post(reverse("login"), {"username": "clerk", "password": "wrong"})
    attempt = AccessAttempt.objects.get(username="clerk")
    assert str(attempt).startswith("clerk 的登录尝试（20")
    Client().post(reverse("login"), {"username": "clerk", "password": PASSWORD})
    assert str(AccessLog.objects.filter(username="clerk").latest("pk")).startswith("clerk 的登录记录（20")


# --- a constraint's refusal is a sentence ----------------------------------------------------------

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_constraint_of_the_apps_says_a_chinese_sentence() -> None:
    ours = [config for config in apps.get_app_configs() if (Path(config.path).parent == ROOT)]
    missing = []
    for config in ours:
        for model in config.get_models():
            for constraint in model._meta.constraints:
                message = constraint.violation_error_message
                if message == BaseConstraint.default_violation_error_message:
                    missing.append(constraint.name)
                else:
                    text = str(message)  # the message as the page shows it
                    assert HAN.search(text) and text.endswith("。"), (constraint.name, message)
                    assert constraint.name not in text
    assert missing == []


def form_of(obj: object, **changes: object) -> dict[str, object]:
    """An admin form's fields for `obj` as the browser posts them (an unticked box is absent)."""
    data = {**model_to_dict(obj), **changes}  # type: ignore[arg-type]
    form: dict[str, object] = {}
    for name, value in data.items():
        if value is None:
            form[name] = ""
        elif value is True:
            form[name] = "on"
        elif value is not False:
            form[name] = value
    return form


def refused(client: Client, url: str, form: dict[str, object]) -> str:
    page = client.post(url, form)
    assert page.status_code == 200, f"{url} saved it ({page.status_code})"
    return page.content.decode()


def test_a_second_village_of_the_same_name_is_refused_in_a_sentence(cast) -> None:
    village = Village.objects.order_by("pk").first()
    assert village is not None  # the seed has villages
    content = refused(
        cast.client(cast.county_admin), reverse("admin:townships_village_add"), form_of(village)
    )
    assert "这个乡镇（街道）已有同名的村（社区）。" in content
    assert "village_unique_name_per_township" not in content
    assert Village.objects.filter(township=village.township, name=village.name).count() == 1


def test_a_second_plan_of_a_county_and_year_is_refused_in_a_sentence(cast) -> None:
    plan = Plan.objects.order_by("pk").first()
    assert plan is not None  # the seed has plans
    inline = {"quotas-TOTAL_FORMS": "0", "quotas-INITIAL_FORMS": "0"}
    content = refused(
        cast.client(cast.county_admin), reverse("admin:townships_plan_add"), form_of(plan, **inline)
    )
    assert "本区县这一年度已有开发计划，请修改原有的那一份，不要重复创建。" in content
    assert Plan.objects.filter(county=plan.county, year=plan.year).count() == 1


def test_a_second_minimum_wage_from_the_same_date_is_refused_in_a_sentence(cast) -> None:
    wage = MinimumWage.objects.order_by("pk").first()
    content = refused(
        cast.client(cast.county_admin), reverse("admin:subsidies_minimumwage_add"), form_of(wage)
    )
    assert "本区县这一施行日期已有最低工资标准，请修改原有的那一条，不要重复录入。" in content
    assert "minimum_wage_once_per_date" not in content


def test_a_policy_twice_or_ending_before_it_starts_is_refused_in_a_sentence(cast) -> None:
    policy = SubsidyPolicy.objects.order_by("pk").first()
    assert policy is not None  # the seed has subsidy policies
    client = cast.client(cast.county_admin)
    content = refused(client, reverse("admin:subsidies_subsidypolicy_add"), form_of(policy))
    assert "本区县这一城乡类别在这一起始日期已有补贴标准，请修改原有的那一条，不要重复录入。" in content
    before = policy.valid_from - dt.timedelta(days=1)
    url = reverse("admin:subsidies_subsidypolicy_change", args=[policy.pk])
    content = refused(client, url, form_of(policy, valid_to=before))
    assert "截止日期不能早于起始日期。" in content and "policy_period" not in content
    policy.refresh_from_db()
    assert policy.valid_to != before


def test_two_people_switched_off_without_a_reason_is_refused_in_a_sentence(cast) -> None:
    county = County.objects.get(code="371502")
    url = reverse("admin:townships_county_change", args=[county.pk])
    content = refused(cast.client(cast.county_admin), url, form_of(county, payroll_two_people=False))
    assert "关闭补贴核算双人审核须写明原因（依据）。" in content
    county.refresh_from_db()
    assert county.payroll_two_people
