"""People pages through real URLs, for each role; other townships' people answer 404."""

import datetime as dt

import pytest
from django.urls import reverse

from common import uploads
from people.imports import COLUMNS
from people.models import GroupClaim, Person, Roster
from tests import factories
from tests.people.test_import import row
from tests.test_celery_worker import default_queue_worker  # noqa: F401 (a fixture)


@pytest.fixture
def people(cast):
    return {
        "mine": factories.person("371502101", name="沙镇人"),
        "neighbour": factories.person("371502102", name="堂邑人"),
        "yanzhou": factories.person("370812001", name="兖州人"),
    }


def test_a_clerk_lists_only_their_townships_people_with_masked_ids(cast, people) -> None:
    page = cast.client(cast.clerk).get(reverse("people:person-list")).content.decode()
    assert "沙镇人" in page and "堂邑人" not in page and "兖州人" not in page
    mine = people["mine"].id_number
    assert mine not in page and f"{mine[:6]}********{mine[-4:]}" in page


def test_hr_lists_the_whole_county_and_searches_by_name_id_and_village(cast, people) -> None:
    client = cast.client(cast.hr)
    page = client.get(reverse("people:person-list")).content.decode()
    assert "沙镇人" in page and "堂邑人" in page and "兖州人" not in page
    assert "堂邑人" not in client.get(reverse("people:person-list"), {"q": "沙镇"}).content.decode()
    number = people["neighbour"].id_number
    for search in (number, f"堂邑 {number[-4:]}"):  # a whole number, or a name with its last 4
        by_id = client.get(reverse("people:person-list"), {"q": search}, follow=True).content.decode()
        assert "堂邑人" in by_id and "沙镇人" not in by_id
    open_prefix = client.get(reverse("people:person-list"), {"q": number[:17]}, follow=True)
    assert "堂邑人" not in open_prefix.content.decode()
    village = people["mine"].village.name
    assert "沙镇人" in client.get(reverse("people:person-list"), {"q": village}).content.decode()


@pytest.mark.parametrize("who", ["other_clerk", "hr_other_county", "clerk_other_county", "nobody"])
def test_anyone_outside_the_scope_gets_404_for_a_person(cast, people, who) -> None:
    client = cast.client(getattr(cast, who))
    pk = people["mine"].pk
    assert client.get(reverse("people:person-detail", args=[pk])).status_code == 404
    assert client.get(reverse("people:person-edit", args=[pk])).status_code == 404


def test_the_person_page_shows_the_verdict_and_its_reasons(cast, people) -> None:
    page = cast.client(cast.auditor).get(
        reverse("people:person-detail", args=[people["mine"].pk]), {"on": "2022-03-01"}
    )
    text = page.content.decode()
    assert "乡村公益性岗位：符合条件" in text
    assert "城镇公益性岗位：不符合条件" in text
    assert "「脱贫享受政策人口（含监测对象）」不是城镇公益性岗位的安置对象" in text


def test_a_clerk_adds_a_person_and_a_wrong_id_shows_the_error_next_to_the_field(cast) -> None:
    client = cast.client(cast.clerk)
    form = {"name": "新人", "id_number": "11010519491231002Y", "village": "沙镇东村", "groups": ["poverty"]}
    response = client.post(reverse("people:person-create"), form)
    assert response.status_code == 200
    assert "身份证号只能包含数字，最后一位可以是X" in response.content.decode()
    assert not Person.objects.exists()
    lowered = factories.id_number("19800101").lower()
    form["id_number"] = lowered
    response = client.post(reverse("people:person-create"), form)
    person = Person.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "people:person-detail", args=[person.pk]
    )
    assert person.township.code == "371502101" and person.id_number == lowered.upper()
    again = client.post(reverse("people:person-create"), form)
    assert "该身份证号已登记" in again.content.decode()
    assert Person.objects.count() == 1


def test_an_empty_post_of_the_person_form_says_what_is_missing(cast) -> None:
    # Found by tests/security/test_bad_input.py: a POST without fields showed a blank form, no reason.
    page = cast.client(cast.clerk).post(reverse("people:person-create"), {})
    assert page.status_code == 200 and "请至少选择一个人员类别" in page.content.decode()
    assert not Person.objects.exists()


