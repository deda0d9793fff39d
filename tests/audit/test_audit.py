"""The audit log: who changed what, when, through what, before and after — for single saves on
the pages, bulk imports, roster matches, payroll computations in Celery tasks and commands — and
who looked at or took away full ID and bank numbers. ID numbers never appear whole in it."""

import datetime as dt
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Entry
from people.imports import COLUMNS, applicants_import
from people.models import GroupClaim, Person, RosterKind
from people.services import roster_import
from subsidies.models import Attendance, PayrollLine, PayrollRun
from tests import factories
from townships.models import County, Township

CREATE, UPDATE, DELETE, ACCESS = 0, 1, 2, 3


@pytest.fixture
def eager(monkeypatch):
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def entries_of(model, **filters):
    kind = ContentType.objects.get_for_model(model)
    return Entry.objects.filter(content_type=kind, **filters).order_by("id")


def no_full_number_in_the_log(*numbers: str) -> None:
    text = " ".join(str(e.changes) + e.object_repr for e in Entry.objects.all())
    for number in numbers:
        assert number not in text


def form_of(person: Person, **changes: object) -> dict:
    form = {
        "name": person.name,
        "id_number": person.id_number,
        "village": person.village.name,
        "groups": list(person.claims.values_list("group", flat=True)),
        "phone": person.phone,
        "bank_account": person.bank_account,
        "bank_name": person.bank_name,
    }
    return {**form, **changes}


def test_a_clerks_edit_on_the_page_records_who_when_and_each_field_before_and_after(cast) -> None:
    person = factories.person(phone="13800000000", bank_account="6222020200000000123")
    form = form_of(person, phone="13900000000", bank_account="6222020200000000999", groups=["low_income"])
    response = cast.client(cast.clerk).post(reverse("people:person-edit", args=[person.pk]), form)
    assert response.status_code == 302
    entry = entries_of(Person, action=UPDATE).get()
    assert entry.actor == cast.clerk and entry.via == "网页" and entry.remote_addr == "127.0.0.1"
    assert entry.changes["phone"] == ["13800000000", "13900000000"]
    assert "bank_account" not in entry.changes  # a new account waits for a second person
    entered = Entry.objects.get(subject=f"people.person:{person.pk}", content_type__model="bankaccountchange")
    assert entered.actor == cast.clerk and entered.changes["bank_account"] == ["None", "***************0999"]
    assert entered.changes["previous_account"] == ["None", "***************0123"]
    assert entry.subject == f"people.person:{person.pk}"
    assert entry.township.code == "371502101" and entry.county.code == "371502"
    # the group claims changed with it: the old one removed, the new one added, on the person's page
    claims = entries_of(GroupClaim, subject=f"people.person:{person.pk}")
    moves = {(e.action, e.changes["group"][0 if e.action == DELETE else 1]) for e in claims}
    assert {(DELETE, "poverty"), (CREATE, "low_income")} <= moves
    no_full_number_in_the_log(person.id_number, "6222020200000000999")


def test_an_import_records_each_person_created_and_only_real_changes_on_reimport(cast) -> None:
    town = Township.objects.get(code="371502101")
    first, second = factories.id_number("19700101"), factories.id_number("19710101")
    rows = [
        ["甲", first, "13800000001", "沙镇东村", "", "", "脱贫享受政策人口", "", "", ""],
        ["乙", second, "13800000002", "沙镇东村", "", "", "脱贫享受政策人口", "", "", ""],
    ]
    assert applicants_import(township=town, source=factories.xlsx(rows, COLUMNS), dry_run=False).ok
    created = entries_of(Person, action=CREATE)
    assert sorted(e.object_repr for e in created) == ["乙", "甲"]
    made = created.get(object_repr="甲")
    assert made.changes["phone"] == ["None", "13800000001"]
    assert made.changes["id_number"] == ["None", first[:6] + "********" + first[-4:]]
    assert made.object_id == Person.objects.get(id_number=first).pk and made.township == town
    assert made.changes["人员类别"] == ["None", "脱贫享受政策人口（含监测对象）"]
    assert "address" not in made.changes  # a new person's empty fields are left out
    rows[1][2] = "13900000002"
    rows[0][6] = "脱贫享受政策人口、农村低收入人口"
    assert applicants_import(township=town, source=factories.xlsx(rows, COLUMNS), dry_run=False).ok
    changed = {e.object_repr: e.changes for e in entries_of(Person, action=UPDATE)}
    assert changed["乙"] == {"phone": ["13800000002", "13900000002"]}
    assert changed["甲"] == {
        "人员类别": ["脱贫享受政策人口（含监测对象）", "农村低收入人口、脱贫享受政策人口（含监测对象）"]
    }
    no_full_number_in_the_log(first, second)


