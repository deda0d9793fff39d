"""Writes for the placement procedure. Each service validates first, changes nothing when
anything is wrong (ValidationError in Chinese), and moves applications only through
procedure.move(). County approval takes the quota row lock; the database's partial unique
constraints are the last word on one post per person and one holder per post.

Dates run forward (docs/policy.md §6.2): announcement ≤ application ≤ review ≤ publicity start; approval
after publicity has ended; agreement ≥ approval; training ≥ approval and ≥ agreement start − 30
days; placement ≥ approval and ≥ training. No step is dated after `today`: the business date of
the request, the machine's date unless a caller gives it."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from common.validation import full_clean
from common.workdays import CalendarMissing, working_days_before, working_days_from
from people.eligibility import eligibility_check
from people.models import Person
from posts.models import Announcement, Post
from posts.services import post_status_set
from townships.access import Act, act_check, is_agency
from townships.models import Village
from townships.plans import quota_in_force

from . import dates, terms
from .agreements import agreement_terms
from .dates import not_after_today, not_before
from .models import (
    OPEN_STEPS,
    Agreement,
    Application,
    DemocraticReview,
    Objection,
    Placement,
    Publicity,
    ReviewResult,
    Step,
    Training,
)
from .procedure import move


def _locked(application: Application) -> Application:
    # FOR NO KEY UPDATE: the application, its township, county and post are locked against each
    # other writer, but rows that only refer to them (a plan's new quota rows, docs/policy.md §2.6)
    # may still be written meanwhile; FOR UPDATE deadlocked an adjustment made at the same moment.
    return (
        Application.objects.select_for_update(no_key=True)
        .select_related("township__county", "post")
        .get(pk=application.pk)
    )


def _not_eligible(person: Person, line: str, county, on: dt.date) -> str | None:
    verdict = eligibility_check(person=person, line=line, county=county, on=on)
    if verdict.eligible:
        return None
    return "不符合安置条件：" + "；".join(r.message for r in verdict.reasons)


@transaction.atomic
def application_create(
    *,
    person: Person,
    post: Post,
    announcement: Announcement,
    actor: User,
    on: dt.date,
    today: dt.date | None = None,
) -> Application:
    """报名申请: the person applies for a post of an announcement, checked for eligibility on `on`,
    which falls within the announcement's period and not after today."""
    if is_agency(actor):  # a contracted agency's staff: the contract, on the day of entry (§1.5)
        act_check(actor, Act.APPLICANTS, post.township, today or on)
    dates.application_dates_check(announcement, on, today)
    problems = []
    if not announcement.posts.filter(pk=post.pk).exists():
        problems.append("该岗位不在此招聘公告中")
    if post.status != Post.Status.VACANT:
        problems.append(f"岗位{post.code}不是空岗")
    if person.township_id != post.township_id:
        problems.append("只能报名本乡镇（街道）的岗位")
    if Application.objects.filter(person=person, holds_post=True).exists():
        problems.append("该人员已在岗（或已获审批），同一人只能占用一个公益性岗位")
    if Application.objects.filter(person=person, post=post, step__in=OPEN_STEPS).exists():
        problems.append("该人员已报名此岗位")
    reason = _not_eligible(person, post.line, post.township.county, on)
    if reason:
        problems.append(reason)
    if problems:
        raise ValidationError(problems)
    application = Application.objects.create(
        person=person,
        post=post,
        announcement=announcement,
        township_id=post.township_id,
        line=post.line,
        year=post.year,
        applied_on=on,
        created_by=actor,
    )
    application.history.create(from_step="", to_step=Step.APPLIED, actor=actor, on=on, note="报名")
    return application


@dataclass
class ReviewOutcome:
    application: Application
    passed: bool
    note: str = ""


