"""Passwords and users: every write here is recorded in the audit log, under the user concerned
(subject auth.user, their county and township), by whoever acts (audit.context)."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import Entry
from audit.record import context
from audit.registry import scope_of
from townships.models import County, Membership, Role, Township
from townships.services import user_with_membership_ensure

from .models import Account

# The roles this page gives; a county administrator is made by the system's administrator.
GIVEN_ROLES = [Role.CLERK, Role.HR, Role.FINANCE, Role.AUDITOR]


def _record(user: User, what: str) -> None:
    """One entry "密码: what" on the user, in their membership's county and township."""
    here = context()
    membership = Membership.objects.filter(user=user).first()
    scope = scope_of(membership) if membership else {"subject": f"auth.user:{user.pk}"}
    Entry.objects.log_create(
        user,
        action=Entry.Action.UPDATE,
        changes={"密码": ["", what]},
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
