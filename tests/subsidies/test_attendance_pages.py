"""The attendance pages (docs/policy.md §9.2, issue 19): the village user's month on their phone
(record, save, submit, see the state), the clerk's grid of a village's month (edit, confirm or
return) and the month's template of the township, through the URLs a user touches."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.services import village_user_create
from audit.models import Entry
from placements.models import Placement
from posts.models import Post
from subsidies import payroll
from subsidies.attendance import attendance_import
from subsidies.attendance_pages import TEMPLATE_COLUMNS, open_months
from subsidies.models import Attendance, AttendanceSheet, PayrollRun
from subsidies.village_attendance import VillageMark, village_month_record, village_month_submit
from tests import factories
from townships.models import County, Township, Village

MARCH = dt.date(2022, 3, 1)
S = AttendanceSheet.State


@pytest.fixture
def holders(cast) -> list[Placement]:
    return [factories.placement("371502101", name=name) for name in ("甲", "乙", "丙")]


@pytest.fixture
def village(holders) -> Village:
    return holders[0].post.village


@pytest.fixture
def keeper(cast, village) -> User:
    user, _ = village_user_create(actor=cast.clerk, village=village, username="cun")
    return user


def village_url(village: Village, month: str = "2022-03") -> str:
    return f"{reverse('subsidies:village-month', args=(village.pk,))}?month={month}"


def grid_url(village: Village, month: str = "2022-03") -> str:
    return f"{reverse('subsidies:attendance-grid', args=(village.pk,))}?month={month}"


def village_post(holders: list[Placement], rows: dict[int, dict], action: str = "save") -> dict:
    """The village page's POST: every holder's form, `rows` giving what is typed per index."""
    data = {
        "month": "2022-03",
        "action": action,
        "h-TOTAL_FORMS": str(len(holders)),
        "h-INITIAL_FORMS": str(len(holders)),
        "h-MIN_NUM_FORMS": "0",
        "h-MAX_NUM_FORMS": "2000",
    }
    for i, holder in enumerate(holders):
        typed = rows.get(i, {})
        data[f"h-{i}-placement"] = str(typed.get("placement", holder.pk))
        data[f"h-{i}-days"] = str(typed.get("days", ""))
        data[f"h-{i}-note"] = typed.get("note", "")
        data[f"h-{i}-presence"] = typed.get("presence", "")
    return data


def grid_post(holders: list[Placement], rows: dict[int, dict], records: dict | None = None) -> dict:
    """The clerk's grid POST: each form carries what the page showed (`records`) unless typed."""
    records = records or {}
    data = {
        "month": "2022-03",
        "action": "save",
        "g-TOTAL_FORMS": str(len(holders)),
        "g-INITIAL_FORMS": str(len(holders)),
        "g-MIN_NUM_FORMS": "0",
        "g-MAX_NUM_FORMS": "2000",
    }
    for i, holder in enumerate(holders):
        shown = records.get(holder.pk, {})
        typed = {**shown, **rows.get(i, {})}
        data[f"g-{i}-placement"] = str(typed.get("placement", holder.pk))
        data[f"g-{i}-days"] = str(typed.get("days", ""))
        data[f"g-{i}-note"] = typed.get("note", "")
        if typed.get("withheld"):
            data[f"g-{i}-withheld"] = "on"
    return data


def by_name(holders: list[Placement]) -> list[Placement]:
    """The pages list holders by name (甲, 乙, 丙 sort as the database sorts them)."""
    return sorted(holders, key=lambda p: p.person.name)


def state(village: Village) -> str | None:
    sheet = AttendanceSheet.objects.filter(village=village, month=MARCH).first()
    return sheet.state if sheet else None


def records() -> list[tuple]:
    return list(
        Attendance.objects.order_by("placement_id").values_list(
            "placement_id", "days", "presence", "note", "withheld", "confirmed_at"
        )
    )


# -- the village user -------------------------------------------------------------------------


