"""Placement pages through real URLs: the work queue, an application's history and actions,
printable publicity list (masked IDs) and agreement, alerts; other townships get 404."""

import datetime as dt

import pytest
from django.urls import reverse

from placements.models import Application, Step
from posts.models import Announcement
from tests import factories

D = dt.date


def test_the_clerk_queue_counts_applications_per_step(recruiting) -> None:
    recruiting.apply(2)
    response = recruiting.cast.client(recruiting.cast.clerk).get(reverse("placements:queue"))
    counts = {value: n for value, _, n in response.context["counts"]}
    assert counts["applied"] == 2 and counts["approved"] == 0
    assert counts["placed"] is None  # closed steps are listed, not counted
    other = recruiting.cast.client(recruiting.cast.other_clerk).get(reverse("placements:queue"))
    assert {n for _, _, n in other.context["counts"]} == {0, None}


def test_hr_approves_from_the_application_page_and_sees_the_history(recruiting) -> None:
    (application,) = recruiting.apply(1)
    recruiting.review([application])
    recruiting.publicize([application])
    client = recruiting.cast.client(recruiting.cast.hr)
    url = reverse("placements:application-approve", args=[application.pk])
    early = client.post(url, {"on": "2022-03-10"}, follow=True)
    assert "公示期满后才能审批" in early.content.decode()
    done = client.post(url, {"on": "2022-03-14"}, follow=True)
    assert "已办理：区级审批通过" in done.content.decode()
    page = done.content.decode()
    assert "民主评议通过" in page and "clerk_b" in page and "区级审批通过" in page
    assert Application.objects.get(pk=application.pk).step == Step.APPROVED


def test_a_clerk_cannot_approve_and_a_reason_is_required_to_reject(recruiting) -> None:
    (application,) = recruiting.apply(1)
    recruiting.review([application])
    recruiting.publicize([application])
    client = recruiting.cast.client(recruiting.cast.clerk)
    url = reverse("placements:application-approve", args=[application.pk])
    refused = client.post(url, {"on": "2022-03-14"}, follow=True).content.decode()
    assert "「区级审批通过」须由人社局工作人员办理" in refused
    close = reverse("placements:application-close", args=[application.pk])
    blank = client.post(close, {"to": "rejected", "on": "2022-03-14", "reason": ""}, follow=True)
    assert "必须填写原因" in blank.content.decode()
    assert Application.objects.get(pk=application.pk).step == Step.PUBLICIZED


@pytest.mark.parametrize("who", ["other_clerk", "clerk_other_county", "hr_other_county", "nobody"])
def test_other_scopes_get_404_for_applications_and_prints(recruiting, who) -> None:
    (application,) = recruiting.apply(1)
    recruiting.review([application])
    recruiting.publicize([application])
    publicity = Application.objects.get(pk=application.pk).publicity
    assert publicity is not None  # publicize() put the application on a publicity
    client = recruiting.cast.client(getattr(recruiting.cast, who))
    assert client.get(reverse("placements:application-detail", args=[application.pk])).status_code == 404
    assert client.get(reverse("placements:publicity-print", args=[publicity.pk])).status_code == 404
    for action in ("approve", "agree", "train", "place", "close"):
        posted = client.post(reverse(f"placements:application-{action}", args=[application.pk]), {})
        assert posted.status_code == 404, action


def test_the_publicity_list_masks_ids_and_the_agreement_prints(recruiting) -> None:
    (application,) = recruiting.to_approved(1)
    recruiting.to_placed(application)
    application.refresh_from_db()
    client = recruiting.cast.client(recruiting.cast.clerk)
    listing = client.get(
        reverse("placements:publicity-print", args=[application.publicity_id])
    ).content.decode()
    number = application.person.id_number
    assert number not in listing and f"{number[:6]}********{number[-4:]}" in listing
    assert "2022年3月7日至2022年3月11日（5个工作日）" in listing
    agreement = client.get(reverse("placements:agreement-print", args=[application.pk, 1])).content.decode()
    assert "2022年4月1日至2023年3月31日" in agreement and "680.00" in agreement
    assert application.post.village.name in agreement


