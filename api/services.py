"""Making and revoking interface tokens (docs/policy.md §13.5)."""

import hashlib
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from townships.access import has_role, visible_counties
from townships.models import County, Membership, Role

from .models import TOKEN_ROLES, ApiToken


def key_hash(key: str) -> str:
    """The stored form of a key: its SHA-256 (a key is 32 random bytes, no salt or stretching needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


def _admin_check(actor: User, county: County) -> None:
    if not has_role(actor, Role.COUNTY_ADMIN) or not visible_counties(actor).filter(pk=county.pk).exists():
        raise ValidationError("只有本区县的区县管理员可以创建或吊销接口令牌")


@transaction.atomic
def token_create(*, county: County, name: str, role: str, actor: User) -> tuple[ApiToken, str]:
    """A new token and its key (shown once, never stored). Its service user holds a membership
    of `role` in `county`, with no usable password (it cannot log in)."""
    _admin_check(actor, county)
    if role not in dict(TOKEN_ROLES):
        raise ValidationError("接口令牌只能以区县角色（人社、财政、审计、区县管理员）读取")
    if not name.strip():
        raise ValidationError("请填写令牌名称")
    key = secrets.token_urlsafe(32)
    prefix = key[:8]
    user = User(username=f"api-{prefix}-{secrets.token_hex(4)}", first_name=f"接口令牌：{name.strip()}"[:150])
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, role=role, county=county)
    token = ApiToken.objects.create(
        county=county,
        name=name.strip(),
        role=role,
        prefix=prefix,
        key_hash=key_hash(key),
        user=user,
        created_by=actor,
    )
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User) -> None:
    """Revoke the token: every later call with its key answers 401. Its user is deactivated too,
    so the gate gives it nothing even if it were reached."""
    _admin_check(actor, token.county)
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    User.objects.filter(pk=token.user_id).update(is_active=False)


def token_find(key: str) -> ApiToken | None:
    """The live token of `key` with its user and membership (one query), or None."""
    return (
        ApiToken.objects.select_related("user__membership", "county")
        .filter(key_hash=key_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
