"""Writes for the post catalogue, real-name posts and announcements."""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from townships.models import County, Line, Role, Township, Village
from townships.plans import quota_in_force

from .models import WORKING_TIME, Announcement, Duty, Post, PostCategory


@transaction.atomic
def catalogue_load(*, data: dict) -> int:
    """Create or update the five categories and their duties per line; returns the duty count."""
    count = 0
    for position, item in enumerate(data["categories"], start=1):
        category, _ = PostCategory.objects.update_or_create(
            code=item["code"], defaults={"name": item["name"], "position": position}
        )
        for line, names in item["duties"].items():
            for duty_position, name in enumerate(names, start=1):
                Duty.objects.update_or_create(
                    category=category, line=line, name=name, defaults={"position": duty_position}
                )
                count += 1
    return count


def posts_open_count(*, township: Township, line: str, year: int, kind: str) -> int:
    """Posts open (not closed) that count against a limit: regular posts per line and year
    (the quota), dedicated posts per township and year across both lines (docs/policy.md §2.3)."""
    found = Post.objects.filter(township=township, year=year, kind=kind)
    if kind == Post.Kind.REGULAR:
        found = found.filter(line=line)
    return found.exclude(status=Post.Status.CLOSED).count()


@transaction.atomic
def post_create(
    *,
    township: Township,
    village: Village,
    line: str,
    year: int,
    duty: Duty,
    department: str = "",
    working_time: str = "",
    kind: str = Post.Kind.REGULAR,
    on: dt.date | None = None,
) -> Post:
    """Open a real-name post on `on` (today unless given). Regular posts of a line never exceed the
    township's quota for the year as in force on that day (docs/policy.md §2.6); dedicated
    administration posts never exceed the county's number per township and year, both lines
    together."""
    if village.township_id != township.pk:
        raise ValidationError({"village": [f"{village.name}不属于{township.name}"]})
    if duty.line != line:
        raise ValidationError({"duty": ["岗位职责与城乡类型不一致"]})
    day = on or timezone.localdate()
    quota = quota_in_force(township_id=township.pk, year=year, day=day, lock=True)
    opened = posts_open_count(township=township, line=line, year=year, kind=kind)
    if kind == Post.Kind.DEDICATED:
        limit = township.county.dedicated_posts_per_township
        if opened >= limit:
            raise ValidationError(
                f"{township.name}{year}年的专职公益性岗位（城乡合计）已达{limit}个，不能再开设"
            )
    elif quota is None:
        raise ValidationError(f"{township.name}{year}年没有岗位计划")
    elif opened >= quota.for_line(line):
        raise ValidationError(
            f"{township.name}{year}年{Line(line).label}岗位计划为{quota.for_line(line)}个，已全部开设"
        )
    letters = ("U" if line == Line.URBAN else "R") + ("D" if kind == Post.Kind.DEDICATED else "")
    prefix = f"{township.code}-{year}-{letters}"
    number = Post.objects.filter(code__startswith=prefix + "-").count() + 1
    return Post.objects.create(
        code=f"{prefix}-{number:04d}",
        year=year,
        township=township,
        village=village,
        line=line,
        duty=duty,
        department=department or "",
        working_time=working_time or WORKING_TIME[Line(line)],
        kind=kind,
    )


@transaction.atomic
def announcement_publish(
    *,
    county: County,
    title: str,
    deadline: dt.date,
    posts: list[Post],
    actor: User,
    body: str = "",
    township: Township | None = None,
    on: dt.date | None = None,
    today: dt.date | None = None,
) -> Announcement:
    """发布公告 for vacant posts of the county (or of one township, where the county allows),
    published on `on` (today unless given): not a future day, and not after its own deadline
    (the application period runs from `on` to the deadline, docs/policy.md §5.2, §6.2)."""
    from townships.access import membership_of

    membership = membership_of(actor)
    role = membership.role if membership else None
    if role == Role.CLERK:
        if not county.township_may_announce:
            raise ValidationError(f"{county.name}的招聘公告由区人社局发布")
        township = membership.township  # type: ignore[union-attr]  # a role (CLERK) implies a membership
    elif role != Role.HR or membership.county_id != county.pk:  # type: ignore[union-attr]  # role is None when membership is
        raise ValidationError("无权发布该区县的招聘公告")
    if not title.strip():
        raise ValidationError({"title": ["请填写公告标题"]})
    if not posts:
        raise ValidationError({"posts": ["请选择招聘岗位"]})
    wrong = [p.code for p in posts if p.status != Post.Status.VACANT or p.township.county_id != county.pk]
    if township is not None:
        wrong += [p.code for p in posts if p.township_id != township.pk]
    if wrong:
        raise ValidationError(
            {
                "posts": [
                    f"以下岗位不是本{'乡镇' if township else '区县'}的空岗：{'、'.join(sorted(set(wrong)))}"
                ]
            }
        )
    on = _publication_date_check(deadline, on, today or timezone.localdate())
    announcement = Announcement.objects.create(
        county=county,
        township=township,
        title=title.strip(),
        body=body,
        deadline=deadline,
        published_on=on,
        published_by=actor,
    )
    announcement.posts.set(posts)
    return announcement


def _publication_date_check(deadline: dt.date, on: dt.date | None, today: dt.date) -> dt.date:
    """The publication date (`on`, today unless given): not a future day, and an announcement
    whose deadline has passed is not published (docs/policy.md §5.2)."""
    on = on or today
    if on > today:
        raise ValidationError(f"发布日期（{on:%Y年%m月%d日}）不能晚于今天（{today:%Y年%m月%d日}）")
    if deadline < on:
        message = f"报名截止日期（{deadline:%Y年%m月%d日}）已过（发布日期{on:%Y年%m月%d日}），不能发布"
        raise ValidationError({"deadline": [message]})
    return on


def post_status_set(post_id: int, status: str) -> None:
    """Mark a post filled or vacant (the placement services call this under their locks)."""
    post = Post.objects.get(pk=post_id)
    if post.status != status:
        post.status = status
        post.save(update_fields=["status"])