def test_alerts_page_lists_agreements_due(recruiting, monkeypatch) -> None:
    (application,) = recruiting.to_approved(1)
    recruiting.to_placed(application)

    monkeypatch.setattr("placements.views.today", lambda: D(2023, 2, 20))
    page = recruiting.cast.client(recruiting.cast.hr).get(reverse("placements:alerts")).content.decode()
    assert "协议到期（2023-03-31" in page


def test_dedicated_posts_are_their_own_kind_and_limited_per_township(cast) -> None:
    from django.core.exceptions import ValidationError

    from posts.models import Post
    from posts.services import post_create
    from townships.models import Township

    township = Township.objects.get(code="371502101")
    duty = factories.duty_for("rural")
    made = [
        post_create(
            township=township,
            village=factories.village_of(township),
            line="rural",
            year=2022,
            duty=duty,
            kind=Post.Kind.DEDICATED,
        )
        for _ in range(township.county.dedicated_posts_per_township)
    ]
    assert len(made) == 3 and all("-RD-" in p.code for p in made)
    with pytest.raises(ValidationError, match="沙镇镇2022年的专职公益性岗位（城乡合计）已达3个"):
        post_create(
            township=township,
            village=factories.village_of(township),
            line="rural",
            year=2022,
            duty=duty,
            kind=Post.Kind.DEDICATED,
        )


def test_a_township_announces_only_where_the_county_allows(cast) -> None:
    from django.core.exceptions import ValidationError

    from posts.services import announcement_publish, post_create
    from townships.models import County, Township

    township = Township.objects.get(code="371502101")
    post = post_create(
        township=township,
        village=factories.village_of(township),
        line="rural",
        year=2022,
        duty=factories.duty_for("rural"),
    )
    county = County.objects.get(code="371502")
    with pytest.raises(ValidationError, match="招聘公告由区人社局发布"):
        announcement_publish(
            county=county,
            title="镇公告",
            deadline=D(2022, 3, 10),
            posts=[post],
            actor=cast.clerk,
            on=D(2022, 3, 1),
        )
    County.objects.filter(pk=county.pk).update(township_may_announce=True)
    county.refresh_from_db()
    made = announcement_publish(
        county=county,
        title="镇公告",
        deadline=D(2022, 3, 10),
        posts=[post],
        actor=cast.clerk,
        on=D(2022, 3, 1),
    )
    assert made.township == township
    page = cast.client(cast.clerk).get(reverse("posts:announcement-detail", args=[made.pk])).content.decode()
    assert "报名截止日期：2022年3月10日" in page and post.code in page
    assert (
        cast.client(cast.clerk_other_county)
        .get(reverse("posts:announcement-detail", args=[made.pk]))
        .status_code
        == 404
    )


