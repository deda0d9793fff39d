"""A whole round through the pages only, each step by the role that does it."""

import datetime as dt

from django.urls import reverse

from placements.models import Application, Placement, Step
from posts.models import Announcement, Duty, Post
from tests import factories
from tests.conftest import PASSWORD
from townships.models import Quota, Role, Township
from townships.services import user_with_membership_ensure


def follow_text(response) -> str:
    return response.content.decode()


def test_a_round_through_the_pages(cast, monkeypatch) -> None:
    # The business date moves with the round: each step is entered on its day, none is dated
    # after it, and the publicity is entered the day it starts (docs/policy.md §5.5).
    clock = {"today": dt.date(2022, 2, 28)}
    monkeypatch.setattr("posts.views.today", lambda: clock["today"])
    monkeypatch.setattr("placements.views.today", lambda: clock["today"])
    township = Township.objects.get(code="371502101")
    quota = Quota.objects.filter(plan__year=2022, township=township)
    quota.update(rural=3)
    village = township.villages.first()
    hr, clerk = cast.client(cast.hr), cast.client(cast.clerk)
    checker = user_with_membership_ensure(
        username="clerk_b", password=PASSWORD, role=Role.CLERK, county=township.county, township=township
    )
    duty = Duty.objects.filter(line="rural").first()
    assert village is not None and duty is not None  # the seed has villages and rural duties

    def open_posts(count: int) -> str:
        form = {"township": township.code, "village": village.name, "line": "rural", "year": 2022}
        form.update(duty=duty.pk, kind="regular", count=count)
        return follow_text(hr.post(reverse("posts:post-open"), form, follow=True))

    assert "已开设岗位 3 个" in open_posts(3)
    assert "沙镇镇2022年乡村岗位计划为3个，已全部开设" in open_posts(1)
    posts = list(Post.objects.filter(township=township).order_by("code"))
    published = hr.post(
        reverse("posts:announcement-list"),
        {"title": "沙镇镇乡村公益性岗位招聘", "deadline": "2099-12-31", "posts": [p.pk for p in posts]},
        follow=True,
    )
    assert "已发布公告" in follow_text(published)
    announcement = Announcement.objects.get()
    clock["today"] = dt.date(2022, 3, 1)
    people = [factories.person(township.code, name=n) for n in ("甲一", "乙二", "丙三")]
    wrong = clerk.post(
        reverse("placements:apply"),
        {
            "announcement": announcement.pk,
            "post": posts[0].pk,
            "id_number": "11010519491231002x",
            "on": "2022-03-01",
        },
        follow=True,
    )
    assert "没有身份证号为11010519491231002X的登记人员" in follow_text(wrong)
    for person, post in zip(people, posts, strict=False):
        done = clerk.post(
            reverse("placements:apply"),
            {
                "announcement": announcement.pk,
                "post": post.pk,
                "id_number": person.id_number,
                "on": "2022-03-01",
            },
            follow=True,
        )
        assert f"{person.name}已报名岗位{post.code}" in follow_text(done)
    apps = list(Application.objects.order_by("pk"))
    clock["today"] = dt.date(2022, 3, 3)
    reviewer = cast.client(checker)
    reviewed = reviewer.post(
        reverse("placements:review"),
        {
            "meeting_date": "2022-03-03",
            "participants": "村两委、党员和群众代表",
            "application": [a.pk for a in apps],
            **{f"passed_{a.pk}": "1" for a in apps},
        },
        follow=True,
    )
    assert "已记录民主评议，共3人" in follow_text(reviewed)
    clock["today"] = dt.date(2022, 3, 7)
    listing = clerk.post(
        reverse("placements:publicity-new"),
        {"start": "2022-03-07", "application": [a.pk for a in apps]},
        follow=True,
    )
    assert "2022年3月7日至2022年3月11日（5个工作日）" in follow_text(listing)
    assert people[0].id_number not in follow_text(listing)
    quota.update(rural=2)  # the plan was revised down after the posts were opened
    clock["today"] = dt.date(2022, 3, 14)
    approved = hr.post(
        reverse("placements:approve"), {"on": "2022-03-14", "application": [a.pk for a in apps]}, follow=True
    )
    text = follow_text(approved)
    assert "审批通过2人" in text and "沙镇镇2022年乡村岗位计划2个已全部审批，丙三未获审批" in text
    first = apps[0]
    clock["today"] = dt.date(2022, 4, 1)  # signed 03-20, trained 03-25, on post from 04-01, entered 04-01

    def act(action: str, form: dict) -> str:
        url = reverse(f"placements:application-{action}", args=[first.pk])
        return follow_text(clerk.post(url, form, follow=True))

    assert "已办理：协议签订" in act("agree", {"start": "2022-04-01", "signed_on": "2022-03-20"})
    assert "已办理：岗前培训" in act("train", {"date": "2022-03-25", "hours": "8", "content": "安全与职责"})
    placed = act("place", {"on": "2022-04-01"})
    assert "已办理：安排上岗" in placed
    placement = Placement.objects.get(application=first)
    assert placement.on_post_date == dt.date(2022, 4, 1)
    left = clerk.post(
        reverse("placements:placement-exit", args=[first.pk]),
        {
            "exit_date": "2022-08-31",
            "reason": "voluntary",
            "referral": "employment",
            "note": "外出务工",
        },
        follow=True,
    )
    assert "已办理退出" in follow_text(left)
    assert Application.objects.get(pk=first.pk).step == Step.EXITED
    assert Post.objects.get(pk=first.post_id).status == Post.Status.VACANT
    # Another township's clerk reaches none of it.
    stranger = cast.client(cast.other_clerk)
    assert stranger.get(reverse("placements:application-detail", args=[first.pk])).status_code == 404
    assert (
        stranger.post(
            reverse("placements:placement-renew", args=[first.pk]), {"signed_on": "2022-09-01"}
        ).status_code
        == 404
    )


def test_the_plan_table_counts_filled_and_vacant_posts(recruiting) -> None:
    from posts.selectors import plan_report
    from townships.models import Plan

    (application,) = recruiting.to_approved(1)
    recruiting.to_placed(application)
    plan = Plan.objects.get(county__code="371502", year=2022)
    row = next(
        r for r in plan_report(plan=plan, townships=Township.objects.all()).rows if r.code == "371502101"
    )
    assert (row.filled_rural, row.vacant_rural, row.filled_urban) == (1, 2, 0)
    page = recruiting.cast.client(recruiting.cast.clerk).get(reverse("home")).content.decode()
    assert "已上岗 1 人，空岗 2 个" in page


def test_the_calendar_table_is_edited_in_the_admin(cast) -> None:
    client = cast.client(cast.county_admin)
    assert client.get("/admin/townships/calendarday/add/").status_code == 200
    assert cast.client(cast.hr).get("/admin/townships/calendarday/add/").status_code != 200
