from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "公共"

    def ready(self) -> None:
        from . import lookups  # noqa: F401  (registers field__any)
