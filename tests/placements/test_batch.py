"""A step for a ticked list at once (docs/policy.md §5.10): agreement, training and placement for
many applicants in a few requests, all or nothing with every refusal named, only within the
user's scope, a second click refused, the same history and audit per applicant as one by one,
and their agreements printed together."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import Entry
from placements import batch, services
from placements.models import Agreement, Application, Placement, Step, Training, Transition
from posts.services import post_create
from tests import factories
from tests.placements.conftest import APPROVED_ON, Round

D = dt.date
AGREE = {"start": "2022-04-01", "signed_on": "2022-03-20"}
TRAIN = {"date": "2022-03-25", "hours": "8", "content": "岗位职责与安全"}
PLACE = {"on": "2022-04-01"}


@pytest.fixture
def business_day(monkeypatch):
    monkeypatch.setattr("placements.views.today", lambda: D(2022, 4, 1))


def approved(recruiting: Round, n: int) -> list[Application]:
    """`n` applicants approved on APPROVED_ON, each on a post of their own."""
    first = recruiting.posts[0]
    more = [
        post_create(
            township=recruiting.township, village=first.village, line="rural", year=2022, duty=first.duty
        )
        for _ in range(n - len(recruiting.posts))
    ]
    recruiting.announcement.posts.add(*more)
    recruiting.posts.extend(more)
    return recruiting.to_approved(n)


def ids(applications: list[Application]) -> list[int]:
    return [a.pk for a in applications]


def steps(applications: list[Application]) -> set[str]:
    return set(Application.objects.filter(pk__in=ids(applications)).values_list("step", flat=True))


def audit_entries(model: type) -> int:
    return Entry.objects.filter(content_type=ContentType.objects.get_for_model(model)).count()


def test_it_places_13_approved_applicants_in_a_handful_of_requests(recruiting, business_day) -> None:
    chosen = approved(recruiting, 13)
    clerk = recruiting.cast.client(recruiting.cast.clerk)
    queue = clerk.get(reverse("placements:queue") + "?step=approved").content.decode()
    assert f'href="{reverse("placements:batch-agree")}">为这些人员批量签订协议' in queue
    page = clerk.get(reverse("placements:batch-agree")).content.decode()
    assert all(a.person.name in page for a in chosen) and "全选本页" in page
    ticked = clerk.get(reverse("placements:batch-agree") + "?all=1").content.decode()
    assert ticked.count(" checked>") == 13
    requests = [
        ("placements:batch-agree", AGREE, "已为13人办理：协议签订。"),
        ("placements:batch-train", TRAIN, "已为13人办理：岗前培训。"),
        ("placements:batch-place", PLACE, "已为13人办理：安排上岗。"),
    ]
    for name, form, done in requests:
        response = clerk.post(reverse(name), {**form, "application": ids(chosen)}, follow=True)
        assert done in response.content.decode()
    assert steps(chosen) == {Step.PLACED}
    assert Placement.objects.filter(on_post_date=D(2022, 4, 1)).count() == 13
    assert Agreement.objects.filter(monthly_pay=Decimal("680.00")).count() == 13
    for application in chosen:  # the same history as one by one: a row per step, by the clerk
        moves = Transition.objects.filter(
            application=application, actor=recruiting.cast.clerk, on__gte=D(2022, 3, 20)
        )
        assert list(moves.order_by("id").values_list("to_step", flat=True)) == [
            Step.AGREED,
            Step.TRAINED,
            Step.PLACED,
        ]
    assert audit_entries(Agreement) == audit_entries(Training) == audit_entries(Placement) == 13


def test_one_refused_applicant_stops_the_whole_list_and_is_named(recruiting, business_day) -> None:
    chosen = approved(recruiting, 3)
    late = chosen[2]
    Application.objects.filter(pk=late.pk).update(approved_on=D(2022, 3, 25))  # approved after the signature
    before = (Transition.objects.count(), Entry.objects.count())
    response = recruiting.cast.client(recruiting.cast.clerk).post(
        reverse("placements:batch-agree"), {**AGREE, "application": ids(chosen)}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "所选3人中1人不能办理，全部未作更改" in page
    assert f"{late.person.name}：协议签订日期（2022年03月20日）不能早于审批日期（2022年03月25日）" in page
    assert chosen[0].person.name in page  # still listed, still ticked, to send again once corrected
    assert page.count(" checked>") == 3
    assert not Agreement.objects.exists() and steps(chosen) == {Step.APPROVED}
    assert (Transition.objects.count(), Entry.objects.count()) == before


def test_the_service_names_every_refused_applicant_and_changes_nothing(recruiting) -> None:
    chosen = approved(recruiting, 3)
    services.application_close(
        application=chosen[0],
        to=Step.WITHDRAWN,
        reason="本人放弃",
        actor=recruiting.cast.clerk,
        on=APPROVED_ON,
    )
    Application.objects.filter(pk=chosen[1].pk).update(approved_on=D(2022, 3, 25))
    with pytest.raises(batch.BatchRefused) as refused:
        batch.step_many(
            name="agree",
            applications=chosen,
            actor=recruiting.cast.clerk,
            today=D(2022, 4, 1),
            start=D(2022, 4, 1),
            signed_on=D(2022, 3, 20),
        )
    assert [a.pk for a, _ in refused.value.failures] == ids(chosen[:2])
    assert "当前环节为「已撤回」，不能办理「协议签订」" in refused.value.failures[0][1]
    assert refused.value.messages[1].startswith(f"{chosen[1].person.name}：协议签订日期")
    assert not Agreement.objects.exists() and steps(chosen[1:]) == {Step.APPROVED}


def test_an_empty_list_is_refused(recruiting) -> None:
    with pytest.raises(ValidationError, match="请至少选择一名人员"):
        batch.step_many(name="place", applications=[], actor=recruiting.cast.clerk, today=D(2022, 4, 1))


def test_an_application_outside_the_scope_refuses_the_whole_list(recruiting, business_day) -> None:
    chosen = approved(recruiting, 2)
    elsewhere = factories.placement("371502102").application_id  # 堂邑镇, the same county
    clerk = recruiting.cast.client(recruiting.cast.clerk)
    mixed = clerk.post(reverse("placements:batch-agree"), {**AGREE, "application": [*ids(chosen), elsewhere]})
    assert mixed.status_code == 404
    stranger = recruiting.cast.client(recruiting.cast.other_clerk)
    assert (
        stranger.post(reverse("placements:batch-agree"), {**AGREE, "application": ids(chosen)}).status_code
        == 404
    )
    print_ours = reverse("placements:agreements-print") + f"?application={chosen[0].pk}"
    assert stranger.get(print_ours).status_code == 404
    hr = recruiting.cast.client(recruiting.cast.hr_other_county)
    assert (
        hr.post(reverse("placements:approve"), {"on": "2022-03-15", "application": ids(chosen)}).status_code
        == 404
    )
    assert not Agreement.objects.filter(application__in=chosen).exists()


def test_a_second_submission_is_refused_and_changes_nothing(recruiting, business_day) -> None:
    chosen = approved(recruiting, 2)
    clerk = recruiting.cast.client(recruiting.cast.clerk)
    form = {**AGREE, "application": ids(chosen)}
    assert clerk.post(reverse("placements:batch-agree"), form).status_code == 302
    again = clerk.post(reverse("placements:batch-agree"), form).content.decode()
    assert "所选2人中2人不能办理，全部未作更改" in again
    assert f"{chosen[0].person.name}：{chosen[0].person.name}的申请当前环节为「协议签订」" in again
    assert "可能已办理过或页面已过期" in again
    assert Agreement.objects.count() == 2 and Transition.objects.filter(to_step=Step.AGREED).count() == 2
    # the same on an application's own page
    single = reverse("placements:application-agree", args=[chosen[0].pk])
    page = clerk.post(single, AGREE).content.decode()
    assert "当前环节为「协议签订」，不能办理「协议签订」" in page and Agreement.objects.count() == 2


def test_a_bad_value_is_shown_next_to_its_field(recruiting, business_day) -> None:
    (application,) = approved(recruiting, 1)
    services.agreement_sign(
        application=application, start=D(2022, 4, 1), signed_on=D(2022, 3, 20), actor=recruiting.cast.clerk
    )
    clerk = recruiting.cast.client(recruiting.cast.clerk)
    single = clerk.post(
        reverse("placements:application-train", args=[application.pk]), {**TRAIN, "hours": "8.25"}
    )
    page = single.content.decode()
    assert single.status_code == 200 and 'aria-invalid="true"' in page
    assert '<span class="error" id="trainingform_hours_error" role="alert">最多保留1位小数</span>' in page
    assert 'value="岗位职责与安全"' in page  # what was typed stays
    listed = clerk.post(
        reverse("placements:batch-train"), {**TRAIN, "date": "2022-02-30", "application": [application.pk]}
    )
    assert 'id="batch_date_error"' in listed.content.decode() and not Training.objects.exists()


def test_the_agreements_of_the_ticked_applicants_print_together(recruiting, business_day) -> None:
    chosen = approved(recruiting, 3)
    for application in chosen[:2]:
        recruiting.to_placed(application)
    query = "&".join(f"application={pk}" for pk in ids(chosen))
    before = Entry.objects.filter(action=Entry.Action.ACCESS).count()
    page = recruiting.cast.client(recruiting.cast.clerk).get(
        reverse("placements:agreements-print") + f"?{query}"
    )
    text = page.content.decode()
    assert text.count("城乡公益性岗位协议书") == 2 and text.count('class="print-page sheet-section"') == 2
    assert all(a.person.id_number in text for a in chosen[:2])
    assert f"{chosen[2].person.name}尚未签订协议，未列入" in text
    assert reverse("placements:agreements-pdf") + f"?{query}".replace("&", "&amp;") in text
    assert Entry.objects.filter(action=Entry.Action.ACCESS).count() == before + 2


def test_the_agreements_pdf_has_a_page_per_agreement(recruiting) -> None:
    import io

    from pypdf import PdfReader

    chosen = approved(recruiting, 2)
    for application in chosen:
        recruiting.to_placed(application)
    query = "&".join(f"application={pk}" for pk in ids(chosen))
    response = recruiting.cast.client(recruiting.cast.hr).get(
        reverse("placements:agreements-pdf") + f"?{query}"
    )
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) == 2
    assert [chosen[i].person.name in pages[i].extract_text() for i in (0, 1)] == [True, True]


def test_hr_approval_of_a_list_still_decides_each_on_its_own(recruiting, monkeypatch) -> None:
    apps = recruiting.apply(2)
    recruiting.review(apps)
    recruiting.publicize(apps)
    services.application_close(
        application=apps[1], to=Step.REJECTED, reason="材料不实", actor=recruiting.cast.hr, on=D(2022, 3, 8)
    )
    monkeypatch.setattr("placements.views.today", lambda: D(2022, 3, 15))
    page = recruiting.cast.client(recruiting.cast.hr).post(
        reverse("placements:approve"), {"on": "2022-03-15", "application": ids(apps)}
    )
    text = page.content.decode()
    assert "审批通过1人" in text and f"{apps[1].person.name}的申请当前环节为「未通过」" in text
    assert steps(apps[:1]) == {Step.APPROVED}


def test_a_review_of_a_list_names_every_refused_applicant_and_keeps_nothing(recruiting, monkeypatch) -> None:
    apps = recruiting.apply(3)
    monkeypatch.setattr("placements.views.today", lambda: D(2022, 3, 3))
    form = {"meeting_date": "2022-03-03", "participants": "村民代表", "application": ids(apps)}
    form |= {f"passed_{a.pk}": "0" for a in apps[:2]} | {f"passed_{apps[2].pk}": "1"}
    page = recruiting.cast.client(recruiting.second_clerk).post(reverse("placements:review"), form)
    text = page.content.decode()
    assert f"{apps[0].person.name}评议未通过，须填写评议意见" in text
    assert f"{apps[1].person.name}评议未通过，须填写评议意见" in text
    assert steps(apps) == {Step.APPLIED} and not Transition.objects.filter(to_step=Step.REVIEWED).exists()
    blank = recruiting.cast.client(recruiting.second_clerk).post(
        reverse("placements:review"), {**form, "meeting_date": "x"}
    )
    assert 'id="reviewform_meeting_date_error"' in blank.content.decode()