def test_it_lands_a_village_user_on_their_villages_month(cast, keeper, village, holders) -> None:
    client = cast.client(keeper)
    landing = client.get(reverse("home"), follow=True)
    assert landing.redirect_chain[-1][0] == reverse("subsidies:village-month", args=(village.pk,))
    page = client.get(village_url(village))
    assert page.status_code == 200
    html = page.content.decode()
    for holder in holders:
        assert holder.person.name in html and holder.person.id_number not in html  # masked
    assert "填报中" in html and 'name="h-0-presence"' in html


def test_it_saves_the_villages_month_in_one_post_then_submits_it(cast, keeper, village, holders) -> None:
    client = cast.client(keeper)
    ordered = by_name(holders)
    data = village_post(
        ordered, {0: {"presence": "1" * 15 + "0" * 16, "note": "病假"}, 1: {"days": 22}, 2: {"days": 31}}
    )
    response = client.post(village_url(village), data)
    assert response.status_code == 302
    saved = {a.placement_id: a for a in Attendance.objects.all()}
    assert saved[ordered[0].pk].days == 15 and saved[ordered[0].pk].presence == "1" * 15 + "0" * 16
    assert saved[ordered[1].pk].days == 22 and saved[ordered[2].pk].days == 31
    assert all(a.confirmed_at is None and a.recorded_by == keeper for a in saved.values())
    assert state(village) == S.FILLING

    page = client.get(village_url(village)).content.decode()
    assert 'value="15" checked' in page and 'value="16" checked' not in page and "已填报3/3人" in page
    response = client.post(village_url(village), village_post(ordered, {}, action="submit"))
    assert response.status_code == 302 and state(village) == S.SUBMITTED
    page = client.get(village_url(village)).content.decode()
    assert "已报送" in page and 'name="h-0-days"' not in page  # read only until the township decides


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"days": 32}, "出勤天数不能超过本月天数"),
        ({"days": -1}, "出勤天数不能为负数"),
        ({"days": "abc"}, "出勤天数应为整数"),
    ],
)
def test_it_refuses_days_the_form_cannot_read_and_keeps_what_was_typed(
    cast, keeper, village, holders, typed, message
) -> None:
    ordered = by_name(holders)
    data = village_post(ordered, {0: {"days": 20, "note": "记下的"}, 1: {**typed, "note": "乙的备注"}})
    response = cast.client(keeper).post(village_url(village), data)
    html = response.content.decode()
    assert response.status_code == 200 and message in html and "未保存任何内容" in html
    assert 'value="乙的备注"' in html and 'value="记下的"' in html
    assert records() == [] and state(village) is None


def test_it_refuses_more_days_than_the_month_has_through_the_service(cast, keeper, village, holders) -> None:
    april = village_post(by_name(holders), {0: {"days": 31}})
    april["month"] = "2022-04"
    html = cast.client(keeper).post(village_url(village, "2022-04"), april).content.decode()
    assert "出勤天数应为0至30的整数" in html and "甲" in html
    assert records() == []


def test_it_refuses_ticks_that_disagree_with_the_days(cast, keeper, village, holders) -> None:
    data = village_post(by_name(holders), {0: {"days": 20, "presence": "1" * 10 + "0" * 21}})
    html = cast.client(keeper).post(village_url(village), data).content.decode()
    assert "出勤天数20天与每日出勤中的10天不一致" in html and 'value="10" checked' in html
    assert records() == []


@pytest.mark.parametrize(
    ("presence", "message"), [("1" * 30, "每日出勤应为31位"), ("2" * 31, "每日出勤只能逐日勾选")]
)
def test_it_refuses_a_presence_that_is_not_one_mark_a_day(
    cast, keeper, village, holders, presence, message
) -> None:
    data = village_post(by_name(holders), {0: {"presence": presence}})
    html = cast.client(keeper).post(village_url(village), data).content.decode()
    assert message in html and records() == []


