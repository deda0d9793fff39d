"""What an agreement says (docs/policy.md §5.7, §8, issue 17): its monthly amount is the subsidy policy's,
priced as the payroll prices a full month, and its working time and duties are the post's.
Nobody types them; the services write them and the pages compare what an older agreement
recorded with what the policy pays.

The amount comes from subsidies (the payroll's own rule, subsidies.payroll.month_policies), which
sits above placements: imported where it is used, so that neither app loads the other at start."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from posts.models import WORKING_TIME, Post
from townships.models import County, Line

from .models import Agreement, Application, Placement


@dataclass(frozen=True)
class Pay:
    """The policy's terms for an agreement starting on a day."""

    monthly: Decimal  # a full month's pay, as the payroll computes it for the start's month
    required_days: int  # 每月规定出勤天数
    document: str  # the policy's document


def agreement_pay(county: County, line: str, start: dt.date) -> Pay:
    """The policy in force on `start` for the county and line, and what it pays for a full month
    of `start`'s month (a policy paid by the minimum hourly wage takes the wage of that day).
    ValidationError when no policy (or no minimum wage it needs) is in force that day."""
    from subsidies.payroll import month_policies, policy_in_force

    full, required = month_policies(county, start, {line})
    return Pay(full[line].pay, required[line], policy_in_force(county, line, start).document)


def imported_pay(county: County, line: str, start: dt.date, end: dt.date) -> Decimal:
    """The new pay of an imported (新老衔接) holder's agreement: the policy in force at its start,
    or, for an agreement from before the county's first policy of the line, at the day that policy
    took effect (the first day the new scheme pays it). ValidationError when no policy of the
    line takes effect within the agreement."""
    from subsidies.models import SubsidyPolicy

    if not SubsidyPolicy.objects.filter(county=county, line=line, valid_from__lte=start).exists():
        first = SubsidyPolicy.objects.filter(county=county, line=line, valid_from__lte=end)
        start = first.order_by("valid_from").values_list("valid_from", flat=True).first() or start
    return agreement_pay(county, line, start).monthly


def post_working_time(post: Post) -> str:
    """The post's working time (posts.models.WORKING_TIME of its line unless it says otherwise)."""
    return post.working_time or WORKING_TIME[Line(post.line)]


def agreement_terms(application: Application, start: dt.date) -> dict[str, object]:
    """The fields of an agreement of `application` starting on `start` that the policy and the
    post decide: monthly_pay, working_time, duties (and the village it is signed with)."""
    post = application.post
    pay = agreement_pay(application.township.county, application.line, start)
    return {
        "monthly_pay": pay.monthly,
        "working_time": post_working_time(post),
        "duties": str(post.duty.name),
        "village": post.village,
    }


def expected_pay(agreement: Agreement, placement: Placement | None) -> Decimal | None:
    """What the agreement's months are paid: the old agreement's pay for a holder on old terms
    (新老衔接), else the policy in force at its start (None when no policy is in force then)."""
    if placement is not None and placement.legacy_pay is not None:
        return placement.legacy_pay
    application = agreement.application
    try:
        return agreement_pay(application.township.county, application.line, agreement.start_date).monthly
    except ValidationError:
        return None


def pay_mismatches(application: Application, placement: Placement | None) -> list[str]:
    """A warning for each agreement of the application whose recorded monthly amount is not what
    the payroll pays (an amount typed before agreements were priced from the policy)."""
    warnings = []
    for agreement in application.agreements.all():
        expected = expected_pay(agreement, placement)
        if expected is not None and agreement.monthly_pay != expected:
            warnings.append(
                f"第{agreement.number}份协议记载的月补贴标准为{agreement.monthly_pay:,.2f}元，"
                f"与补贴发放标准{expected:,.2f}元不一致：补贴按{expected:,.2f}元计发，请核对协议"
            )
    return warnings


@dataclass(frozen=True)
class Printed:
    """What an agreement's print says: the post's working time and duties, the policy's pay."""

    monthly: Decimal
    working_time: str
    duties: str
    required_days: int | None  # None: old terms (新老衔接), the old agreement's
    document: str
    warning: str  # on screen only: the recorded amount differs from what is paid


def agreement_printed(agreement: Agreement, placement: Placement | None) -> Printed:
    """The print of an agreement: what the post and the policy say (the old agreement's pay for a
    holder on old terms), with a warning when the amount recorded on the agreement differs."""
    application = agreement.application
    post = application.post
    if placement is not None and placement.legacy_pay is not None:
        monthly, required, document = placement.legacy_pay, None, "原协议待遇（区级承担）"
    else:
        try:
            pay = agreement_pay(application.township.county, application.line, agreement.start_date)
            monthly, required, document = pay.monthly, pay.required_days, pay.document
        except ValidationError:
            monthly, required, document = agreement.monthly_pay, None, ""
    warning = ""
    if monthly != agreement.monthly_pay:
        warning = (
            f"本协议记载的月补贴标准为{agreement.monthly_pay:,.2f}元，与补贴发放标准不一致；"
            f"打印件按发放标准{monthly:,.2f}元载明"
        )
    return Printed(monthly, post_working_time(post), str(post.duty.name), required, document, warning)


@dataclass(frozen=True)
class Offer:
    """What the agreement form shows before signing: the policy's pay on a day and the post's terms."""

    pay: Pay | None
    working_time: str
    duties: str
    problem: str  # why no amount can be given (no policy in force that day)


def agreement_offer(application: Application, on: dt.date) -> Offer:
    """The amount and terms an agreement of `application` starting on `on` would carry."""
    post = application.post
    try:
        pay, problem = agreement_pay(application.township.county, application.line, on), ""
    except ValidationError as exc:
        pay, problem = None, "；".join(exc.messages)
    return Offer(pay, post_working_time(post), str(post.duty.name), problem)
