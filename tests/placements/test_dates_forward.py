"""Dates run forward (docs/policy.md §6.2), through the pages a clerk and HR touch: announcement ≤
application ≤ review ≤ publicity start; approval only once publicity has ended and never dated in
the future; agreement ≥ approval; training ≥ approval and ≥ agreement start − 30 days; placement
≥ approval and ≥ training. No step is dated after the business date of the request. Each refusal
names the dates that conflict and changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from placements import services
from placements.models import Agreement, Application, DemocraticReview, Placement, Publicity, Step, Training

D = dt.date


@pytest.fixture
def business_day(monkeypatch):
    """Set the business date of the pages' requests (placements.views.today)."""

    def set_day(day: dt.date) -> None:
        monkeypatch.setattr("placements.views.today", lambda: day)

    return set_day


def text(response) -> str:
    return response.content.decode()


def publicized(recruiting) -> Application:
    """One applicant, reviewed 2022-03-03, publicized 2022-03-07 to 2022-03-11."""
    (application,) = recruiting.apply(1)
    recruiting.review([application])
    recruiting.publicize([application])
    return Application.objects.get(pk=application.pk)


def approved(recruiting) -> Application:
    (application,) = recruiting.to_approved(1)  # approved 2022-03-15
    return Application.objects.get(pk=application.pk)


def act(recruiting, application: Application, data: dict) -> str:
    """Post the application page's form of `data["action"]` to its own address."""
    client = recruiting.cast.client(recruiting.cast.clerk)
    data = dict(data)
    action = data.pop("action")
    if action in (Step.REJECTED, Step.WITHDRAWN):
        action, data["to"] = "close", action
    url = reverse(f"placements:application-{action}", args=[application.pk])
    return text(client.post(url, data, follow=True))


def test_hr_cannot_approve_while_the_publicity_still_runs_whatever_date_is_typed(
    recruiting, business_day
) -> None:
    application = publicized(recruiting)
    business_day(D(2022, 3, 9))  # publicity runs until Friday 11 March
    client = recruiting.cast.client(recruiting.cast.hr)
    page = text(
        client.post(
            reverse("placements:approve"), {"on": "2022-03-14", "application": [application.pk]}, follow=True
        )
    )
    assert "申请人甲的公示期至2022年03月11日，尚未期满（今天是2022年03月09日），公示期满后才能审批" in page
    application.refresh_from_db()
    assert (application.step, application.holds_post, application.approved_on) == (
        Step.PUBLICIZED,
        False,
        None,
    )


def test_an_approval_is_never_dated_in_the_future(recruiting, business_day) -> None:
    application = publicized(recruiting)
    business_day(D(2022, 3, 14))
    client = recruiting.cast.client(recruiting.cast.hr)
    url = reverse("placements:application-approve", args=[application.pk])
    page = text(client.post(url, {"on": "2022-03-15"}, follow=True))
    assert "审批日期（2022年03月15日）不能晚于今天（2022年03月14日）" in page
    assert Application.objects.get(pk=application.pk).step == Step.PUBLICIZED
    page = text(client.post(url, {"on": "2022-03-14"}, follow=True))
    assert "已办理：区级审批通过" in page
    assert Application.objects.get(pk=application.pk).approved_on == D(2022, 3, 14)


def test_an_approval_dated_on_the_last_day_of_publicity_is_refused(recruiting, business_day) -> None:
    application = publicized(recruiting)
    business_day(D(2022, 3, 14))
    client = recruiting.cast.client(recruiting.cast.hr)
    page = text(
        client.post(
            reverse("placements:approve"), {"on": "2022-03-11", "application": [application.pk]}, follow=True
        )
    )
    assert "申请人甲的公示期至2022年03月11日，公示期满后才能审批（审批日期为2022年03月11日）" in page
    assert Application.objects.get(pk=application.pk).step == Step.PUBLICIZED


def apply_page(recruiting, on: str) -> str:
    from tests import factories

    person = factories.person(recruiting.township.code, name="新申请人")
    client = recruiting.cast.client(recruiting.cast.clerk)
    form = {
        "announcement": recruiting.announcement.pk,
        "post": recruiting.posts[0].pk,
        "id_number": person.id_number,
        "on": on,
    }
    return text(client.post(reverse("placements:apply"), form, follow=True))


def test_an_application_falls_within_its_announcements_period(recruiting, business_day) -> None:
    business_day(D(2022, 3, 20))  # the announcement ran 2022-01-04 to 2022-03-10
    assert "报名日期（2022年01月03日）不能早于招聘公告发布日期（2022年01月04日）" in apply_page(
        recruiting, "2022-01-03"
    )
    assert "报名已于2022年03月10日截止（报名日期2022年03月11日）" in apply_page(recruiting, "2022-03-11")
    business_day(D(2022, 3, 1))
    assert "报名日期（2022年03月02日）不能晚于今天（2022年03月01日）" in apply_page(recruiting, "2022-03-02")
    assert not Application.objects.exists()
    assert "新申请人已报名岗位" in apply_page(recruiting, "2022-03-01")