def test_it_refuses_a_person_of_another_village_or_not_on_post(cast, keeper, village, holders) -> None:
    other_village = Township.objects.get(code="371502101").villages.exclude(pk=village.pk).first()
    elsewhere = factories.placement("371502101", name="外村")
    Post.objects.filter(pk=elsewhere.post_id).update(village=other_village)
    later = factories.placement("371502101", name="四月上岗", on_post=dt.date(2022, 4, 1))
    client = cast.client(keeper)
    for stranger in (elsewhere, later):
        data = village_post(by_name(holders), {0: {"days": 20}, 1: {"placement": stranger.pk, "days": 20}})
        html = client.post(village_url(village), data).content.decode()
        assert f"2022年03月不在{village.name}的公益性岗位上" in html
    assert records() == []


def test_a_holder_the_township_recorded_is_shown_not_offered(cast, keeper, village, holders) -> None:
    ordered = by_name(holders)
    Attendance.objects.create(
        placement=ordered[0], month=MARCH, days=9, note="乡镇录入", recorded_by=cast.clerk
    )
    client = cast.client(keeper)
    html = client.get(village_url(village)).content.decode()
    assert "本月考勤已由乡镇（街道）录入：9天（乡镇录入）" in html
    assert 'type="hidden" name="h-0-days" value="9"' in html
    response = client.post(
        village_url(village), village_post(ordered, {0: {"days": 9, "note": "乡镇录入"}, 1: {"days": 3}})
    )
    assert response.status_code == 302  # the township's row goes back as it was shown: not recorded again
    assert Attendance.objects.get(placement=ordered[0]).recorded_by == cast.clerk
    assert Attendance.objects.get(placement=ordered[1]).days == 3


def test_a_village_user_asking_for_another_village_gets_404(cast, keeper, village, holders) -> None:
    other = Township.objects.get(code="371502101").villages.exclude(pk=village.pk).first()
    assert other is not None  # the seeded township has more than one village
    client = cast.client(keeper)
    assert client.get(village_url(other)).status_code == 404
    assert client.post(village_url(other), village_post(holders, {0: {"days": 20}})).status_code == 404
    assert client.get(grid_url(village)).status_code == 404  # the township's pages are not theirs
    assert client.post(grid_url(village), {"action": "confirm", "month": "2022-03"}).status_code == 404
    assert client.get(reverse("subsidies:attendance-template")).status_code == 404
    assert cast.client(cast.clerk).get(village_url(village)).status_code == 404  # the village's own page
    assert records() == []


def test_the_months_offered_are_the_open_ones_not_approved_or_locked(cast) -> None:
    county = County.objects.get(code="371502")
    today = dt.date(2022, 5, 10)  # May opens on the 20th
    assert open_months(county, today) == [dt.date(2022, 4, 1), dt.date(2022, 3, 1), dt.date(2022, 2, 1)]
    PayrollRun.objects.create(county=county, month=dt.date(2022, 3, 1), state=PayrollRun.State.LOCKED)
    assert open_months(county, today) == [dt.date(2022, 4, 1), dt.date(2022, 2, 1)]


# -- the clerk ----------------------------------------------------------------------------------


def submitted(keeper: User, village: Village, holders: list[Placement]) -> None:
    village_month_record(
        actor=keeper, village=village, month=MARCH, marks=[VillageMark(p.pk, days=18) for p in holders]
    )
    village_month_submit(actor=keeper, village=village, month=MARCH)


def test_the_clerk_confirms_a_submitted_month_and_the_run_pays_it(cast, keeper, village, holders) -> None:
    submitted(keeper, village, holders)
    client = cast.client(cast.clerk)
    index = client.get(f"{reverse('subsidies:attendance-villages')}?month=2022-03").content.decode()
    assert village.name in index and "已报送" in index
    grid = client.get(grid_url(village)).content.decode()
    assert "已报送" in grid and "待确认" in grid and "cun" in grid and 'value="confirm"' in grid
    response = client.post(grid_url(village), {"action": "confirm", "month": "2022-03"})
    assert response.status_code == 302 and state(village) == S.CONFIRMED
    assert set(Attendance.objects.values_list("confirmed_by", flat=True)) == {cast.clerk.pk}
    grid = client.get(grid_url(village)).content.decode()
    assert "已确认" in grid and "clerk" in grid
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), MARCH))
    days = dict(run.lines.filter(placement__in=holders).values_list("placement_id", "days_attended"))
    assert days == {p.pk: 18 for p in holders}


