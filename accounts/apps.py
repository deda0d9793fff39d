from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "账号"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .admin_chinese import install

        install()  # built-in permission names and django-axes's record names in Chinese


class AxesConfig(AxesAppConfig):
    """django-axes under a Chinese name in the admin (its own has none)."""

    verbose_name = "登录保护"