@transaction.atomic
def review_record(
    *,
    village: Village,
    meeting_date: dt.date,
    participants: str,
    minutes_name: str,
    outcomes: list[ReviewOutcome],
    actor: User,
    minutes=None,
    today: dt.date | None = None,
) -> DemocraticReview:
    """民主评议: one village meeting, a result per applicant (failed ones are rejected), held
    neither after today nor before any of their applications."""
    not_after_today("民主评议日期", meeting_date, today)
    if not participants.strip():
        raise ValidationError({"participants": ["请填写参加评议的人员"]})
    if not outcomes:
        raise ValidationError("请至少选择一名评议对象")
    review = DemocraticReview.objects.create(
        township=village.township,
        village=village,
        meeting_date=meeting_date,
        participants=participants.strip(),
        recorded_by=actor,
        minutes=minutes or "",
    )
    problems = []
    for outcome in outcomes:  # each in a savepoint, so that every refused applicant is named
        try:
            with transaction.atomic():
                _review_one(review, outcome, actor=actor, minutes_name=minutes_name, today=today)
        except ValidationError as exc:
            name = outcome.application.person.name
            problems += [m if m.startswith(name) else f"{name}：{m}" for m in exc.messages]
    if problems:
        raise ValidationError(problems)  # nothing of the meeting is kept (docs/policy.md §5.10)
    return review


def _review_one(
    review: DemocraticReview, outcome: ReviewOutcome, *, actor: User, minutes_name: str, today: dt.date | None
) -> None:
    """One applicant's result of a democratic review, and their move (rejected if failed)."""
    village, meeting_date = review.village, review.meeting_date
    application = _locked(outcome.application)
    if application.post.village_id != village.pk:
        raise ValidationError(f"{application.person.name}报名的岗位不属于{village.name}")
    if not outcome.passed and not outcome.note.strip():
        raise ValidationError(f"{application.person.name}评议未通过，须填写评议意见")
    not_before("民主评议日期", meeting_date, f"{application.person.name}的报名日期", application.applied_on)
    result = ReviewResult(review=review, application=application, passed=outcome.passed, note=outcome.note)
    full_clean(result)
    result.save()
    note = f"{meeting_date:%Y-%m-%d}民主评议{'通过' if outcome.passed else '未通过'}：{outcome.note}".rstrip(
        "："
    )
    move(
        application,
        Step.REVIEWED if outcome.passed else Step.REJECTED,
        actor=actor,
        on=meeting_date,
        note=note,
        evidence=minutes_name or f"民主评议记录#{review.pk}",
        today=today,
    )


# A publicity may be entered a little after it went up (docs/policy.md §5.5), never once its objection
# window is already running out: its first day is at most this many working days before entry.
PUBLICITY_LATE_ENTRY_DAYS = 2


@transaction.atomic
def publicity_start(
    *, applications: list[Application], start: dt.date, actor: User, entered_on: dt.date | None = None
) -> Publicity:
    """审核公示: publish the reviewed applicants for the county's number of working days. It is
    recorded when it starts: its first day is no earlier than two working days before the day it
    is entered (`entered_on`, today unless an import replays history) nor than the democratic
    review of any applicant."""
    if not applications:
        raise ValidationError("请选择公示人员")
    townships = {a.township_id for a in applications}
    if len(townships) != 1:
        raise ValidationError("一次公示只能包含同一乡镇（街道）的人员")
    county = applications[0].township.county
    entered_on = entered_on or timezone.localdate()
    try:
        first, last = working_days_from(start, county.publicity_working_days)
        earliest = working_days_before(entered_on, PUBLICITY_LATE_ENTRY_DAYS)
    except CalendarMissing as exc:
        raise ValidationError(str(exc)) from None
    not_after_today("公示开始日期", first, entered_on)
    _publicity_dates_check(applications, first, earliest)
    publicity = Publicity.objects.create(
        township_id=townships.pop(),
        start_date=first,
        end_date=last,
        working_days=county.publicity_working_days,
        created_by=actor,
    )
    for item in applications:
        application = _locked(item)
        move(
            application,
            Step.PUBLICIZED,
            actor=actor,
            on=first,
            note=f"公示{first:%Y-%m-%d}至{last:%Y-%m-%d}（{publicity.working_days}个工作日）",
            evidence=f"公示#{publicity.pk}",
            today=entered_on,
        )
        application.publicity = publicity
        application.save(update_fields=["publicity"])
    return publicity


def _publicity_dates_check(applications: list[Application], first: dt.date, earliest: dt.date) -> None:
    if first < earliest:
        raise ValidationError(
            f"公示应在开始时录入：公示开始日期（{first:%Y年%m月%d日}）不能早于{earliest:%Y年%m月%d日}"
            f"（录入之日前{PUBLICITY_LATE_ENTRY_DAYS}个工作日），否则异议期已部分或全部过去"
        )
    reviewed = ReviewResult.objects.filter(application__in=applications).aggregate(
        last=Max("review__meeting_date")
    )["last"]
    if reviewed is not None and first < reviewed:
        raise ValidationError(
            f"公示开始日期（{first:%Y年%m月%d日}）不能早于民主评议日期（{reviewed:%Y年%m月%d日}）"
        )


