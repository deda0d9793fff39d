"""Posts and announcements through HR's pages: an announcement whose deadline has passed is not
published (docs/policy.md §5.2), and 专职公益性岗位 are limited per township and year across both
lines (docs/policy.md §2.3)."""

import datetime as dt

from django.urls import reverse

from posts.models import Announcement, Post
from tests import factories
from tests.conftest import Cast
from townships.models import Township

D = dt.date


def open_posts(cast: Cast, township: Township, line: str, year: int, count: int) -> str:
    form = {
        "township": township.code,
        "village": factories.village_of(township).name,
        "line": line,
        "year": year,
        "duty": factories.duty_for(line).pk,
        "kind": Post.Kind.DEDICATED,
        "count": count,
    }
    return cast.client(cast.hr).post(reverse("posts:post-open"), form, follow=True).content.decode()


def test_dedicated_posts_are_counted_per_township_and_year_across_both_lines(cast: Cast) -> None:
    township = Township.objects.get(code="371502101")
    assert township.county.dedicated_posts_per_township == 3
    assert "已开设岗位 2 个" in open_posts(cast, township, "rural", 2022, 2)
    assert "已开设岗位 1 个" in open_posts(cast, township, "urban", 2022, 1)
    page = open_posts(cast, township, "urban", 2022, 1)
    assert "沙镇镇2022年的专职公益性岗位（城乡合计）已达3个，不能再开设" in page
    dedicated = Post.objects.filter(township=township, kind=Post.Kind.DEDICATED)
    assert dedicated.count() == 3
    assert "已开设岗位 1 个" in open_posts(cast, township, "urban", 2023, 1)  # a new year, a new number
    other = Township.objects.get(code="371502102")
    assert "已开设岗位 3 个" in open_posts(cast, other, "rural", 2022, 3)  # each township its own


def publish(cast: Cast, deadline: str) -> str:
    posts = Post.objects.filter(status=Post.Status.VACANT)
    form = {"title": "沙镇镇乡村公益性岗位招聘", "deadline": deadline, "posts": [p.pk for p in posts]}
    return cast.client(cast.hr).post(reverse("posts:announcement-list"), form, follow=True).content.decode()


def test_an_announcement_whose_deadline_has_passed_is_not_published(cast: Cast, monkeypatch) -> None:
    from posts.services import post_create

    township = Township.objects.get(code="371502101")
    post_create(
        township=township,
        village=factories.village_of(township),
        line="rural",
        year=2022,
        duty=factories.duty_for("rural"),
    )
    monkeypatch.setattr("posts.views.today", lambda: D(2022, 3, 11))
    page = publish(cast, "2022-03-10")
    assert "报名截止日期（2022年03月10日）已过（发布日期2022年03月11日），不能发布" in page
    assert not Announcement.objects.exists()
    assert "已发布公告" in publish(cast, "2022-03-11")  # the last day to apply may be the day it is published
    announcement = Announcement.objects.get()
    assert (announcement.published_on, announcement.deadline) == (D(2022, 3, 11), D(2022, 3, 11))
    detail = cast.client(cast.hr).get(reverse("posts:announcement-detail", args=[announcement.pk]))
    assert "2022年3月11日" in detail.content.decode()  # signed with the day it was published
