"""A contracted agency's staff through the pages they touch (docs/policy.md §1.5): the acts their
contract grants, in its townships, while it runs; 404 for everything else, the township's checks
(confirming a village's sheet, publishing results) included; every act recorded under the agency."""

import datetime as dt
from decimal import Decimal as M
from typing import TypedDict

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment import scores
from assessment.models import Scheme, Score, Sheet
from audit.models import Entry
from people.models import Person
from placements.models import Placement
from subsidies.attendance import attendance_import
from subsidies.models import Attendance
from tests import factories
from tests.subsidies.test_attendance_pages import by_name, grid_post, grid_url
from townships.agencies import agency_create, agency_user_ensure, contract_create
from townships.models import AgencyContract, County, Township

TODAY = timezone.localdate()
NAME = "聊城众诚人力资源公司"


class Acts(TypedDict, total=False):
    """What a contract lets the agency do (contract_create's switches)."""

    attendance: bool
    assessment: bool
    applicants: bool


def staff_of(acts: Acts, code: str = "371502101") -> User:
    agency = agency_create(
        county=County.objects.get(code="371502"), name=NAME, credit_code="91371502MA3C4K7P04"
    )
    contract_create(
        agency=agency,
        number="HT-1",
        townships=[Township.objects.get(code=code)],
        start_date=TODAY - dt.timedelta(days=30),
        end_date=TODAY + dt.timedelta(days=30),
        **acts,
    )
    return agency_user_ensure(agency=agency, username="agency_zhang", password="agency-pass-1")


def expire() -> None:
    AgencyContract.objects.update(
        start_date=TODAY - dt.timedelta(days=60), end_date=TODAY - dt.timedelta(days=1)
    )


@pytest.fixture
def holders(cast) -> list[Placement]:
    return [factories.placement("371502101", name=name) for name in ("甲", "乙", "丙")]


def test_attendance_staff_keep_the_townships_grid_but_never_confirm_a_villages_sheet(cast, holders) -> None:
    staff = staff_of({"attendance": True})
    client = cast.client(staff)
    village = holders[0].post.village
    assert client.get(grid_url(village)).status_code == 200
    assert client.get(reverse("subsidies:attendance-villages")).status_code == 200
    assert client.get(reverse("subsidies:attendance-template"), {"month": "2022-03"}).status_code == 200
    saved = client.post(grid_url(village), grid_post(by_name(holders), {0: {"days": 12}}))
    assert saved.status_code == 302
    record = Attendance.objects.get()
    assert record.days == 12 and record.recorded_by == staff
    entry = Entry.objects.filter(actor=staff, content_type__model="attendance").get()
    assert entry.additional_data == {"agency": NAME}
    assert client.post(grid_url(village), {"month": "2022-03", "action": "confirm"}).status_code == 404
    assert (
        client.post(grid_url(village), {"month": "2022-03", "action": "return", "reason": "x"}).status_code
        == 404
    )
    other = Township.objects.get(code="371502102").villages.first()
    assert other is not None  # the seeded township has villages
    assert client.get(grid_url(other)).status_code == 404
    expire()
    assert client.get(grid_url(village)).status_code == 404
    assert client.get(reverse("subsidies:attendance-template")).status_code == 404
    assert Attendance.objects.count() == 1


def test_without_attendance_in_the_contract_its_pages_answer_404_and_the_import_refuses(
    cast, holders
) -> None:
    staff = staff_of({"assessment": True})
    client = cast.client(staff)
    assert client.get(grid_url(holders[0].post.village)).status_code == 404
    assert client.get(reverse("subsidies:attendance")).status_code == 404
    assert client.get(reverse("subsidies:attendance-template")).status_code == 404
    sheet = factories.xlsx([["1", "甲", holders[0].person.id_number, "", "10", "", ""]])
    report = attendance_import(
        township=Township.objects.get(code="371502101"), month=dt.date(2022, 3, 1), source=sheet, actor=staff
    )
    assert not report.ok and "无权在沙镇镇办理考勤" in report.problems[0].message
    assert not Attendance.objects.exists()


@pytest.fixture
def scheme(cast) -> Scheme:
    return Scheme.objects.create(
        county=County.objects.get(code="371502"),
        name="月度考核",
        valid_from=dt.date(2022, 1, 1),
        pass_mark=M(60),
    )