@transaction.atomic
def objection_record(
    *, application: Application, raised_on: dt.date, content: str, actor: User, today: dt.date | None = None
) -> Objection:
    application = _locked(application)
    if application.step != Step.PUBLICIZED:
        raise ValidationError("只能对公示中的人员记录异议")
    not_after_today("反映日期", raised_on, today)
    not_before(
        "反映日期",
        raised_on,
        "公示开始日期",
        application.publicity.start_date if application.publicity else None,
    )
    if not content.strip():
        raise ValidationError({"content": ["请填写反映内容"]})
    return Objection.objects.create(
        application=application, raised_on=raised_on, content=content, recorded_by=actor
    )


@transaction.atomic
def objection_resolve(
    *,
    objection: Objection,
    upheld: bool,
    resolution: str,
    actor: User,
    on: dt.date | None = None,
    today: dt.date | None = None,
) -> Objection:
    """Resolve an objection on `on` (the resolution's own date; default the business date
    `today`); an upheld one rejects the application as of that date. Dates run forward
    (docs/policy.md §6.3): not before the objection was raised, not in the future."""
    today = today or timezone.localdate()
    on = on or today
    if objection.resolved_at is not None:
        raise ValidationError("该异议已处理")
    if on < objection.raised_on:
        raise ValidationError(f"处理日期（{on}）不能早于异议反映日期（{objection.raised_on}）")
    if on > today:
        raise ValidationError(f"处理日期（{on}）不能晚于今天（{today}）")
    if not resolution.strip():
        raise ValidationError({"resolution": ["请填写处理结果"]})
    objection.upheld, objection.resolution = upheld, resolution.strip()
    objection.resolved_by, objection.resolved_at = actor, timezone.now()
    objection.save()
    if upheld:
        application = _locked(objection.application)
        move(
            application,
            Step.REJECTED,
            actor=actor,
            on=on,
            note=f"公示异议属实：{resolution}",
        )
    return objection


@dataclass
class ApprovalResult:
    approved: list[Application] = field(default_factory=list)
    refused: list[tuple[Application, str]] = field(default_factory=list)


def approve(
    *, applications: list[Application], actor: User, on: dt.date, today: dt.date | None = None
) -> ApprovalResult:
    """区级审批 for one or many applications. Each is decided on its own (its own transaction):
    a refusal names its reason and does not stop the others."""
    result = ApprovalResult()
    for application in sorted(applications, key=lambda a: a.pk):
        try:
            result.approved.append(approve_one(application=application, actor=actor, on=on, today=today))
        except ValidationError as exc:
            result.refused.append((application, "；".join(exc.messages)))
    return result


@transaction.atomic
def approve_one(
    *, application: Application, actor: User, on: dt.date, today: dt.date | None = None
) -> Application:
    """Approve under the township's quota row lock: publicity over (by today and by `on`, which is
    not after today), objections resolved, still eligible on `on`, a quota place left for the
    line and year, no other post for the person."""
    today = today or timezone.localdate()
    application = _locked(application)
    county = application.township.county
    # the quota as in force on the approval's date (docs/policy.md §2.6), its row locked
    quota = quota_in_force(township_id=application.township_id, year=application.year, day=on, lock=True)
    name = application.person.name
    if application.step == Step.PUBLICIZED:
        dates.publicity_over_check(application, on, today)
        if application.objections.filter(resolved_at__isnull=True).exists():
            raise ValidationError(f"{name}的公示异议尚未处理")
        reason = _not_eligible(application.person, application.line, county, on)
        if reason:
            raise ValidationError(f"{name}{reason}")
        if application.post.kind == Post.Kind.REGULAR:
            if quota is None:
                raise ValidationError(
                    f"{application.township.name}{application.year}年没有岗位计划，不能审批"
                )
            used = Application.objects.filter(
                township_id=application.township_id,
                line=application.line,
                year=application.year,
                holds_post=True,
                post__kind=Post.Kind.REGULAR,
            ).count()
            if used >= quota.for_line(application.line):
                raise ValidationError(
                    f"{application.township.name}{application.year}年{application.get_line_display()}岗位计划"
                    f"{quota.for_line(application.line)}个已全部审批，{name}未获审批"
                )
    move(application, Step.APPROVED, actor=actor, on=on, note="区级审批通过", today=today)
    application.holds_post, application.approved_on = True, on
    try:
        with transaction.atomic():
            application.save(update_fields=["holds_post", "approved_on"])
    except IntegrityError:
        raise ValidationError(
            f"{name}已占用其他公益性岗位，或该岗位已有人获批，同一人只能占用一个岗位"
        ) from None
    return application