def test_a_dry_run_or_a_refused_file_records_nothing(cast) -> None:
    town = Township.objects.get(code="371502101")
    good = ["甲", factories.id_number("19700101"), "", "沙镇东村", "", "", "脱贫享受政策人口", "", "", ""]
    applicants_import(township=town, source=factories.xlsx([good], COLUMNS), dry_run=True)
    bad = [*good[:1], "370000000000000000", *good[2:]]
    applicants_import(township=town, source=factories.xlsx([good, bad], COLUMNS), dry_run=False)
    assert not Entry.objects.filter(content_type=ContentType.objects.get_for_model(Person)).exists()


def test_a_roster_records_each_flag_and_claim_it_changes(cast) -> None:
    person = factories.person()
    county = County.objects.get(code="371502")
    roster_import(
        county=county,
        kind=RosterKind.DEATHS,
        roster_date=dt.date(2022, 3, 1),
        entries=[(person.id_number, person.name)],
        file_name="deaths.xlsx",
        actor=cast.hr,
    )
    flag = entries_of(Person, action=UPDATE).get()
    assert flag.changes == {"on_death_roster": ["False", "True"]} and flag.county == county
    roster_import(
        county=county,
        kind=RosterKind.RURAL_REVITALIZATION,
        roster_date=dt.date(2022, 3, 1),
        entries=[],
        file_name="poverty.xlsx",
        actor=cast.hr,
    )
    claim = entries_of(GroupClaim, action=UPDATE).get()
    assert claim.changes == {"status": ["pending", "unverified"]}
    assert claim.subject == f"people.person:{person.pk}"


def test_a_recomputed_month_records_each_line_that_changed_under_the_finance_officer(cast, eager) -> None:
    placement = factories.placement("371502101")
    factories.placement("371502102", name="邻镇人")
    client = cast.client(cast.finance)
    client.post(reverse("subsidies:run-start"), {"month": "2022-03"})
    run = PayrollRun.objects.get()
    assert not entries_of(PayrollLine).exists()  # a first computation: one entry on the run
    computed = entries_of(PayrollRun, changes__state=["computing", "computed"]).get()
    assert computed.actor == cast.finance and computed.via.startswith("后台任务")
    assert computed.changes["lines"] == ["", "2"]
    old = PayrollLine.objects.get(placement=placement)
    Attendance.objects.create(placement=placement, month=run.month, days=11, recorded_by=cast.clerk)
    client.post(reverse("subsidies:run-start"), {"month": "2022-03"})
    (line,) = entries_of(PayrollLine)
    new = PayrollLine.objects.get(placement=placement)
    assert line.action == UPDATE and line.actor == cast.finance and line.via.startswith("后台任务")
    assert line.changes["pay"] == [str(old.pay), str(new.pay)] and old.pay != new.pay
    assert line.changes["days_attended"] == [str(old.days_attended), "11"]
    assert line.subject == f"subsidies.payrollrun:{run.pk}" and line.township.code == "371502101"
    page = client.get(reverse("audit:object-log", args=["run", run.pk])).content.decode()
    assert "补贴金额" in page and f"{old.pay} → {new.pay}" in page


def test_approving_and_locking_a_month_are_recorded(cast, eager) -> None:
    factories.placement("371502101")
    client = cast.client(cast.finance)
    client.post(reverse("subsidies:run-start"), {"month": "2022-03"})
    run = PayrollRun.objects.get()
    checker = cast.client(cast.finance2)
    checker.post(reverse("subsidies:run-decide", args=[run.pk]), {"action": "approve"})
    checker.post(reverse("subsidies:run-decide", args=[run.pk]), {"action": "lock"})
    states = [(e.actor, e.changes["state"]) for e in entries_of(PayrollRun) if "state" in e.changes]
    assert states[-2:] == [(cast.finance2, ["computed", "approved"]), (cast.finance2, ["approved", "locked"])]
    assert {e.actor for e in entries_of(PayrollRun)} == {cast.finance, cast.finance2}