def test_the_clerk_returns_with_a_reason_and_the_village_sees_it(cast, keeper, village, holders) -> None:
    submitted(keeper, village, holders)
    client = cast.client(cast.clerk)
    refused = client.post(grid_url(village), {"action": "return", "month": "2022-03", "reason": "  "})
    assert refused.status_code == 200 and "退回须写明原因" in refused.content.decode()
    assert state(village) == S.SUBMITTED
    client.post(grid_url(village), {"action": "return", "month": "2022-03", "reason": "甲的天数不对"})
    assert state(village) == S.RETURNED
    page = cast.client(keeper).get(village_url(village)).content.decode()
    assert "已退回" in page and "甲的天数不对" in page and 'name="h-0-days"' in page


def test_a_month_not_submitted_cannot_be_confirmed(cast, keeper, village, holders) -> None:
    village_month_record(
        actor=keeper, village=village, month=MARCH, marks=[VillageMark(holders[0].pk, days=3)]
    )
    response = cast.client(cast.clerk).post(grid_url(village), {"action": "confirm", "month": "2022-03"})
    assert response.status_code == 200 and "填报中，不能确认" in response.content.decode()
    assert state(village) == S.FILLING


def test_county_roles_read_the_grid_and_change_nothing(cast, keeper, village, holders) -> None:
    submitted(keeper, village, holders)
    for who in (cast.auditor, cast.hr, cast.finance):
        client = cast.client(who)
        grid = client.get(grid_url(village))
        assert grid.status_code == 200 and "已报送" in grid.content.decode()
        assert 'name="g-0-days"' not in grid.content.decode()
        index = client.get(f"{reverse('subsidies:attendance-villages')}?month=2022-03&township=371502101")
        assert village.name in index.content.decode()
        assert client.post(grid_url(village), {"action": "confirm", "month": "2022-03"}).status_code == 404
    assert cast.client(cast.other_clerk).get(grid_url(village)).status_code == 404
    assert state(village) == S.SUBMITTED


def test_the_clerks_grid_saves_changed_rows_confirmed_at_entry(cast, village, holders) -> None:
    ordered = by_name(holders)
    client = cast.client(cast.clerk)
    response = client.post(
        grid_url(village), grid_post(ordered, {1: {"days": 12, "withheld": True, "note": "外出务工"}})
    )
    assert response.status_code == 302
    (record,) = Attendance.objects.all()
    assert (record.placement_id, record.days, record.withheld, record.note) == (
        ordered[1].pk,
        12,
        True,
        "外出务工",
    )
    assert record.confirmed_by == cast.clerk and record.recorded_by == cast.clerk


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"days": 32}, "出勤天数不能超过本月天数"),
        ({"days": -3}, "出勤天数不能为负数"),
        ({"days": 20, "withheld": True}, "暂停发放须在备注中写明原因"),
        ({"days": ""}, "出勤天数应为0至31的整数"),
    ],
)
def test_the_grid_refuses_bad_rows_keeps_them_and_changes_nothing(
    cast, village, holders, typed, message
) -> None:
    ordered = by_name(holders)
    Attendance.objects.create(placement=ordered[1], month=MARCH, days=9, recorded_by=cast.clerk)
    before = records()
    shown = {ordered[1].pk: {"days": 9}}
    data = grid_post(
        ordered, {0: {"days": 20, "note": "甲的"}, 1: {**typed, "note": typed.get("note", "乙的理由")}}, shown
    )
    if "withheld" in typed:
        data["g-1-note"] = ""
    response = cast.client(cast.clerk).post(grid_url(village), data)
    html = response.content.decode()
    assert response.status_code == 200 and message in html and "未保存任何内容" in html
    assert 'value="甲的"' in html
    assert records() == before


