"""Races at county approval, on PostgreSQL with real concurrent transactions (one connection
per thread): the quota's last place and one person's two applications."""

import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from placements import services
from placements.models import Application
from tests.placements.conftest import APPROVED_ON
from townships.models import Quota

POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


def race(applications, actor) -> list[str]:
    """Approve each application in its own thread and transaction, all released at once."""
    barrier = threading.Barrier(len(applications))
    outcomes: list[str] = []

    def run(application: Application) -> None:
        try:
            barrier.wait()
            services.approve_one(application=application, actor=actor, on=APPROVED_ON)
            outcomes.append("approved")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def ready(recruiting, applications: list[Application]) -> None:
    by_village: dict[int, list[Application]] = {}
    for application in applications:
        by_village.setdefault(application.post.village_id, []).append(application)
    for group in by_village.values():
        recruiting.review(group)
    recruiting.publicize(applications)


def two_applications_of_one_person(recruiting) -> tuple[Application, Application]:
    first = recruiting.apply(1, post_index=0)[0]
    second = services.application_create(
        person=first.person,
        post=recruiting.posts[1],
        announcement=recruiting.announcement,
        actor=recruiting.cast.clerk,
        on=first.applied_on,
    )
    ready(recruiting, [first, second])
    return first, second


def test_a_second_application_of_the_same_person_is_refused_at_approval(recruiting) -> None:
    first, second = two_applications_of_one_person(recruiting)
    result = services.approve(applications=[first, second], actor=recruiting.cast.hr, on=APPROVED_ON)
    assert [a.pk for a in result.approved] == [first.pk]
    assert "同一人只能占用一个岗位" in result.refused[0][1]


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL row locks and concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_for_the_last_quota_place(recruiting) -> None:
    Quota.objects.filter(plan__year=2022, township=recruiting.township).update(rural=1)
    apps = recruiting.apply(2)
    ready(recruiting, apps)
    outcomes = race(apps, recruiting.cast.hr)
    assert sorted(outcomes) == [
        "approved",
        "沙镇镇2022年乡村岗位计划1个已全部审批，" + _loser(apps) + "未获审批",
    ]
    assert Application.objects.filter(holds_post=True).count() == 1


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL row locks and concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_one_person_approved_twice_at_once_gets_one_post(recruiting) -> None:
    first, second = two_applications_of_one_person(recruiting)
    outcomes = race([first, second], recruiting.cast.hr)
    assert outcomes.count("approved") == 1
    assert any("同一人只能占用一个岗位" in o for o in outcomes), outcomes
    assert Application.objects.filter(holds_post=True, person=first.person).count() == 1


def _loser(apps: list[Application]) -> str:
    loser = Application.objects.exclude(holds_post=True).get(pk__in=[a.pk for a in apps])
    return loser.person.name
