"""The subsidy term follows the person (docs/policy.md §7.1, §7.2): months used are counted across every
placement and merged months, the first approval is the person's first ever, and the subsidy end
is stored on the placement (computed once, refreshed when a fact changes) and read by payroll."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from people.models import Person
from placements import services, terms
from placements.migration import COLUMNS, OPTIONAL, placements_import
from placements.models import Agreement, Placement
from posts.models import Duty
from posts.services import announcement_publish, post_create
from subsidies import payroll
from subsidies.models import PayrollLine
from tests import factories
from tests.placements.conftest import ANNOUNCED_ON, APPLIED_ON, Round
from tests.placements.test_migration import holder_row
from townships.models import County

D = dt.date
HEADERS = COLUMNS + OPTIONAL[:4]  # … 离岗日期, 离岗原因, 原月补贴标准, 初次核定日期


def holder(**values: str) -> list:
    row = holder_row() | {"初次核定日期": ""} | values
    return [row[c] for c in HEADERS]


def imported(cast, *rows: list):
    report = placements_import(
        county=County.objects.get(code="371502"),
        source=factories.xlsx(list(rows), HEADERS),
        dry_run=False,
        actor=cast.hr,
    )
    assert report.imported, report.problems
    return report


def comes_back(round_: Round, person: Person, post_index: int = 0) -> Placement:
    """The person goes through the eight steps again (2022: approved 03-15, on post 04-01)."""
    application = services.application_create(
        person=person,
        post=round_.posts[post_index],
        announcement=round_.announcement,
        actor=round_.cast.clerk,
        on=APPLIED_ON,
    )
    round_.review([application])
    round_.publicize([application])
    result = services.approve(applications=[application], actor=round_.cast.hr, on=D(2022, 3, 15))
    assert not result.refused, result.refused
    return round_.to_placed(application)


def paid_days(county: str, month: str) -> list[int]:
    run = payroll.compute_run(payroll.run_for(County.objects.get(code=county), payroll.month_start(month)))
    return list(run.lines.filter(kind=PayrollLine.Kind.REGULAR).values_list("days_on_post", flat=True))


# --- Months used follow the person -------------------------------------------------------------


def test_a_merged_holder_who_leaves_and_comes_back_continues_their_count(cast, recruiting) -> None:
    # Imported with 10 merged months, on post 2021-03 … 2022-02 (12 months): 22 used, 14 left.
    imported(cast, holder(**{"离岗日期": "2022-02-28", "离岗原因": "本人自愿离岗"}))
    person = Person.objects.get(name="王大山")
    back = comes_back(recruiting, person)
    # 2022-04-01 + 14 months − 1 day, not the 36 months of a new start (which ran to 2025-03-31)
    assert back.subsidy_until == D(2023, 5, 31) == terms.subsidy_end(back)
    assert Placement.objects.get(pk=back.pk).subsidy_until == D(2023, 5, 31)
    # a renewal stops at the stored end, and the payroll (both paths read it) pays May 2023, not June
    renewed = terms.agreement_renew(placement=back, signed_on=D(2023, 3, 20), actor=recruiting.cast.clerk)
    assert (renewed.start_date, renewed.end_date) == (D(2023, 4, 1), D(2023, 5, 31))
    assert paid_days("371502", "2023-05") == [31]
    assert paid_days("371502", "2023-06") == []


def test_every_earlier_placement_counts_new_or_imported(cast) -> None:
    first = factories.placement("371502101", on_post=D(2019, 1, 1), exit_date=D(2019, 12, 31), prior_months=6)
    second = factories.placement(
        "371502101", on_post=D(2020, 6, 1), exit_date=D(2020, 11, 15), who=first.person
    )
    third = factories.placement("371502101", on_post=D(2022, 1, 1), who=first.person)
    # 6 merged + 12 + 6 (June … November, a started month counts) = 24 used: 12 months left
    assert Placement.objects.get(pk=third.pk).subsidy_until == D(2022, 12, 31)
    assert Placement.objects.get(pk=second.pk).subsidy_until == D(2021, 11, 30)  # 36 − 18 from 2020-06
    assert paid_days("371502", "2022-12") == [31] and paid_days("371502", "2023-01") == []


# --- The stored end is refreshed when its facts change ------------------------------------------


def test_an_extension_stores_the_new_end(recruiting) -> None:
    (application,) = recruiting.to_approved(1)
    placed = recruiting.to_placed(application)
    assert placed.subsidy_until == D(2025, 3, 31)
    terms.extension_grant(
        placement=placed, until=D(2026, 3, 31), document="东人社字〔2025〕8号", actor=recruiting.cast.hr
    )
    assert Placement.objects.get(pk=placed.pk).subsidy_until == D(2026, 3, 31)


def test_an_exit_corrected_in_the_admin_moves_the_later_placement(cast) -> None:
    earlier = factories.placement("371502101", on_post=D(2020, 1, 1), exit_date=D(2020, 12, 31))
    later = factories.placement("371502101", on_post=D(2022, 1, 1), who=earlier.person)
    assert Placement.objects.get(pk=later.pk).subsidy_until == D(2023, 12, 31)  # 36 − 12
    client = cast.client(cast.county_admin)
    url = reverse("admin:placements_placement_change", args=[earlier.pk])
    form = {
        "on_post_date": "2020-01-01",
        "exit_date": "2021-06-30",
        "prior_months": "0",
        "first_approved_on": "2020-01-01",
        "extended_until": "",
        "extension_document": "",
        "exit_reason": "voluntary",
        "exit_note": "",
        "referral": "none",
        "referral_note": "",
        "migrated": "",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Placement.objects.get(pk=later.pk).subsidy_until == D(2023, 6, 30)  # 36 − 18
    assert Placement.objects.get(pk=earlier.pk).subsidy_until == D(2022, 12, 31)


def test_an_exit_recorded_through_the_service_keeps_the_stored_end(recruiting) -> None:
    (application,) = recruiting.to_approved(1)
    placed = recruiting.to_placed(application)
    terms.placement_exit(
        placement=placed,
        exit_date=D(2022, 9, 15),
        reason="voluntary",
        referral="none",
        note="",
        actor=recruiting.cast.clerk,
    )
    assert Placement.objects.get(pk=placed.pk).subsidy_until == D(2025, 3, 31)


def test_a_new_county_limit_moves_every_stored_end_of_the_county(cast) -> None:
    placed = factories.placement("371502101", on_post=D(2022, 1, 1))
    extended = factories.placement("371502101", on_post=D(2022, 1, 1), name="已延长")
    terms.extension_grant(placement=extended, until=D(2026, 6, 30), document="文件", actor=cast.hr)
    other = factories.placement("370812101", on_post=D(2022, 1, 1), name="兖州人")
    county = County.objects.get(code="371502")
    url = reverse("admin:townships_county_change", args=[county.pk])
    page = cast.client(cast.county_admin).get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data |= {"city": county.city_id, "subsidy_months": 24}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = cast.client(cast.county_admin).post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Placement.objects.get(pk=placed.pk).subsidy_until == D(2023, 12, 31)
    assert Placement.objects.get(pk=extended.pk).subsidy_until == D(2026, 6, 30)  # the extension stands
    assert Placement.objects.get(pk=other.pk).subsidy_until == D(2024, 12, 31)  # another county's 36
    assert paid_days("371502", "2024-01") == [31]  # only the extended holder


# --- 初次核定: the person's first approval ever --------------------------------------------------


@pytest.fixture
def urban_round(recruiting: Round) -> Round:
    """Urban posts of 2022 in 沙镇镇 with their announcement (the same clerks and HR)."""
    duty = factories.duty_for("urban")
    village = factories.village_of(recruiting.township)
    posts = [
        post_create(township=recruiting.township, village=village, line="urban", year=2022, duty=duty)
        for _ in range(2)
    ]
    announcement = announcement_publish(
        county=recruiting.township.county,
        title="沙镇镇2022年城镇公益性岗位招聘公告",
        deadline=D(2022, 3, 10),
        posts=posts,
        actor=recruiting.cast.hr,
        on=ANNOUNCED_ON,
    )
    return Round(
        recruiting.cast,
        recruiting.township,
        posts,
        announcement,
        recruiting.second_clerk,
        recruiting.second_hr,
    )


URBAN_HOLDER = {
    "身份证号": factories.id_number("19660601"),  # man: retires 2026-11 (60 + 5 months)
    "岗位类型": "城镇",
    "岗位类别": "公共服务类",
    "人员类别": "城镇大龄失业人员",
    "离岗日期": "2022-02-28",
    "离岗原因": "本人自愿离岗",
}


def urban_duty_name() -> dict[str, str]:
    duty = Duty.objects.filter(line="urban").select_related("category").first()
    assert duty is not None  # the seed has urban duties
    return {"岗位类别": duty.category.name, "岗位名称": duty.name}


def test_a_returning_urban_holder_is_measured_at_their_first_approval_ever(cast, urban_round) -> None:
    # First approved under the old scheme 2015-03-01: 11 years from retirement, no extension.
    imported(cast, holder(**URBAN_HOLDER | urban_duty_name() | {"初次核定日期": "2015-03-01"}))
    person = Person.objects.get(name="王大山")
    back = comes_back(urban_round, person)
    assert back.first_approved_on == D(2015, 3, 1)  # not the re-approval of 2022-03-15
    # at the re-approval retirement was 4 years 8 months away: the extension would pass
    with pytest.raises(ValidationError, match="不足5年"):
        terms.extension_grant(placement=back, until=D(2026, 10, 31), document="文件", actor=cast.hr)
    assert Placement.objects.get(pk=back.pk).extended_until is None


def test_an_import_without_first_approval_takes_the_start_of_the_merged_months(cast) -> None:
    imported(
        cast,
        holder(),
        holder(
            **{
                "姓名": "李小河",
                "身份证号": factories.id_number("19700202"),
                "原在岗月数": "0",
                "初次核定日期": "2020-07-01",
            }
        ),
    )
    assert Placement.objects.get(person__name="王大山").first_approved_on == D(2020, 5, 1)  # 2021-03 − 10
    assert Placement.objects.get(person__name="李小河").first_approved_on == D(2020, 7, 1)


def test_a_first_approval_after_the_agreement_start_is_refused_naming_the_row(cast, tmp_path) -> None:
    rows = [
        holder(),
        holder(
            **{"姓名": "李小河", "身份证号": factories.id_number("19700202"), "初次核定日期": "2021-03-02"}
        ),
    ]
    report = placements_import(
        county=County.objects.get(code="371502"),
        source=factories.xlsx(rows, HEADERS),
        dry_run=False,
        actor=cast.hr,
    )
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (3, "初次核定日期", "初次核定日期（2021-03-02）晚于协议开始日期（2021-03-01）")
    ]
    assert not Person.objects.exists() and not Placement.objects.exists()
    path = tmp_path / "holders.xlsx"
    path.write_bytes(factories.xlsx(rows, HEADERS).getvalue())
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_placements", str(path), "--county", "371502", "--user", cast.hr.username)
    assert not Person.objects.exists() and not Placement.objects.exists()


def test_the_import_judges_each_holder_at_their_agreement_start(cast) -> None:
    # 农村大龄人员 (45–65): 64 when the agreement started in 2023, over 65 on the machine's date.
    born = "19580901"
    report = imported(
        cast,
        holder(
            **{
                "身份证号": factories.id_number(born),
                "人员类别": "农村大龄人员",
                "上岗日期": "2023-03-01",
                "协议开始日期": "2023-03-01",
                "协议结束日期": "2024-02-29",
                "原在岗月数": "0",
            }
        ),
    )
    assert report.legacy == 0
    placement = Placement.objects.get()
    assert (placement.legacy_terms, placement.subsidy_until) == (False, D(2026, 2, 28))


# --- docs/policy.md §7.6, §7.8: alerts and the insurance roster ---------------------------------


def test_rural_holders_get_no_retirement_alert_urban_ones_do(cast, monkeypatch) -> None:
    # Both men born 1962-06-01 retire in 2022-06 (before the 2025 reform); the rural one is bounded
    # by the age-65 flag instead.
    factories.placement("371502101", line="rural", birth="19620601", name="乡村人")
    factories.placement("371502101", line="urban", birth="19620601", name="城镇人")
    from placements import selectors

    found = list(selectors.alerts(user=cast.hr, today=D(2022, 5, 1)))
    assert [(a.name, a.kind) for a in found if a.kind == "retirement"] == [("城镇人", "retirement")]
    assert not [a for a in found if a.name == "乡村人"]
    from placements import views

    monkeypatch.setattr(views, "today", lambda: D(2022, 5, 1))
    html = cast.client(cast.hr).get(reverse("placements:alerts")).content.decode()
    assert "城镇人：2022年内达到法定退休年龄" in html and "乡村人" not in html


def test_the_insurance_roster_leaves_out_an_ended_subsidy_or_agreement_whose_exit_was_never_recorded(
    cast, tmp_path
) -> None:
    from openpyxl import load_workbook

    factories.placement("371502101", on_post=D(2022, 1, 1), name="在岗人")
    # 30 merged months from 2020-01: paid until 2020-06-30, never exited in the system
    factories.placement("371502101", on_post=D(2020, 1, 1), prior_months=30, name="期满未退出")
    lapsed = factories.placement("371502101", on_post=D(2022, 1, 1), name="协议已到期")
    Agreement.objects.filter(application=lapsed.application).update(end_date=D(2022, 2, 28))  # not renewed
    terms.stored_terms_refresh(person_ids=[lapsed.person_id])
    path = tmp_path / "insurance.xlsx"
    call_command("insurance_roster", "--county", "371502", "--on", "2022-03-01", "--output", str(path))
    names = [r[3] for r in load_workbook(path).active.iter_rows(min_row=3, values_only=True) if r and r[0]]
    assert "在岗人" in names and "期满未退出" not in names and "协议已到期" not in names