def test_the_grid_refuses_a_holder_of_another_village(cast, village, holders) -> None:
    other_village = Township.objects.get(code="371502101").villages.exclude(pk=village.pk).first()
    elsewhere = factories.placement("371502101", name="外村")
    Post.objects.filter(pk=elsewhere.post_id).update(village=other_village)
    data = grid_post(by_name(holders), {0: {"placement": elsewhere.pk, "days": 3}})
    html = cast.client(cast.clerk).post(grid_url(village), data).content.decode()
    assert "该人员本月不在本村（社区）的在岗人员中" in html and records() == []


def test_the_grid_reads_a_fixed_number_of_queries_whatever_the_holders(
    cast, keeper, village, holders
) -> None:
    client = cast.client(cast.clerk)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(grid_url(village)).status_code == 200
        return len(captured)

    submitted(keeper, village, holders)
    few = count()
    more = [factories.placement("371502101", name=f"加{n}") for n in "子丑寅卯辰巳"]
    Attendance.objects.bulk_create(
        Attendance(placement=p, month=MARCH, days=20, recorded_by=cast.clerk, confirmed_by=cast.clerk)
        for p in more
    )
    assert count() == few


# -- the template -------------------------------------------------------------------------------


def test_the_template_is_the_townships_month_with_full_numbers_audited(cast, village, holders) -> None:
    Attendance.objects.create(
        placement=holders[0], month=MARCH, days=7, withheld=True, note="暂停：核查中", recorded_by=cast.clerk
    )
    response = cast.client(cast.clerk).get(f"{reverse('subsidies:attendance-template')}?month=2022-03")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == TEMPLATE_COLUMNS
    by_number = {row[2]: row for row in rows[1:]}
    assert by_number[holders[0].person.id_number][3:] == (village.name, "7", "暂停：核查中", "是")
    assert by_number[holders[1].person.id_number][4:] == ("20", None, None)  # no record: the required days
    entry = Entry.objects.filter(action=Entry.Action.ACCESS).latest("pk")
    assert entry.actor == cast.clerk and entry.county == holders[0].township.county
    assert entry.changes["查看"][1] == f"下载考勤表·沙镇镇2022年03月（含完整身份证号）（{len(rows) - 1}行）"


def test_the_template_uploaded_back_unchanged_succeeds_and_changes_nothing_paid(
    cast, village, holders
) -> None:
    Attendance.objects.create(placement=holders[0], month=MARCH, days=7, note="病假", recorded_by=cast.clerk)
    county = County.objects.get(code="371502")
    before = payroll.compute_run(payroll.run_for(county, MARCH))
    paid = dict(before.lines.values_list("placement_id", "pay"))
    client = cast.client(cast.clerk)
    template = b"".join(
        client.get(f"{reverse('subsidies:attendance-template')}?month=2022-03").streaming_content
    )
    upload = io.BytesIO(template)
    upload.name = "template.xlsx"
    response = client.post(reverse("subsidies:attendance"), {"month": "2022-03", "file": upload})
    assert response.status_code == 302, response.content.decode()[-2000:]
    again = attendance_import(
        township=holders[0].township, month=MARCH, source=io.BytesIO(template), actor=cast.clerk
    )
    assert again.ok
    after = payroll.compute_run(payroll.run_for(county, MARCH))
    assert dict(after.lines.values_list("placement_id", "pay")) == paid


def test_only_a_clerk_takes_the_template(cast) -> None:
    for who in (cast.hr, cast.auditor, cast.finance, cast.other_clerk):
        status = cast.client(who).get(reverse("subsidies:attendance-template")).status_code
        assert status == (200 if who == cast.other_clerk else 404)