def test_a_search_with_a_nul_character_lists_nothing_instead_of_failing(cast, people) -> None:
    # Found while testing bad input: PostgreSQL refuses a query with NUL, so this was a 500 there.
    page = cast.client(cast.clerk).get(reverse("people:person-list"), {"q": "沙镇\x00人"})
    assert page.status_code == 200


def test_a_clerk_edits_a_person(cast, people) -> None:
    person = people["mine"]
    form = {
        "name": "沙镇人改",
        "id_number": person.id_number,
        "village": "沙镇西村",
        "groups": ["low_income"],
    }
    response = cast.client(cast.clerk).post(reverse("people:person-edit", args=[person.pk]), form)
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.village.name) == ("沙镇人改", "沙镇西村")
    assert list(person.claims.values_list("group", flat=True)) == ["low_income"]


def test_hr_cannot_add_people_and_clerks_cannot_decide_claims(cast, people) -> None:
    assert cast.client(cast.hr).get(reverse("people:person-create")).status_code == 404
    claim = people["mine"].claims.get()
    response = cast.client(cast.clerk).post(
        reverse("people:claim-decide", args=[claim.pk]), {"accepted": "1", "note": "x"}
    )
    assert response.status_code == 404


def test_hr_decides_an_unverified_claim_with_a_note(cast, people) -> None:
    claim = people["mine"].claims.get()
    client = cast.client(cast.hr)
    client.post(reverse("people:claim-decide", args=[claim.pk]), {"accepted": "1", "note": ""})
    claim.refresh_from_db()
    assert claim.status == GroupClaim.Status.PENDING
    client.post(reverse("people:claim-decide", args=[claim.pk]), {"accepted": "1", "note": "乡村振兴局证明"})
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by) == (GroupClaim.Status.ACCEPTED, cast.hr)


@pytest.fixture
def eager(monkeypatch):
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def upload_and_check(client, capture, rows):
    """Upload a file; its check runs (eagerly) as the background job the upload starts."""
    upload = factories.xlsx(rows, COLUMNS)
    upload.name = "applicants.xlsx"
    with capture(execute=True):
        uploaded = client.post(reverse("people:import-upload"), {"file": upload})
    assert uploaded.status_code == 302 and uploaded["Location"].startswith("/people/import/")
    return client.get(uploaded["Location"])


def test_the_upload_preview_confirm_journey(cast, eager, django_capture_on_commit_callbacks) -> None:
    client = cast.client(cast.clerk)
    preview = upload_and_check(client, django_capture_on_commit_callbacks, [row(), row(name="王五")])
    assert preview.status_code == 200
    assert "全部通过检查：新增 2 人" in preview.content.decode()
    assert not Person.objects.exists()
    token = preview.context["token"]
    for url in ("people:import-preview", "people:import-confirm"):  # another clerk: not found
        other = cast.client(cast.other_clerk)
        assert (other.post if url.endswith("confirm") else other.get)(
            reverse(url, args=[token])
        ).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("people:import-confirm", args=[token]))
    assert done.status_code == 302 and done["Location"].startswith("/workspace/jobs/")
    assert Person.objects.filter(township__code="371502101").count() == 2
    job = client.get(done["Location"]).content.decode()
    assert "已导入 2 人（新增 2，更新 0）。" in job and 'value="2"' in job  # the bar is full
    assert not uploads.kept_exists(token)


def test_a_confirmation_submitted_again_starts_no_second_import(
    cast, eager, django_capture_on_commit_callbacks
) -> None:
    """A double click, a second tab or the browser's back button: one job per uploaded file."""
    from common.models import Job

    client = cast.client(cast.clerk)
    token = upload_and_check(client, django_capture_on_commit_callbacks, [row()]).context["token"]
    answers = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(client.post(reverse("people:import-confirm", args=[token]), follow=True))
    jobs = Job.objects.filter(kind=Job.Kind.APPLICANT_IMPORT)
    assert jobs.count() == 1 and Person.objects.count() == 1
    assert {a.redirect_chain[-1][0] for a in answers} == {f"/workspace/jobs/{jobs.get().pk}/"}
    assert "这个文件已经确认导入过，以下是那次导入的任务。" in answers[1].content.decode()


