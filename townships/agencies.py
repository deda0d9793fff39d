"""Contracted third-party agencies (第三方人力资源服务机构, docs/policy.md §1.5): the county administrator
records an agency, its contracts (townships, dates, the acts granted) and its staff. What the staff
may do is decided by the gate (townships.access.may_act) from the contracts, at the act's date."""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Agency, AgencyContract, County, Membership, Role, Township

# GB 32100-2015: 18 characters of this alphabet (no I, O, S, V, Z); the last is a check character.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check(code: str) -> None:
    """Refuses a 统一社会信用代码 that is not 18 characters of its alphabet or whose check character
    is wrong (a mistyped character is caught here, not at the bank or the tax office)."""
    if len(code) != 18 or any(c not in ALPHABET for c in code):
        raise ValidationError(
            {"credit_code": "统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）。"}
        )
    total = sum(ALPHABET.index(c) * w for c, w in zip(code[:17], WEIGHTS, strict=True))
    if ALPHABET[(31 - total % 31) % 31] != code[17]:
        raise ValidationError(f"统一社会信用代码{code}的校验位不正确，请核对。")


@transaction.atomic
def agency_create(*, county: County, name: str, credit_code: str) -> Agency:
    credit_code = credit_code.strip().upper()
    credit_code_check(credit_code)
    agency = Agency(county=county, name=name.strip(), credit_code=credit_code)
    agency.full_clean()
    agency.save()
    return agency


def contract_check(
    *,
    agency: Agency,
    townships: Iterable[Township],
    start_date: dt.date,
    end_date: dt.date,
    contract: AgencyContract | None = None,
) -> None:
    """Refuses (in Chinese) a contract ending before it starts, a township of another county, and
    a contract overlapping another of the same agency for one of its townships (naming it): the
    rights of a township on a day come from one contract."""
    if end_date < start_date:
        raise ValidationError({"end_date": "合同结束日期不能早于开始日期。"})
    townships = list(townships)
    if not townships:
        raise ValidationError({"townships": "请选择合同服务的乡镇（街道）。"})
    foreign = [t.name for t in townships if t.county_id != agency.county_id]
    if foreign:
        raise ValidationError({"townships": f"{'、'.join(foreign)}不属于{agency.county.name}。"})
    others = AgencyContract.objects.filter(
        agency=agency, townships__in=townships, start_date__lte=end_date, end_date__gte=start_date
    )
    if contract is not None and contract.pk:
        others = others.exclude(pk=contract.pk)
    other = others.distinct().order_by("start_date").first()
    if other is not None:
        shared = "、".join(
            other.townships.filter(pk__in=[t.pk for t in townships]).values_list("name", flat=True)
        )
        raise ValidationError(
            f"与本机构的合同{other.number}（{other.start_date}至{other.end_date}）在{shared}的期限重叠；"
            "请先修改或终止该合同。"
        )


@transaction.atomic
def contract_create(
    *,
    agency: Agency,
    number: str,
    townships: Iterable[Township],
    start_date: dt.date,
    end_date: dt.date,
    attendance: bool = False,
    assessment: bool = False,
    applicants: bool = False,
    document: str = "",
    actor: User | None = None,
) -> AgencyContract:
    """Record a contract (docs/policy.md §1.5); refused as a whole by contract_check or the model."""
    townships = list(townships)
    # one contract at a time per agency: two recorded at once cannot both pass the overlap check
    Agency.objects.select_for_update().get(pk=agency.pk)
    contract_check(agency=agency, townships=townships, start_date=start_date, end_date=end_date)
    contract = AgencyContract(
        agency=agency,
        number=number.strip(),
        start_date=start_date,
        end_date=end_date,
        attendance=attendance,
        assessment=assessment,
        applicants=applicants,
        document=document.strip(),
        recorded_by=actor,
    )
    contract.full_clean()
    contract.save()
    contract.townships.set(townships)
    return contract


@transaction.atomic
def agency_user_ensure(*, agency: Agency, username: str, password: str) -> User:
    """Create or reset a user of the agency's staff (role 第三方机构人员); they see and do only what
    the agency's running contracts grant (townships.access.may_act)."""
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_active, user.is_staff, user.is_superuser = True, False, False
    user.save()
    membership = Membership(user=user, role=Role.AGENCY, agency=agency)
    membership.full_clean(exclude=["user"])
    Membership.objects.update_or_create(
        user=user,
        defaults={"role": Role.AGENCY, "agency": agency, "county": None, "township": None, "village": None},
    )
    return user


def agency_name_of(user: User | None) -> str:
    """The agency a user acts for (its name), or "" for anyone else: the audit log names it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    try:
        membership = user.membership
    except Membership.DoesNotExist:
        return ""
    if membership.role != Role.AGENCY or membership.agency_id is None:
        return ""
    return membership.agency.name  # type: ignore[union-attr]  # checked above


def contracts_running(*, agency: Agency, on: dt.date) -> list[AgencyContract]:
    """The agency's contracts running on `on`, with their townships (the staff's landing page)."""
    running = agency.contracts.filter(start_date__lte=on, end_date__gte=on).prefetch_related("townships")
    return list(running.order_by("number"))
