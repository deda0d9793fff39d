"""报名 of several people at once (docs/policy.md §5.3): the announcements and posts a clerk may
apply people to, and one entry point that applies a list of (person, post) pairs through the one
service, services.application_create, all or nothing."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from common.idcard import mask_id_number
from people.models import Person
from posts.models import Announcement, Post
from townships.models import Township

from . import dates, services
from .models import Application

# Announcements offered for applying: those whose deadline is at most this far back, so that an
# application handed in on time can still be entered a little later (its date is judged, §6.2).
LATE_ENTRY = dt.timedelta(days=366)


@dataclass(frozen=True)
class Pair:
    """One person applying to one post."""

    person: Person
    post: Post

    @property
    def label(self) -> str:
        """The pair as the page names it: the name, the masked number (two people may share a
        name, §13.1) and the post's code."""
        return f"{self.person.name}（{mask_id_number(self.person.id_number)}）报名岗位{self.post.code}"


def announcements_open(*, township: Township, today: dt.date) -> QuerySet[Announcement]:
    """The announcements of the township's county a clerk may apply people to, newest first."""
    return Announcement.objects.filter(county_id=township.county_id, deadline__gte=today - LATE_ENTRY)


def posts_offered(*, township: Township, announcement: Announcement) -> QuerySet[Post]:
    """The township's vacant posts named in the announcement, by code: those a person may be
    applied to (the service judges again at the application date)."""
    posts = Post.objects.filter(township=township, status=Post.Status.VACANT, announcements=announcement)
    return posts.select_related("village", "duty").order_by("code")


@transaction.atomic
def applications_create(
    *,
    pairs: list[Pair],
    announcement: Announcement,
    actor: User,
    on: dt.date,
    today: dt.date | None = None,
) -> list[Application]:
    """报名申请 of every pair, each through services.application_create (eligibility on `on`,
    the post vacant, of the person's township and in the announcement, no post held, no open
    application for the same post), in one transaction: if any pair is refused, none is
    applied and the ValidationError names every refused pair with its reasons. The date is
    checked once first (it is the same for every pair). A pair applied already, as by a second
    click, is refused by the service's own rule (已报名此岗位)."""
    if not pairs:
        raise ValidationError("请至少勾选一名人员")
    dates.application_dates_check(announcement, on, today)
    made, problems = [], []
    for pair in pairs:
        try:
            with transaction.atomic():  # a savepoint each, so that every refused pair is named
                made.append(
                    services.application_create(
                        person=pair.person,
                        post=pair.post,
                        announcement=announcement,
                        actor=actor,
                        on=on,
                        today=today,
                    )
                )
        except ValidationError as exc:
            problems.append(f"{pair.label}：{'；'.join(exc.messages)}")
    if problems:
        raise ValidationError(problems)  # nothing of the list is kept (docs/policy.md §5.3)
    return made