def test_a_bad_upload_offers_the_error_report_is_removed_and_cannot_be_confirmed(
    cast, eager, django_capture_on_commit_callbacks
) -> None:
    client = cast.client(cast.clerk)
    preview = upload_and_check(client, django_capture_on_commit_callbacks, [row(number="110105194902310021")])
    assert "出生日期19490231不是有效日期" in preview.content.decode()
    token = preview.context["token"]
    assert not uploads.kept_exists(token)  # refused: its whole numbers are not kept
    report = client.get(reverse("people:import-errors", args=[token]))
    assert report.status_code == 200 and report["Content-Disposition"].startswith("attachment")
    assert client.post(reverse("people:import-confirm", args=[token])).status_code == 404
    assert not Person.objects.exists()


def test_uploads_never_checked_or_confirmed_are_removed_after_a_day_by_the_nightly_task(cast) -> None:
    import os
    import time

    from django.conf import settings as django_settings

    from people.tasks import remove_stale_uploads

    old, fresh = (uploads.keep(factories.xlsx([row()], COLUMNS)) for _ in range(2))  # waiting
    day_ago = time.time() - 3600 * django_settings.IMPORT_UPLOAD_HOURS - 60
    os.utime(uploads.storage().path(uploads.kept_name(old)), (day_ago, day_ago))  # the local default
    assert "remove-stale-uploads" in django_settings.CELERY_BEAT_SCHEDULE
    assert remove_stale_uploads() >= 1  # and any other file a day old
    assert not uploads.kept_exists(old) and uploads.kept_exists(fresh)
    uploads.kept_remove(fresh)


def test_the_template_has_the_columns_in_order(cast) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    response = cast.client(cast.clerk).get(reverse("people:import-template"))
    ws = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in ws[1]] == COLUMNS
    assert ws["B2"].number_format == "@"


def test_hr_imports_a_roster_and_sees_match_statistics(
    cast, people, eager, django_capture_on_commit_callbacks
) -> None:
    client = cast.client(cast.hr)
    upload = factories.xlsx([[people["mine"].id_number, "沙镇人"]], ["身份证号", "姓名"])
    upload.name = "roster.xlsx"
    with django_capture_on_commit_callbacks(execute=True):  # the import runs as a background job
        response = client.post(
            reverse("people:roster-list"),
            {"kind": "rural_revitalization", "roster_date": "2022-02-01", "file": upload},
        )
    assert response.status_code == 302 and response["Location"].startswith("/workspace/jobs/")
    assert (
        "已导入乡村振兴部门（脱贫/监测对象）名单 1 人。" in client.get(response["Location"]).content.decode()
    )
    roster = Roster.objects.get()
    assert (roster.county.code, roster.row_count) == ("371502", 1)
    assert people["mine"].claims.get().status == GroupClaim.Status.VERIFIED
    assert people["neighbour"].claims.get().status == GroupClaim.Status.UNVERIFIED
    assert people["yanzhou"].claims.get().status == GroupClaim.Status.PENDING
    page = client.get(reverse("people:roster-list")).content.decode()
    assert "名单已核实" in page


def test_a_roster_with_a_bad_id_is_refused_whole(
    cast, people, eager, django_capture_on_commit_callbacks
) -> None:
    upload = factories.xlsx([[people["mine"].id_number], ["12345"]], ["身份证号"])
    upload.name = "roster.xlsx"
    client = cast.client(cast.hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("people:roster-list"),
            {"kind": "civil_affairs", "roster_date": "2022-02-01", "file": upload},
        )
    page = client.get(response["Location"]).content.decode()
    assert "名单有 1 处错误，未导入。" in page and "身份证号应为18位，实际为5位" in page
    assert not Roster.objects.exists()


def test_auditors_see_rosters_but_cannot_import(cast) -> None:
    client = cast.client(cast.auditor)
    assert client.get(reverse("people:roster-list")).status_code == 200
    assert client.post(reverse("people:roster-list"), {}).status_code == 404
    assert cast.client(cast.clerk).get(reverse("people:roster-list")).status_code == 404


def test_the_list_shows_claims_and_todays_eligibility_per_line(cast, people) -> None:
    child = factories.person("371502101", name="少年人", birth="20150101", groups=["poverty"])
    rows = cast.client(cast.clerk).get(reverse("people:person-list")).context["rows"]
    by_name = {r["name"]: r for r in rows}
    poverty = ("pending", "脱贫享受政策人口（含监测对象）", "待核验（尚未导入名单）")
    assert by_name["沙镇人"]["claims"] == [poverty]
    assert by_name["沙镇人"]["eligible"] == ["乡村"]
    assert by_name[child.name]["eligible"] == [] and by_name[child.name]["why_not"].startswith("未满16周岁")