def test_a_review_is_not_dated_before_the_application_nor_after_today(recruiting, business_day) -> None:
    (application,) = recruiting.apply(1)  # applied 2022-03-01
    client = recruiting.cast.client(recruiting.second_clerk)

    def review(on: str) -> str:
        form = {"meeting_date": on, "participants": "村两委", "application": [application.pk]}
        return text(
            client.post(reverse("placements:review"), {**form, f"passed_{application.pk}": "1"}, follow=True)
        )

    business_day(D(2022, 3, 3))
    assert "民主评议日期（2022年02月28日）不能早于申请人甲的报名日期（2022年03月01日）" in review(
        "2022-02-28"
    )
    assert "民主评议日期（2022年03月04日）不能晚于今天（2022年03月03日）" in review("2022-03-04")
    assert not DemocraticReview.objects.exists()
    assert Application.objects.get(pk=application.pk).step == Step.APPLIED
    assert "已记录民主评议，共1人" in review("2022-03-03")


def test_a_publicity_does_not_start_after_today(recruiting, business_day) -> None:
    (application,) = recruiting.apply(1)
    recruiting.review([application])
    business_day(D(2022, 3, 7))
    client = recruiting.cast.client(recruiting.cast.clerk)
    page = text(
        client.post(
            reverse("placements:publicity-new"),
            {"start": "2022-03-08", "application": [application.pk]},
            follow=True,
        )
    )
    assert "公示开始日期（2022年03月08日）不能晚于今天（2022年03月07日）" in page
    assert not Publicity.objects.exists()


def test_an_agreement_neither_starts_nor_is_signed_before_the_approval(recruiting, business_day) -> None:
    application = approved(recruiting)
    business_day(D(2022, 3, 20))
    form = {"action": "agree", "start": "2022-03-14", "signed_on": "2022-03-15"}
    assert "协议开始日期（2022年03月14日）不能早于审批日期（2022年03月15日）" in act(
        recruiting, application, form
    )
    form.update(start="2022-04-01", signed_on="2022-03-14")
    assert "协议签订日期（2022年03月14日）不能早于审批日期（2022年03月15日）" in act(
        recruiting, application, form
    )
    form.update(signed_on="2022-03-21")
    assert "协议签订日期（2022年03月21日）不能晚于今天（2022年03月20日）" in act(
        recruiting, application, form
    )
    assert not Agreement.objects.exists()
    assert Application.objects.get(pk=application.pk).step == Step.APPROVED
    form.update(signed_on="2022-03-20")
    assert "已办理：协议签订" in act(recruiting, application, form)


def test_training_is_not_before_the_approval_nor_a_month_before_the_agreement(
    recruiting, business_day
) -> None:
    application = approved(recruiting)
    services.agreement_sign(
        application=application,
        start=D(2022, 5, 1),
        signed_on=D(2022, 3, 16),
        actor=recruiting.cast.clerk,
    )
    business_day(D(2022, 4, 15))
    form = {"action": "train", "date": "2022-03-14", "hours": "8", "content": "安全"}
    assert "培训日期（2022年03月14日）不能早于审批日期（2022年03月15日）" in act(
        recruiting, application, form
    )
    form.update(date="2022-03-31")
    page = act(recruiting, application, form)
    assert "培训日期（2022年03月31日）不能早于协议开始日期2022年05月01日前30天（2022年04月01日）" in page
    form.update(date="2022-04-16")
    assert "培训日期（2022年04月16日）不能晚于今天（2022年04月15日）" in act(recruiting, application, form)
    assert not Training.objects.exists()
    form.update(date="2022-04-01")
    assert "已办理：岗前培训" in act(recruiting, application, form)


def test_a_placement_is_not_before_the_training_nor_after_today(recruiting, business_day) -> None:
    application = approved(recruiting)
    clerk = recruiting.cast.clerk
    services.agreement_sign(
        application=application,
        start=D(2022, 3, 16),
        signed_on=D(2022, 3, 16),
        actor=clerk,
    )
    services.training_record(
        application=application, date=D(2022, 3, 25), hours=Decimal("8"), content="安全", actor=clerk
    )
    business_day(D(2022, 3, 31))
    page = act(recruiting, application, {"action": "place", "on": "2022-03-20"})
    assert "上岗日期（2022年03月20日）不能早于培训日期（2022年03月25日）" in page
    page = act(recruiting, application, {"action": "place", "on": "2022-04-01"})
    assert "上岗日期（2022年04月01日）不能晚于今天（2022年03月31日）" in page
    assert not Placement.objects.exists()
    assert Application.objects.get(pk=application.pk).step == Step.TRAINED
    assert "已办理：安排上岗" in act(recruiting, application, {"action": "place", "on": "2022-03-28"})


def test_a_rejection_is_not_dated_before_the_step_it_closes(recruiting, business_day) -> None:
    application = approved(recruiting)
    business_day(D(2022, 3, 20))
    page = act(recruiting, application, {"action": "withdrawn", "on": "2022-03-14", "reason": "本人放弃"})
    assert "办理日期（2022年03月14日）不能早于「区级审批通过」的审批日期（2022年03月15日）" in page
    assert Application.objects.get(pk=application.pk).step == Step.APPROVED


def test_the_services_refuse_the_same_dates_for_commands_and_imports(recruiting) -> None:
    """The rules sit in the services: a caller without a page (a command, an import) meets them,
    judged at the machine's date when it gives none."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    application = publicized(recruiting)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.approve_one(application=application, actor=recruiting.cast.hr, on=tomorrow)
    assert Application.objects.get(pk=application.pk).step == Step.PUBLICIZED