def test_assessment_staff_enter_the_townships_parts_but_never_publish(cast, scheme, holders) -> None:
    staff = staff_of({"assessment": True})
    client = cast.client(staff)
    opened = client.post(reverse("assessment:sheet-list"), {"month": "2022-03"})
    sheet = Sheet.objects.get()
    assert opened.status_code == 302 and sheet.township.code == "371502101"
    url = reverse("assessment:sheet-detail", args=[sheet.pk])
    assert f'name="township-{holders[0].pk}"' in client.get(url).content.decode()
    assert client.post(url, {f"township-{holders[0].pk}": "40"}).status_code == 302
    assert Score.objects.get().township == M(40)
    assert client.post(reverse("assessment:sheet-publish", args=[sheet.pk])).status_code == 404
    assert (
        client.post(reverse("assessment:sheet-reopen", args=[sheet.pk]), {"reason": "r"}).status_code == 404
    )
    assert Sheet.objects.get().state == Sheet.State.OPEN
    expire()
    assert client.get(url).status_code == 404
    with pytest.raises(ValidationError, match="无权在沙镇镇办理绩效考核评分"):
        scores.scores_enter(actor=staff, sheet=sheet, entries=[scores.Entry(holders[1].pk, township=M(30))])
    assert Score.objects.count() == 1


def test_applicant_staff_register_people_and_apply_them_only_in_their_township(cast) -> None:
    staff = staff_of({"applicants": True})
    client = cast.client(staff)
    form = {
        "name": "新人",
        "id_number": factories.id_number("19800101"),
        "village": "沙镇东村",
        "groups": ["poverty"],
    }
    created = client.post(reverse("people:person-create"), form)
    assert created.status_code == 302 and created["Location"] == reverse("placements:apply-pick")
    person = Person.objects.get()
    assert person.township.code == "371502101"
    entries = Entry.objects.filter(actor=staff, content_type__model="person")
    assert [e.additional_data for e in entries] == [{"agency": NAME}]
    assert client.get(reverse("placements:apply-pick")).status_code == 200
    assert client.get(reverse("placements:apply")).status_code == 200
    for name in ("people:person-list", "placements:queue", "placements:review", "placements:approve"):
        assert client.get(reverse(name)).status_code == 404, name
    assert client.get(reverse("people:person-detail", args=[person.pk])).status_code == 404
    expire()
    assert client.get(reverse("people:person-create")).status_code == 404


@pytest.fixture
def eager(monkeypatch):
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def test_applicant_staff_import_a_file_into_their_contracted_township_only(
    cast, eager, django_capture_on_commit_callbacks
) -> None:
    """申请人录入 includes the applicant file (docs/policy.md §1.5): checked, previewed, confirmed
    and imported into the contract's township; another township, or after the contract, 404; a
    job whose contract ended before the worker ran it fails and imports nothing."""
    from people.imports import COLUMNS
    from tests.people.test_import import row

    staff = staff_of({"applicants": True})
    client = cast.client(staff)
    assert client.get(reverse("people:import-template")).status_code == 200
    assert client.get(reverse("people:import-upload"), {"township": "371502102"}).status_code == 404
    page = client.get(reverse("people:import-upload"), {"township": "371502101"})
    assert "导入申请人：沙镇镇" in page.content.decode()
    upload = factories.xlsx([row(), row(name="王五")], COLUMNS)
    upload.name = "applicants.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = client.post(reverse("people:import-upload") + "?township=371502101", {"file": upload})
    preview = client.get(uploaded["Location"])
    assert preview.context["result"]["ok"] and "导入检查结果：沙镇镇" in preview.content.decode()
    assert cast.client(cast.clerk).get(uploaded["Location"]).status_code == 404  # not the clerk's upload
    with django_capture_on_commit_callbacks(execute=True):
        client.post(uploaded["Location"] + "confirm/")
    people = Person.objects.filter(township__code="371502101")
    assert sorted(people.values_list("name", flat=True)) == ["李四", "王五"]
    upload = factories.xlsx([row(name="赵六", number=factories.id_number("19710101"))], COLUMNS)
    upload.name = "applicants.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post(reverse("people:import-upload") + "?township=371502101", {"file": upload})
    expire()  # the contract ends before the confirmation
    assert client.post(checked["Location"] + "confirm/").status_code == 404
    assert not Person.objects.filter(name="赵六").exists()


def test_an_import_job_fails_when_the_contract_ended_before_the_worker_ran(cast) -> None:
    from common.models import Job
    from people import import_jobs

    staff = staff_of({"applicants": True})
    job = Job.objects.create(
        user=staff, kind=Job.Kind.APPLICANT_IMPORT, params={"township": "371502101", "token": "0" * 32}
    )
    expire()
    done = import_jobs.applicant_import_run(job.pk)
    assert done.state == Job.State.FAILED and "受委托乡镇（街道）" in done.error


def test_an_agency_without_the_act_may_not_apply_anyone_through_the_service(cast) -> None:
    from placements import services

    staff = staff_of({"attendance": True})
    holder = factories.placement("371502101", name="甲")
    with pytest.raises(ValidationError, match="无权在沙镇镇办理申请人录入"):
        services.application_create(
            person=holder.person,
            post=holder.post,
            announcement=holder.application.announcement,
            actor=staff,
            on=holder.application.applied_on,
        )