@transaction.atomic
def agreement_sign(
    *,
    application: Application,
    start: dt.date,
    signed_on: dt.date,
    actor: User,
    months: int | None = None,
    today: dt.date | None = None,
) -> Agreement:
    """协议签订 with the post's village/community; the term defaults to the county setting. Signed
    and starting no earlier than the approval, signed not after today. The monthly amount is the
    policy's in force at the start, the working time and duties the post's (agreements.py):
    nobody types them."""
    application = _locked(application)
    dates.agreement_dates_check(application, start, signed_on)
    county = application.township.county
    try:
        end = start + relativedelta(months=months or county.agreement_term_months) - dt.timedelta(days=1)
    except (OverflowError, ValueError):  # a start in year 9999: its term would end past the calendar
        raise ValidationError(f"协议开始日期（{dates.day_text(start)}）有误，协议期限超出日历范围") from None
    agreement = Agreement(
        application=application,
        number=1,
        start_date=start,
        end_date=end,
        signed_on=signed_on,
        recorded_by=actor,
        **agreement_terms(application, start),
    )
    full_clean(agreement)
    move(application, Step.AGREED, actor=actor, on=signed_on, note=f"协议期限{start}至{end}", today=today)
    agreement.save()
    return agreement


@transaction.atomic
def training_record(
    *,
    application: Application,
    date: dt.date,
    hours: Decimal,
    content: str,
    actor: User,
    today: dt.date | None = None,
) -> Training:
    """岗前培训: not before the approval, nor more than 30 days before the agreement starts."""
    application = _locked(application)
    dates.training_dates_check(application, date)
    if not content.strip():
        raise ValidationError({"content": ["请填写培训内容"]})
    if not hours.is_finite() or hours < 0:
        raise ValidationError({"hours": ["培训学时不能为负数"]})
    training = Training(application=application, date=date, hours=hours, content=content, recorded_by=actor)
    full_clean(training)
    move(application, Step.TRAINED, actor=actor, on=date, note=f"岗前培训{hours}学时：{content}", today=today)
    training.save()
    return training


@transaction.atomic
def placement_start(
    *, application: Application, on_post_date: dt.date, actor: User, today: dt.date | None = None
) -> Placement:
    """安排上岗: pay starts on `on_post_date` (not before the approval or the training, within
    the agreement, not after today); the post is filled."""
    application = _locked(application)
    dates.placement_dates_check(application, on_post_date, today)
    move(
        application,
        Step.PLACED,
        actor=actor,
        on=on_post_date,
        note=f"{on_post_date:%Y-%m-%d}上岗",
        today=today,
    )
    post_status_set(application.post_id, Post.Status.FILLED)
    approved_on = application.approved_on or on_post_date
    placement = Placement.objects.create(
        application=application,
        person_id=application.person_id,
        post_id=application.post_id,
        township_id=application.township_id,
        line=application.line,
        on_post_date=on_post_date,
        # 初次核定 (docs/policy.md §7.2): a returning person keeps their first approval ever
        first_approved_on=terms.first_approval(application.person_id, approved_on),
    )
    terms.stored_terms_refresh(person_ids=[placement.person_id])
    placement.refresh_from_db(fields=list(terms.STORED))
    return placement


@transaction.atomic
def application_close(
    *, application: Application, to: str, reason: str, actor: User, on: dt.date, today: dt.date | None = None
) -> Application:
    """Reject or withdraw an open application with a reason, dated no earlier than its last
    step; an approved one frees its place."""
    application = _locked(application)
    dates.close_dates_check(application, to, on)
    move(application, to, actor=actor, on=on, note=reason, today=today)
    return application