def test_a_command_records_under_its_name(cast) -> None:
    factories.placement("371502101")
    call_command("compute_subsidies", county="371502", month="2022-03", sync=True, stdout=io.StringIO())
    entry = entries_of(PayrollRun, changes__state=["computing", "computed"]).get()
    assert entry.actor is None and entry.via == "命令 compute_subsidies"


def test_full_numbers_seen_or_taken_away_are_recorded(cast, eager, tmp_path) -> None:
    placement = factories.placement("371502101")
    person = placement.person
    cast.client(cast.clerk).get(reverse("people:person-detail", args=[person.pk]))
    seen = entries_of(Person, action=ACCESS).get()
    assert seen.actor == cast.clerk and "完整身份证号" in seen.changes["查看"][1]
    client = cast.client(cast.finance)
    client.post(reverse("subsidies:run-start"), {"month": "2022-03"})
    run = PayrollRun.objects.get()
    client.get(reverse("subsidies:run-download", args=[run.pk]))
    taken = entries_of(PayrollRun, action=ACCESS).get()
    assert taken.actor == cast.finance and taken.changes["查看"][1].endswith(f"（{run.lines.count()}行）")
    output = tmp_path / "p.xlsx"
    call_command("export_payroll", county="371502", month="2022-03", output=str(output), stdout=io.StringIO())
    assert entries_of(PayrollRun, action=ACCESS, via="命令 export_payroll").count() == 1


def test_hr_and_auditors_get_the_workbook_with_numbers_masked_and_unrecorded(cast, eager) -> None:
    placement = factories.placement("371502101")
    cast.client(cast.finance).post(reverse("subsidies:run-start"), {"month": "2022-03"})
    run = PayrollRun.objects.get()
    for user in (cast.hr, cast.auditor):
        download = cast.client(user).get(reverse("subsidies:run-download", args=[run.pk]))
        sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[1]
        cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
        number = placement.person.id_number
        assert number not in cells and f"{number[:6]}********{number[-4:]}" in cells
        page = cast.client(user).get(reverse("subsidies:run-sheet", args=[run.pk])).content.decode()
        assert number not in page
    assert not entries_of(PayrollRun, action=ACCESS).exists()


