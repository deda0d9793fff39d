"""demo_advance runs only on the demo (docs/policy.md §5.11): never under production settings,
never without the seeded demo round, never on a round holding anyone but the demo applicants, and
only once the round is in publicity. Each refusal changes nothing. The walk through it is
tests/test_demo_walk.py."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from demo.seed import DEMO_TITLE
from placements import services
from posts.models import Announcement, Post
from tests import factories

TODAY = dt.date(2026, 6, 20)


@pytest.fixture
def seeded_demo(db, monkeypatch) -> Announcement:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    call_command("seed_demo")
    return Announcement.objects.get(title=DEMO_TITLE)


def test_it_refuses_under_production_settings_and_changes_nothing(seeded_demo) -> None:
    with override_settings(DEMO_USERS_ALLOWED=False), pytest.raises(CommandError, match="生产环境不允许"):
        call_command("demo_advance")
    assert Announcement.objects.get(pk=seeded_demo.pk).published_on == seeded_demo.published_on


def test_it_refuses_without_the_demo_round(db) -> None:
    with pytest.raises(CommandError, match="没有演示公告"):
        call_command("demo_advance")


def test_it_refuses_a_round_not_yet_in_publicity(seeded_demo) -> None:
    with pytest.raises(CommandError, match="还没有报名"):
        call_command("demo_advance")


def test_it_refuses_a_round_holding_someone_who_is_not_a_demo_applicant(seeded_demo) -> None:
    someone = factories.person("371502101", name="赵六")
    post = Post.objects.filter(announcements=seeded_demo).order_by("code").first()
    assert post is not None  # the demo's round announces posts
    application = services.application_create(
        person=someone,
        post=post,
        announcement=seeded_demo,
        actor=User.objects.get(username="clerk_371502101"),
        on=TODAY - dt.timedelta(days=2),
    )
    with pytest.raises(CommandError, match="非演示人员"):
        call_command("demo_advance")
    application.refresh_from_db()
    assert application.applied_on == TODAY - dt.timedelta(days=2)
    assert Announcement.objects.get(pk=seeded_demo.pk).published_on == seeded_demo.published_on
