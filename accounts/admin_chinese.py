"""What the admin would say in English and no catalogue can translate: the names Django stores for
its built-in permissions ("Can add user", written into the database by `migrate` whatever the
language), django-axes's records' own names ("Access Log for admin @ …", f-strings in its models)
and the titles of its computed columns, and a warning Django glues to a help text in English.
Installed by accounts.apps.AccountsConfig.ready(); the catalogue's part is in locale/zh_Hans
(tests/accounts/test_admin_chinese.py reads every admin page for English)."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils import timezone, translation

ACTIONS = {"add": "新增", "change": "修改", "delete": "删除", "view": "查看"}


def permission_name(action: str, verbose_name: str) -> str:
    return f"可{ACTIONS[action]}{verbose_name}"


def permissions_in_chinese(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    """After `migrate` created an app's permissions ("Can <action> <model>"), name the built-in
    ones in Chinese. Runs after django.contrib.auth's own handler (accounts comes later in
    INSTALLED_APPS); a permission renamed keeps its name (Django matches them by codename)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    with translation.override("zh-hans"):
        for model in sender.get_models():
            content_type = ContentType.objects.db_manager(using).get_for_model(
                model, for_concrete_model=False
            )
            for action in (a for a in model._meta.default_permissions if a in ACTIONS):
                codename = f"{action}_{model._meta.model_name}"
                english = f"Can {action} {model._meta.verbose_name_raw}"
                Permission.objects.using(using).filter(
                    content_type=content_type, codename=codename, name=english
                ).update(name=permission_name(action, str(model._meta.verbose_name)))


def _attempt_time(value: object) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S}" if value else ""  # type: ignore[arg-type]  # an attempt time: a datetime or None


def axes_records_in_chinese() -> None:
    """django-axes's records as the admin names them (lists, titles, breadcrumbs, deletions)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    AccessLog.__str__ = lambda self: f"{self.username} 的登录记录（{_attempt_time(self.attempt_time)}）"
    AccessAttempt.__str__ = lambda self: f"{self.username} 的登录尝试（{_attempt_time(self.attempt_time)}）"
    AccessFailureLog.__str__ = lambda self: (
        f"{self.username} 登录失败{'并被锁定' if self.locked_out else ''}"
        f"（{_attempt_time(self.attempt_time)}，{self.ip_address}）"
    )


def axes_columns_in_chinese() -> None:
    """django-axes's list of attempts titles two computed columns by their method names."""
    from axes.admin import AccessAttemptAdmin

    AccessAttemptAdmin.status.short_description = "状态"
    AccessAttemptAdmin.expiration.short_description = "失效时间"


def password_help_in_chinese() -> None:
    """Django 5.2 appends the warning of the admin's password form to its translated help text as
    an English string (a lazy string plus a plain one): the same HTML, its sentence translated."""
    from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
    from django.utils.text import format_lazy
    from django.utils.translation import gettext_lazy

    AdminPasswordChangeForm.usable_password_help_text = format_lazy(  # type: ignore[assignment]  # Django renders the lazy string where it shows the help text
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        gettext_lazy("If disabled, the current password for this user will be lost."),
    )


def install() -> None:
    post_migrate.connect(permissions_in_chinese, dispatch_uid="accounts.permissions_in_chinese")
    axes_records_in_chinese()
    axes_columns_in_chinese()
    password_help_in_chinese()