def test_the_county_log_shows_an_auditor_their_county_only(cast) -> None:
    mine = factories.person(name="沙镇人")
    factories.person("370812001", name="兖州人")
    page = cast.client(cast.auditor).get(reverse("audit:county-log")).content.decode()
    assert "沙镇人" in page and "兖州人" not in page
    filtered = cast.client(cast.auditor).get(reverse("audit:county-log"), {"kind": "placement"})
    assert "沙镇人" not in filtered.content.decode()
    export = cast.client(cast.auditor).get(reverse("audit:county-log"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert "沙镇人" in [c.value for c in sheet["G"]]
    assert mine.id_number not in str([[c.value for c in row] for row in sheet.iter_rows()])
    for who in ("clerk", "hr", "finance", "nobody"):
        assert cast.client(getattr(cast, who)).get(reverse("audit:county-log")).status_code == 404


def test_an_objects_log_is_for_those_who_may_see_the_object(cast) -> None:
    person = factories.person(phone="13800000000")
    form = form_of(person, phone="13900000000")
    cast.client(cast.clerk).post(reverse("people:person-edit", args=[person.pk]), form)
    page = cast.client(cast.clerk).get(reverse("audit:object-log", args=["person", person.pk]))
    text = page.content.decode()
    assert "联系电话" in text and "13800000000 → 13900000000" in text and "clerk" in text
    for who in ("other_clerk", "hr_other_county", "nobody"):
        url = reverse("audit:object-log", args=["person", person.pk])
        assert cast.client(getattr(cast, who)).get(url).status_code == 404
    assert cast.client(cast.clerk).get(reverse("audit:object-log", args=["nothing", 1])).status_code == 404


def test_an_attendance_upload_records_each_mark_on_its_placement(cast) -> None:
    placement = factories.placement("371502101")
    client = cast.client(cast.clerk)
    for days in (12, 10):
        upload = factories.xlsx([[placement.person.id_number, days, ""]], ["身份证号", "出勤天数", "备注"])
        upload.name = "march.xlsx"
        client.post(reverse("subsidies:attendance"), {"month": "2022-03", "file": upload})
    created, changed = entries_of(Attendance)
    assert created.action == CREATE and created.changes["days"] == ["None", "12"]
    assert changed.action == UPDATE and changed.changes == {"days": ["12", "10"]}
    assert {created.actor, changed.actor} == {cast.clerk}
    assert changed.subject == f"placements.placement:{placement.pk}"
    page = client.get(reverse("audit:object-log", args=["placement", placement.pk])).content.decode()
    assert "出勤天数" in page and "12 → 10" in page


def test_a_policy_changed_by_the_county_administrator_is_recorded(cast) -> None:
    from audit.context import acting_as
    from subsidies.models import SubsidyPolicy

    policy = SubsidyPolicy.objects.filter(county__code="371502").first()
    assert policy is not None  # the seed has the county's subsidy policies
    with acting_as(cast.county_admin, "网页"):  # as the admin's change form saves it
        policy.document = "新文件"
        policy.save()
    entry = entries_of(SubsidyPolicy, action=UPDATE).get()
    assert entry.actor == cast.county_admin and entry.county.code == "371502"
    assert entry.changes["document"][1] == "新文件"
    page = cast.client(cast.auditor).get(reverse("audit:object-log", args=["policy", policy.pk]))
    assert "新文件" in page.content.decode()


def test_a_persons_entries_hold_nothing_that_gives_the_id_number_back(cast) -> None:
    person = factories.person()
    entry = entries_of(Person, action=CREATE).get()
    assert "birth_date" not in entry.changes and "sex" not in entry.changes
    assert entry.changes["id_number"][1] == person.id_number[:6] + "********" + person.id_number[-4:]


def test_clerks_see_no_county_records_and_cannot_export_the_log(cast, eager) -> None:
    factories.placement("371502101")
    cast.client(cast.finance).post(reverse("subsidies:run-start"), {"month": "2022-03"})
    run = PayrollRun.objects.get()
    clerk = cast.client(cast.clerk)
    assert clerk.get(reverse("audit:object-log", args=["run", run.pk])).status_code == 404
    for listing in ("audit", "payroll_lines"):
        url = reverse("workspace:export-new") + f"?list={listing}&run={run.pk}"
        assert clerk.get(url).status_code == 404 and clerk.post(url).status_code == 404
    assert cast.client(cast.auditor).get(reverse("audit:object-log", args=["run", run.pk])).status_code == 200


def test_the_recorded_address_is_not_the_one_a_client_writes_itself(cast) -> None:
    person = factories.person(phone="13800000000")
    client = cast.client(cast.clerk)
    for forged in ("203.0.113.9", "nonsense"):
        form = form_of(person, phone=f"139{forged.count('.')}0000000")
        response = client.post(
            reverse("people:person-edit", args=[person.pk]), form, HTTP_X_FORWARDED_FOR=forged
        )
        assert response.status_code == 302
    addresses = set(entries_of(Person, action=UPDATE).values_list("remote_addr", flat=True))
    assert addresses == {"127.0.0.1"}


def test_a_new_objects_entry_leaves_out_its_empty_and_none_fields() -> None:
    from audit.record import diff

    assert diff(None, {"name": "王伟", "note": "", "village": None, "days": 0}) == {
        "name": ["None", "王伟"],
        "days": ["None", "0"],
    }


def test_switching_off_two_people_for_money_is_recorded_with_its_reason(cast) -> None:
    """docs/policy.md §9.4: a county may switch off the second finance user only with a recorded reason;
    who did it and when is in the county log like any other change."""
    from audit.context import acting_as

    county = County.objects.get(code="371502")
    with acting_as(cast.county_admin, "网页"):  # as the admin's change form saves it
        county.payroll_two_people, county.payroll_two_people_off_reason = False, "财务仅一人（区政府函）"
        county.save()
    entry = entries_of(County, action=UPDATE).get()
    assert entry.actor == cast.county_admin and entry.county == county
    assert entry.changes["payroll_two_people"] == ["True", "False"]
    assert entry.changes["payroll_two_people_off_reason"][1] == "财务仅一人（区政府函）"
    page = cast.client(cast.auditor).get(reverse("audit:county-log"), {"kind": "county"})
    assert "财务仅一人（区政府函）" in page.content.decode()
    from tests.conftest import PASSWORD
    from townships.models import Role
    from townships.services import user_with_membership_ensure

    yanzhou = County.objects.get(code="370812")
    auditor = user_with_membership_ensure(
        username="auditor_yz", password=PASSWORD, role=Role.AUDITOR, county=yanzhou
    )
    other = cast.client(auditor).get(reverse("audit:county-log"), {"kind": "county"})
    assert other.status_code == 200 and "财务仅一人" not in other.content.decode()
