"""Dates run forward (docs/policy.md §6.2): the order of the procedure's dates, checked by the services
before they write, so that pages, commands, imports and the admin meet one rule each.

announcement ≤ application ≤ deadline; review ≥ application; publicity start ≥ review (and
entered at most two working days late: services.publicity_start); approval only once publicity
has ended (publicity_ended below), never in the future; agreement ≥ approval; training ≥
approval and ≥ agreement start − 30 days; placement ≥ approval, ≥ training, within the agreement.
No step is dated after `today`, the business date of the request (the machine's date unless a
caller gives it). Each refusal is a ValidationError naming the dates that conflict."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from posts.models import Announcement

from .models import Application, Step, Training

# What the business date of a move is called on its form, for the messages that name it.
DATE_LABELS: dict[str, str] = {
    Step.APPLIED: "报名日期",
    Step.REVIEWED: "民主评议日期",
    Step.PUBLICIZED: "公示开始日期",
    Step.APPROVED: "审批日期",
    Step.AGREED: "协议签订日期",
    Step.TRAINED: "培训日期",
    Step.PLACED: "上岗日期",
    Step.EXITED: "离岗日期",
    Step.REJECTED: "办理日期",
    Step.WITHDRAWN: "办理日期",
}


def day_text(day: dt.date) -> str:
    return f"{day:%Y年%m月%d日}"


def not_after_today(label: str, day: dt.date, today: dt.date | None = None) -> None:
    """No step is dated after today (docs/policy.md §6.1); `today` is the business date of the request."""
    today = today or timezone.localdate()
    if day > today:
        raise ValidationError(f"{label}（{day_text(day)}）不能晚于今天（{day_text(today)}）")


def not_before(label: str, day: dt.date, earlier_label: str, earlier: dt.date | None) -> None:
    """Dates run forward: `day` is refused before `earlier` (None: nothing to compare with)."""
    if earlier is not None and day < earlier:
        raise ValidationError(f"{label}（{day_text(day)}）不能早于{earlier_label}（{day_text(earlier)}）")


def publicity_ended(on: dt.date, path: str = "publicity__") -> Q:
    """The one rule of when publicity is over (docs/policy.md §6.2): on `on`, its last working day
    (end_date, counted on the working-day calendar when it started) has passed. A filter of
    applications through `path`: approval admits only these, HR's landing page counts them."""
    return Q(**{f"{path}end_date__lt": on})


def application_dates_check(announcement: Announcement, on: dt.date, today: dt.date | None = None) -> None:
    """An application falls within its announcement's period and not after today."""
    not_after_today("报名日期", on, today)
    not_before("报名日期", on, "招聘公告发布日期", announcement.published_on)
    if on > announcement.deadline:
        raise ValidationError(f"报名已于{day_text(announcement.deadline)}截止（报名日期{day_text(on)}）")


def publicity_over_check(application: Application, on: dt.date, today: dt.date) -> None:
    """Approval only once publicity has ended (publicity_ended, the rule HR's landing
    count uses too), judged today and at the approval date, which is not in the future."""
    name, publicity = application.person.name, application.publicity
    if publicity is None:
        raise ValidationError(f"{name}没有公示记录，不能审批")
    ended = Application.objects.filter(pk=application.pk)
    until = f"{name}的公示期至{day_text(publicity.end_date)}"
    if not ended.filter(publicity_ended(today)).exists():
        raise ValidationError(f"{until}，尚未期满（今天是{day_text(today)}），公示期满后才能审批")
    not_after_today("审批日期", on, today)
    if not ended.filter(publicity_ended(on)).exists():
        raise ValidationError(f"{until}，公示期满后才能审批（审批日期为{day_text(on)}）")


def agreement_dates_check(application: Application, start: dt.date, signed_on: dt.date) -> None:
    """An agreement starts and is signed no earlier than the approval."""
    not_before("协议开始日期", start, "审批日期", application.approved_on)
    not_before("协议签订日期", signed_on, "审批日期", application.approved_on)


# Training prepares for the post: at most this many days before the agreement starts (docs/policy.md §6.2).
TRAINING_BEFORE_AGREEMENT_DAYS = 30


def training_dates_check(application: Application, date: dt.date) -> None:
    """Training is not before the approval, nor more than 30 days before the agreement starts."""
    not_before("培训日期", date, "审批日期", application.approved_on)
    agreement = application.agreements.order_by("-number").first()
    if agreement is not None:
        earliest = agreement.start_date - dt.timedelta(days=TRAINING_BEFORE_AGREEMENT_DAYS)
        label = f"协议开始日期{day_text(agreement.start_date)}前{TRAINING_BEFORE_AGREEMENT_DAYS}天"
        not_before("培训日期", date, label, earliest)


def placement_dates_check(
    application: Application, on_post_date: dt.date, today: dt.date | None = None
) -> None:
    """On post no earlier than the approval and the training, within the agreement, not after
    today (also what the admin checks before it moves a start)."""
    not_after_today("上岗日期", on_post_date, today)
    not_before("上岗日期", on_post_date, "审批日期", application.approved_on)
    training = Training.objects.filter(application=application).first()
    not_before("上岗日期", on_post_date, "培训日期", training.date if training else None)
    agreement = application.agreements.order_by("-number").first()
    if agreement is not None and not agreement.start_date <= on_post_date <= agreement.end_date:
        raise ValidationError(
            f"上岗日期（{day_text(on_post_date)}）须在协议期限"
            f"（{day_text(agreement.start_date)}至{day_text(agreement.end_date)}）内"
        )


def close_dates_check(application: Application, to: str, on: dt.date) -> None:
    """A rejection or withdrawal is dated no earlier than the application's last step."""
    last = application.history.order_by("-on", "-id").first()
    if last is not None:
        label = f"「{Step(last.to_step).label}」的{DATE_LABELS[last.to_step]}"
        not_before(DATE_LABELS.get(to, "办理日期"), on, label, last.on)
