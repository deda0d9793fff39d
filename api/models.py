"""Tokens of the read-only data interface (docs/policy.md §13.5).

A token acts for one county in one county role. It owns a hidden service user with a membership
of that role and county, so that the one scoping gate (townships.access) decides what it sees,
as for a person of that role; the user has no password and cannot log in. Only the key's
SHA-256 is stored: the key itself is shown once, when the token is made."""

from django.conf import settings
from django.db import models

from townships.models import County, Role

# The roles a token may act as: the county roles (docs/policy.md §1.2).
TOKEN_ROLES = [(r.value, r.label) for r in (Role.HR, Role.FINANCE, Role.AUDITOR, Role.COUNTY_ADMIN)]


class ApiToken(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="区县")
    name = models.CharField("名称（用途、对接系统）", max_length=100)
    role = models.CharField("以何角色读取", max_length=20, choices=TOKEN_ROLES)
    prefix = models.CharField("令牌前缀", max_length=8, editable=False)
    # sha256 of the key; the authentication looks the token up by it (unique: an index)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name="创建人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"
        ordering = ["county", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"
