"""A township ready to recruit: rural posts of 2022 in 沙镇镇, an announcement, applicants."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from placements import services
from placements.models import Application
from placements.services import ReviewOutcome
from posts.models import Announcement, Duty, Post
from posts.services import announcement_publish, post_create
from tests import factories
from tests.conftest import PASSWORD, Cast
from townships.models import County, Role, Township
from townships.services import user_with_membership_ensure

D = dt.date
ANNOUNCED_ON = D(2022, 1, 4)  # applications run from here to the deadline, 2022-03-10
APPLIED_ON, REVIEWED_ON, PUBLICIZED_FROM = D(2022, 3, 1), D(2022, 3, 3), D(2022, 3, 7)
APPROVED_ON, ON_POST = D(2022, 3, 15), D(2022, 4, 1)


@dataclass
class Round:
    cast: Cast
    township: Township
    posts: list[Post]
    announcement: Announcement
    second_clerk: User
    second_hr: User
    people: list = field(default_factory=list)

    def apply(self, n: int = 1, post_index: int | None = None, on: dt.date = APPLIED_ON) -> list[Application]:
        made = []
        for _ in range(n):
            person = factories.person(
                self.township.code, name=f"申请人{'甲乙丙丁戊己庚辛壬癸'[len(self.people) % 10]}"
            )
            self.people.append(person)
            post = self.posts[
                post_index if post_index is not None else (len(self.people) - 1) % len(self.posts)
            ]
            made.append(
                services.application_create(
                    person=person, post=post, announcement=self.announcement, actor=self.cast.clerk, on=on
                )
            )
        return made

    def review(self, applications: list[Application], passed: bool = True, on: dt.date = REVIEWED_ON) -> None:
        village = applications[0].post.village
        services.review_record(
            village=village,
            meeting_date=on,
            participants="村两委成员、党员代表、群众代表",
            minutes_name="评议记录.pdf",
            outcomes=[ReviewOutcome(a, passed, "" if passed else "评议未通过") for a in applications],
            actor=self.second_clerk,
        )

    def publicize(self, applications: list[Application], start: dt.date = PUBLICIZED_FROM) -> None:
        services.publicity_start(  # entered the day it starts (docs/policy.md §5.5)
            applications=applications, start=start, actor=self.cast.clerk, entered_on=start
        )

    def to_approved(self, n: int = 1, on: dt.date = APPROVED_ON) -> list[Application]:
        apps = self.apply(n)
        self.review(apps)
        self.publicize(apps)
        result = services.approve(applications=apps, actor=self.cast.hr, on=on)
        assert not result.refused, result.refused
        return apps

    def to_placed(self, application: Application, on_post: dt.date = ON_POST):
        services.agreement_sign(
            application=application,
            start=on_post,
            signed_on=D(2022, 3, 20),
            actor=self.cast.clerk,
        )
        services.training_record(
            application=application,
            date=D(2022, 3, 25),
            hours=Decimal("8"),
            content="岗位职责与安全",
            actor=self.cast.clerk,
        )
        return services.placement_start(application=application, on_post_date=on_post, actor=self.cast.clerk)


@pytest.fixture
def recruiting(cast: Cast) -> Round:
    township = Township.objects.get(code="371502101")
    village = township.villages.first()
    duty = Duty.objects.filter(line="rural").first()
    assert village is not None and duty is not None  # the seed has villages and rural duties
    posts = [
        post_create(township=township, village=village, line="rural", year=2022, duty=duty) for _ in range(3)
    ]
    announcement = announcement_publish(
        county=County.objects.get(code="371502"),
        title="沙镇镇2022年乡村公益性岗位招聘公告",
        deadline=D(2022, 3, 10),
        posts=posts,
        actor=cast.hr,
        on=ANNOUNCED_ON,
    )
    second_clerk = user_with_membership_ensure(
        username="clerk_b", password=PASSWORD, role=Role.CLERK, county=township.county, township=township
    )
    second_hr = user_with_membership_ensure(
        username="hr_b", password=PASSWORD, role=Role.HR, county=township.county
    )
    return Round(cast, township, posts, announcement, second_clerk, second_hr)