def test_hr_checks_then_imports_existing_holders_from_the_page(
    cast, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from config.celery import app
    from placements.models import Placement
    from tests import factories
    from tests.placements.test_migration import HEADERS, holder, upload_page

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    client = cast.client(cast.hr)
    url = reverse("placements:migration-upload")
    upload = factories.xlsx([holder()], HEADERS)
    upload.name = "holders.xlsx"
    checked = upload_page(client, upload, commit="0", capture=django_capture_on_commit_callbacks)
    assert "检查通过，共1人" in checked.content.decode() and not Placement.objects.exists()
    upload.seek(0)
    done = upload_page(client, upload, commit="1", capture=django_capture_on_commit_callbacks)
    assert "已导入在岗人员1人" in done.content.decode() and Placement.objects.count() == 1
    assert cast.client(cast.clerk).get(url).status_code == 404


def test_a_tampered_apply_form_gets_404_or_the_reason_never_an_error_page(recruiting) -> None:
    # Found by tests/security/test_bad_input.py: an announcement or post that is not a number was a
    # 500, and so was an ID number with a NUL character on PostgreSQL.
    Announcement.objects.filter(pk=recruiting.announcement.pk).update(deadline=D(2099, 12, 31))
    client = recruiting.cast.client(recruiting.cast.clerk)
    form = {"announcement": recruiting.announcement.pk, "post": recruiting.posts[0].pk, "on": "2022-03-01"}
    for field in ("announcement", "post"):
        assert client.post(reverse("placements:apply"), {**form, field: "abc"}).status_code == 404
    page = client.post(reverse("placements:apply"), {**form, "id_number": "37150219700101001\x00"})
    assert page.status_code == 200  # the NUL is dropped before any view (common.middleware)
    assert "身份证号应为18位，实际为17位" in page.content.decode()
    assert not Application.objects.exists()


def test_list_forms_ignore_ticked_values_that_are_not_ids(recruiting) -> None:
    (application,) = recruiting.apply(1)
    client = recruiting.cast.client(recruiting.cast.clerk)
    for url in (reverse("placements:review"), reverse("placements:publicity-new")):
        response = client.post(url, {"application": ["abc", "1e3", "²", "\x00", str(application.pk)]})
        assert response.status_code in (200, 302)
    hr = recruiting.cast.client(recruiting.cast.hr)
    assert hr.post(reverse("placements:approve"), {"application": ["x"], "on": "2022-03-15"}).status_code in (
        200,
        302,
    )


def test_the_alert_list_is_fresh_after_an_exit(cast) -> None:
    from django.core.cache import cache

    from placements import terms
    from tests import factories

    placement = factories.placement("371502101", on_post=D(2019, 1, 1))
    client = cast.client(cast.clerk)
    assert "补贴期限届满" in client.get(reverse("placements:alerts")).content.decode()
    terms.placement_exit(
        placement=placement,
        exit_date=D(2022, 1, 31),
        reason="agreement_ended",
        note="",
        referral="none",
        actor=cast.clerk,
    )
    assert "提醒期内没有到期事项" in client.get(reverse("placements:alerts")).content.decode()
    cache.clear()  # the cached list was replaced, not merely expired: same answer computed afresh
    assert "提醒期内没有到期事项" in client.get(reverse("placements:alerts")).content.decode()


def test_the_admin_opens_no_post_and_changes_nothing_that_counts_against_a_limit(cast) -> None:
    """Posts are opened through post_create (quota per line, dedicated posts per township and
    year): the admin has no add page, and its change page cannot turn a regular post into a
    dedicated one, move it to another township or year, or reopen it."""
    from posts.models import Post
    from posts.services import post_create
    from townships.models import Township

    township = Township.objects.get(code="371502101")
    post = post_create(
        township=township,
        village=factories.village_of(township),
        line="rural",
        year=2022,
        duty=factories.duty_for("rural"),
    )
    cast.county_admin.is_staff = cast.county_admin.is_superuser = True
    cast.county_admin.save()
    admin = cast.client(cast.county_admin)
    assert admin.get(reverse("admin:posts_post_add")).status_code == 403
    other = Township.objects.get(code="371502102")
    change = reverse("admin:posts_post_change", args=[post.pk])
    data = {
        "village": factories.village_of(township).pk,
        "duty": post.duty_id,
        "department": "民政办",
        "working_time": post.working_time,
        "kind": Post.Kind.DEDICATED,
        "township": other.pk,
        "year": 2030,
        "status": Post.Status.CLOSED,
        "line": "urban",
    }
    assert admin.post(change, data).status_code == 302
    post.refresh_from_db()
    assert (post.kind, post.township, post.year, post.status, post.line, post.department) == (
        Post.Kind.REGULAR,
        township,
        2022,
        Post.Status.VACANT,
        "rural",
        "民政办",
    )
    refused = admin.post(change, {**data, "village": factories.village_of(other).pk})
    assert refused.status_code == 200 and Post.objects.get(pk=post.pk).village == township.villages.first()


def test_a_post_takes_the_working_time_of_its_line(cast) -> None:
    """Rural posts: 2 hours a day, 20 days a month; urban posts are full-time (posts.models.WORKING_TIME)."""
    from posts.models import WORKING_TIME, Line
    from posts.services import post_create
    from townships.models import Township

    township = Township.objects.get(code="371502101")
    made = {
        line: post_create(
            township=township,
            village=factories.village_of(township),
            line=line,
            year=2022,
            duty=factories.duty_for(line),
        )
        for line in ("rural", "urban")
    }
    assert made["rural"].working_time == "每天工作2小时，每月20天" == WORKING_TIME[Line.RURAL]
    assert made["urban"].working_time == "全日制，按用人单位作息时间" == WORKING_TIME[Line.URBAN]
