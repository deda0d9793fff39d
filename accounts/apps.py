from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "账号"
    default_auto_field = "django.db.models.BigAutoField"


class AxesConfig(AxesAppConfig):
    """django-axes under a Chinese name in the admin (its own has none)."""

    verbose_name = "登录保护"
