"""demo_advance: the demo round moved back in time past its publicity (docs/policy.md §5.11).

Publicity lasts five working days and approval waits for its end (docs/policy.md §5.5, §6.2), so
a demo walked in one sitting would stop there. This moves every date of the demo round (the
announcement's publication, the applications, their history, the democratic review, the
publicity) back by whole weeks, the publicity's days counted again on the working-day calendar,
until the publicity ended before the first day of last month. Nothing else changes, and the
dates keep their order. It runs only where demo users are allowed (never under production
settings) and only on the seeded demo round: the demo announcement, the demo applicants, in
publicity or before it."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from common.workdays import CalendarMissing, working_days_from
from placements.dates import publicity_over_check
from placements.models import Application, DemocraticReview, Objection, Publicity, Step, Transition
from posts.models import Announcement

from .seed import DEMO_TITLE, DEMO_TOWNSHIP, demo_people, demo_users_check

WAITING = (Step.APPLIED, Step.REVIEWED, Step.PUBLICIZED)
MOST_WEEKS = 60  # a year: a calendar that never lets the publicity end is refused


@dataclass(frozen=True)
class Advanced:
    weeks: int  # 0: the publicity had already ended before `by`
    publicity: Publicity
    by: dt.date  # the first day of last month: approval and what follows may be dated from it


def demo_round(announcement: Announcement) -> list[Application]:
    """The demo round's applications, or a ValidationError saying why this is not a demo round
    waiting on its publicity."""
    applications = list(
        Application.objects.filter(announcement=announcement).select_related("person", "publicity")
    )
    numbers = {number for _, number in demo_people()}
    if not applications:
        raise ValidationError("演示公告还没有报名，请先报名、民主评议并开始公示")
    if any(a.person.id_number not in numbers for a in applications):
        raise ValidationError("演示公告下有非演示人员的报名，不能前移日期")
    if any(a.step not in WAITING for a in applications):
        raise ValidationError("演示轮次已有人审批或在后续环节，不能再前移日期")
    if any(a.publicity is None for a in applications):
        raise ValidationError("演示轮次还有人未公示，请先完成民主评议和公示")
    if len({a.publicity_id for a in applications}) != 1:
        raise ValidationError("演示轮次应在一次公示中")
    if Objection.objects.filter(application__in=applications).exists():
        raise ValidationError("演示轮次有公示异议，不能前移日期")
    return applications


def _weeks_needed(publicity: Publicity, by: dt.date) -> int:
    for weeks in range(MOST_WEEKS + 1):
        start = publicity.start_date - dt.timedelta(weeks=weeks)
        if working_days_from(start, publicity.working_days)[1] < by:
            return weeks
    raise ValidationError("工作日历无法让演示公示在上月之前期满")


def demo_advance(*, today: dt.date) -> Advanced:
    """Move the demo round back past its publicity (see the module); refused, changing nothing,
    outside a demo or when the round is not waiting on its publicity."""
    demo_users_check()
    announcement = Announcement.objects.filter(title=DEMO_TITLE, posts__township__code=DEMO_TOWNSHIP).first()
    if announcement is None:
        raise ValidationError("没有演示公告：请先运行 seed_demo")
    by = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    with transaction.atomic():
        applications = demo_round(announcement)
        publicity = Publicity.objects.select_for_update().get(pk=applications[0].publicity.pk)  # type: ignore[union-attr]  # demo_round: every one has a publicity
        try:
            weeks = _weeks_needed(publicity, by)
        except CalendarMissing as exc:
            raise ValidationError(str(exc)) from None
        if weeks:
            _move(announcement, applications, publicity, dt.timedelta(weeks=weeks))
        for application in applications:  # the rule approval meets, on the first day it may be dated
            publicity_over_check(Application.objects.get(pk=application.pk), by, today)
    return Advanced(weeks=weeks, publicity=publicity, by=by)


def _move(
    announcement: Announcement, applications: list[Application], publicity: Publicity, delta: dt.timedelta
) -> None:
    others = Application.objects.filter(publicity=publicity).exclude(announcement=announcement)
    reviews = DemocraticReview.objects.filter(results__application__in=applications).distinct()
    if (
        others.exists()
        or Application.objects.filter(review_results__review__in=reviews)
        .exclude(announcement=announcement)
        .exists()
    ):
        raise ValidationError("演示公示或评议包含演示公告以外的报名，不能前移日期")
    announcement.published_on -= delta
    announcement.save(update_fields=["published_on"])
    for application in applications:
        application.applied_on -= delta
        application.save(update_fields=["applied_on"])
    for review in reviews:
        review.meeting_date -= delta
        review.save(update_fields=["meeting_date"])
    publicity.start_date, publicity.end_date = working_days_from(
        publicity.start_date - delta, publicity.working_days
    )
    publicity.save(update_fields=["start_date", "end_date"])
    for row in Transition.objects.filter(application__in=applications):
        row.on -= delta
        if row.to_step == Step.PUBLICIZED:  # as publicity_start writes it
            row.on = publicity.start_date
            first, last, days = publicity.start_date, publicity.end_date, publicity.working_days
            row.note = f"公示{first:%Y-%m-%d}至{last:%Y-%m-%d}（{days}个工作日）"
        row.save(update_fields=["on", "note"])
