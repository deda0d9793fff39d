"""Passwords and users: every write here is recorded in the audit log, under the user concerned
(subject auth.user, their county and township), by whoever acts (audit.context)."""

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import Entry
from audit.record import context
from audit.registry import scope_of
from townships.access import get_village_or_404, require_role
from townships.models import County, Membership, Role, Township, Village
from townships.services import user_with_membership_ensure

from .models import Account

# The roles this page gives; a county administrator is made by the system's administrator.
GIVEN_ROLES = [Role.CLERK, Role.HR, Role.FINANCE, Role.AUDITOR]


def _record(user: User, what: str, field: str = "密码") -> None:
    """One entry "field: what" (the password's, unless told) on the user, in their membership's
    county and township."""
    here = context()
    membership = Membership.objects.filter(user=user).first()
    scope = scope_of(membership) if membership else {"subject": f"auth.user:{user.pk}"}
    Entry.objects.log_create(
        user,
        action=Entry.Action.UPDATE,
        changes={field: ["", what]},
        force_log=True,
        via=here["via"],
        actor_id=here["actor_id"],
        remote_addr=here["remote_addr"],
        **scope,
    )


def _flag(user: User, must_change: bool) -> None:
    Account.objects.update_or_create(user=user, defaults={"must_change_password": must_change})


def must_change_password(user: User) -> bool:
    return Account.objects.filter(user=user, must_change_password=True).exists()


@transaction.atomic
def password_change(*, user: User, new_password: str) -> None:
    """The user's own new password (the old one was checked by the form), against the rules in
    force (AUTH_PASSWORD_VALIDATORS); clears a pending 'must change'."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _flag(user, False)
    _record(user, "本人修改")


@transaction.atomic
def password_reset(*, user: User, new_password: str) -> None:
    """A temporary password set by the county administrator: the user must change it at their next
    login. Their open sessions end (Django ties a session to the password)."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _flag(user, True)
    _record(user, "由区县系统管理员重置，须在下次登录时修改")


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    role: str
    county: County
    township: Township | None


@transaction.atomic
def user_create(*, data: NewUser) -> User:
    """A new user of a county with one role (a clerk: of one township of that county), who must
    change the password given here at the first login. Refuses a taken username, a role this
    page does not give, a clerk without a township and a township of another county."""
    if User.objects.filter(username__iexact=data.username).exists():
        raise ValidationError({"username": "该用户名已被使用，请换一个。"})
    if data.role not in GIVEN_ROLES:
        raise ValidationError(
            {"role": "此处只能设置乡镇经办人、人社局工作人员、财政工作人员和审计（只读）角色。"}
        )
    if data.role == Role.CLERK and data.township is None:
        raise ValidationError({"township": "乡镇（街道）经办人员必须选择所属乡镇（街道）。"})
    township = data.township if data.role == Role.CLERK else None
    validate_password(data.password, User(username=data.username))
    user = user_with_membership_ensure(
        username=data.username, password=data.password, role=data.role, county=data.county, township=township
    )
    _flag(user, True)
    return user


def one_time_password() -> str:
    """A password the new user types once, then must change: 12 letters and digits without the
    look-alikes (0 O 1 l I)."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


@transaction.atomic
def village_user_create(*, actor: User, village: Village, username: str) -> tuple[User, str]:
    """A village user (村（社区）协管员, docs/policy.md §1.2) made by a clerk for a village of their
    township: the user and the one-time password to hand over, which must be changed at the
    first login. A village outside the clerk's township answers 404 (townships.access); a taken
    username is refused."""
    require_role(actor, Role.CLERK)
    village = get_village_or_404(actor, village.pk)
    return user_with_one_time_password(
        username=username, role=Role.VILLAGE, county=None, township=village.township, village=village
    )


def username_check(username: str) -> str:
    """The username as it will be stored (trimmed), refused when empty, not of Django's allowed
    characters, or taken (in any letter case)."""
    username = username.strip()
    if not username:
        raise ValidationError({"username": "请填写用户名。"})
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise ValidationError({"username": "用户名只能包含字母、数字、汉字和 @ . + - _。"}) from exc
    if len(username) > 150:
        raise ValidationError({"username": "用户名不能超过150个字符。"})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该用户名已被使用，请换一个。"})
    return username


@transaction.atomic
def user_with_one_time_password(
    *, username: str, role: str, county: County | None, township: Township | None, village: Village | None
) -> tuple[User, str]:
    """A new user with one role and scope (townships.services.membership_check) and a one-time
    password to hand over, which must be changed at the first login (docs/policy.md §1.8)."""
    username = username_check(username)
    password = one_time_password()
    validate_password(password, User(username=username))
    user = user_with_membership_ensure(
        username=username, password=password, role=role, county=county, township=township, village=village
    )
    _flag(user, True)
    return user, password


@transaction.atomic
def village_user_deactivate(*, actor: User, user: User) -> User:
    """A clerk stops a village user of their township's villages: the user can no longer sign in
    (their records stay theirs). Anyone else answers 404 (townships.access)."""
    require_role(actor, Role.CLERK)
    membership = Membership.objects.filter(user=user, role=Role.VILLAGE).first()
    if membership is None:
        raise ValidationError("只能停用村（社区）协管员")
    get_village_or_404(actor, membership.village_id)  # type: ignore[arg-type]  # a village user's membership has a village
    if not user.is_active:
        raise ValidationError("该用户已停用")
    user.is_active = False
    user.save(update_fields=["is_active"])
    _record(user, "由乡镇（街道）经办人停用", field="账号状态")
    return user
