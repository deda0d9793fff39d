"""What a user's account needs beyond Django's User: whether they must choose a new password."""

from django.conf import settings
from django.db import models


class Account(models.Model):
    """Made on first need (accounts.services): a user without one has nothing pending."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account", verbose_name="用户"
    )
    # Set when the county administrator creates the user or resets their password (they know
    # it); cleared when the user chooses their own. Read once at login (accounts.views.Login).
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "账号状态"

    def __str__(self) -> str:
        return str(self.user)