def test_group_and_status_filters_apply_to_the_same_claim(cast, people) -> None:
    both = factories.person("371502101", name="两类人", groups=["poverty", "rural_disabled"])
    both.claims.filter(group="poverty").update(status="verified")
    client = cast.client(cast.clerk)
    rows = client.get(reverse("people:person-list"), {"group": "poverty"}).context["rows"]
    names = {r["name"] for r in rows}
    assert names == {"沙镇人", "两类人"}
    filtered = client.get(reverse("people:person-list"), {"group": "rural_disabled", "status": "verified"})
    assert filtered.context["rows"] == []


def test_long_lists_count_up_to_a_cap_and_say_so(cast, people, monkeypatch) -> None:
    from common.paging import CappedPaginator

    for n in range(3):
        factories.person("371502101", name=f"加{'一二三'[n]}")
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    response = cast.client(cast.clerk).get(reverse("people:person-list"))
    paginator = response.context["page"].paginator
    assert paginator.capped and paginator.count == 3
    assert "2 人以上" in response.content.decode()


def test_an_unknown_target_group_is_refused_by_the_service(cast) -> None:
    import pytest
    from django.core.exceptions import ValidationError

    from people.models import Person
    from tests import factories

    with pytest.raises(ValidationError, match="人员类别「disabled」不在规定的安置对象类别中"):
        factories.person("371502101", groups=["disabled"])
    assert not Person.objects.exists()


def test_the_worker_imports_only_into_the_clerks_own_township(cast) -> None:
    from common.models import Job
    from people.import_jobs import applicant_import_run

    job = Job.objects.create(
        user=cast.clerk,
        kind=Job.Kind.APPLICANT_IMPORT,
        params={"township": "371502102", "token": "x"},
        title="t",
    )
    assert applicant_import_run(job.pk).error == "只能导入本乡镇（街道）或受委托乡镇（街道）的申请人"
    missing = Job.objects.create(
        user=cast.clerk,
        kind=Job.Kind.APPLICANT_IMPORT,
        params={"township": "371502101", "token": "gone"},
        title="t",
    )
    assert applicant_import_run(missing.pk).error == "导入文件不存在或已过期，请重新上传"
    assert not Person.objects.exists()


def test_a_name_prefix_finds_the_name_itself_and_every_longer_one_in_name_order(cast) -> None:
    from people.selectors import person_list

    for name in ["汪伟", "王伟芳", "丁一", "王", "王伟", "赵王"]:
        factories.person("371502101", name=name)
    found = [p.name for p in person_list(user=cast.clerk, q="王")]
    assert found == sorted(["王", "王伟", "王伟芳"])
    assert [p.name for p in person_list(user=cast.clerk, q="王伟")] == sorted(["王伟", "王伟芳"])


@pytest.mark.worker
@pytest.mark.usefixtures("default_queue_worker")
def test_a_large_applicant_file_is_checked_by_a_real_worker_not_in_the_request(cast) -> None:
    """The upload only keeps the file and queues its check (a 50,000-row preview took 25 s in the
    request); the preview page follows the worker's progress and then shows the result."""
    import time

    from common.models import Job

    client = cast.client(cast.clerk)
    born = [dt.date(1970, 1, 1) + dt.timedelta(days=i) for i in range(5000)]
    rows = [row(name="申请人", number=factories.id_number(f"{d:%Y%m%d}")) for d in born]
    upload = factories.xlsx(rows, COLUMNS)
    upload.name = "applicants.xlsx"
    started = time.monotonic()
    answer = client.post(reverse("people:import-upload"), {"file": upload})
    assert answer.status_code == 302 and time.monotonic() - started < 5
    job = Job.objects.get(kind=Job.Kind.APPLICANT_PREVIEW)
    assert "正在检查文件" in client.get(answer["Location"]).content.decode() or job.finished
    for _ in range(600):  # up to 5 minutes on a busy machine
        job.refresh_from_db()
        if job.finished:
            break
        time.sleep(0.5)
    assert job.state == Job.State.DONE and (job.done, job.total) == (5000, 5000), job.error
    assert "共 5000 行，全部通过检查：新增 5000 人" in client.get(answer["Location"]).content.decode()
