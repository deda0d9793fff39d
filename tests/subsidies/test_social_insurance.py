"""The social-insurance subsidy for urban post holders (docs/policy.md §8.13): the rule on plain
facts to the fen, then through a computed run (per township and party), the agency's workbook
read back, the run's pages and the cost report with the subsidy apart from pay."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.http import StreamingHttpResponse

from audit.models import Entry
from subsidies import payroll
from subsidies import social_insurance as si
from subsidies.models import PayrollRun, SocialInsuranceLine, SocialInsurancePolicy
from subsidies.money import Shares
from subsidies.payroll import rules
from tests import factories
from tests.conftest import Cast
from tests.subsidies.test_rules import placed as rules_placed
from townships.models import County

D, M = dt.date, Decimal
MARCH = rules.Month(D(2022, 3, 1), D(2022, 3, 31))
APRIL = rules.Month(D(2022, 4, 1), D(2022, 4, 30))
URBAN = rules.Terms(Shares(M("1700.00"), M("0.00"), M("0.00"), M("1700.00")), required=22)
# the seeded example figures (fixtures/social_insurance_2022.json): 3,500 × 16 %, 7 %, 0.7 %, 0.4 %
RATES = si.Rates(M("3500.00"), M("0.16"), M("0.07"), M("0.007"), M("0.004"), "district")
FULL = (M("560.00"), M("245.00"), M("24.50"), M("14.00"))


def placed(**given: object) -> rules.Placed:
    """An urban holder's facts: test_rules' placement on the urban line."""
    return rules_placed(**({"line": "urban"} | given))


def subsidy_of(
    month: rules.Month = MARCH, mark: rules.Mark | None = None, rates: si.Rates = RATES, **facts: object
) -> si.Insured | None:
    line = rules.regular(placed(**facts), month, URBAN, mark)
    assert line is not None
    return si.subsidy(line, rates)


def amounts(row: si.Insured | None) -> tuple[Decimal, ...] | None:
    return None if row is None else (row.pension, row.medical, row.unemployment, row.injury, row.total)


# --- the rule on plain facts ------------------------------------------------------------------------


def test_a_full_month_subsidises_base_times_each_rate() -> None:
    row = subsidy_of()
    assert row is not None
    assert amounts(row) == (*FULL, M("843.50"))
    assert (row.placement_id, row.township_id, row.base, row.party) == (7, 3, M("3500.00"), "district")


def test_a_county_without_injury_insurance_subsidises_none() -> None:
    row = subsidy_of(rates=RATES._replace(injury=None, party="city"))
    assert amounts(row) == (M("560.00"), M("245.00"), M("24.50"), M("0.00"), M("829.50"))
    assert row is not None and row.party == "city"


def test_a_part_month_subsidises_the_share_the_pay_line_is_paid() -> None:
    # on post from the 16th: 16 of 31 days, as the pay (1,700 × 16/31 = 877.42), each insurance rounded
    line = rules.regular(placed(on_post=D(2022, 3, 16)), MARCH, URBAN, None)
    assert line is not None and line.pay == M("877.42")
    assert amounts(si.subsidy(line, RATES)) == (
        M("289.03"),  # 560 × 16/31 = 289.032…
        M("126.45"),  # 245 × 16/31 = 126.451…
        M("12.65"),  # 24.50 × 16/31 = 12.645…
        M("7.23"),  # 14 × 16/31 = 7.225…
        M("435.36"),
    )


def test_short_attendance_subsidises_attended_over_required_days() -> None:
    # 11 of 22 required days: half of each, as the pay (850.00)
    row = subsidy_of(mark=rules.Mark(11, False, "病假"))
    assert amounts(row) == (M("280.00"), M("122.50"), M("12.25"), M("7.00"), M("421.75"))


def test_the_share_is_the_rules_exact_fraction_not_its_six_places() -> None:
    # on post on the 30th of April only: 1/30; 150.15 × 1/30 = 5.005 exactly, half-up 5.01
    # (the stored fraction 0.033333 would give 5.00495 and so 5.00)
    rates = si.Rates(M("1001.00"), M("0.15"), M("0"), M("0"), None, "district")
    row = subsidy_of(APRIL, rates=rates, on_post=D(2022, 4, 30))
    assert amounts(row) == (M("5.01"), M("0.00"), M("0.00"), M("0.00"), M("5.01"))


def test_a_withheld_month_or_no_day_paid_gives_no_subsidy() -> None:
    assert subsidy_of(mark=rules.Mark(22, True, "违反管理规定")) is None
    assert subsidy_of(mark=rules.Mark(0, False, "")) is None  # nothing attended, nothing paid
    assert rules.regular(placed(agreed_until=D(2022, 2, 28)), MARCH, URBAN, None) is None  # no line at all


def test_rural_lines_and_adjustments_give_no_subsidy() -> None:
    assert subsidy_of(line="rural") is None
    regular = rules.regular(placed(), MARCH, URBAN, None)
    assert regular is not None
    back_pay = rules.adjustment(7, regular, (3, "urban", [M("0.00")] * 4), D(2022, 2, 1))
    assert back_pay is not None and si.subsidy(back_pay, RATES) is None


def test_an_assessment_withholding_part_of_the_pay_leaves_the_subsidy_whole() -> None:
    line = rules.regular(placed(), MARCH, URBAN, None)
    assert line is not None
    failed = rules.assessed(line, rules.Verdict(M("50"), M("60"), M("0.30")))
    assert failed.pay == M("1190.00")
    assert amounts(si.subsidy(failed, RATES)) == (*FULL, M("843.50"))


def test_no_policy_in_force_computes_nothing() -> None:
    line = rules.regular(placed(), MARCH, URBAN, None)
    assert line is not None
    assert si.month_rows([line], None) == []
    assert si.subtitle_of(None) == "当月没有适用的社会保险补贴标准，未计算"


# --- through a computed run -------------------------------------------------------------------------


def compute(county: County, month: dt.date, cast: Cast) -> PayrollRun:
    run = payroll.compute_run(payroll.run_for(county, month), cast.finance)
    assert run.state == PayrollRun.State.COMPUTED, run.error
    return run


def rows_of(run: PayrollRun) -> dict[str, tuple]:
    rows = SocialInsuranceLine.objects.filter(run=run).select_related("placement__person")
    return {
        r.placement.person.name: (
            r.township.code,
            r.pension,
            r.medical,
            r.unemployment,
            r.injury,
            r.total,
            r.party,
        )
        for r in rows
    }


@pytest.fixture
def urban_month(cast: Cast) -> PayrollRun:
    """March 2022 in 东昌府区: two urban holders in 沙镇镇 (one from the 16th), one in 堂邑镇 with 11
    of 22 days, one withheld, and a rural holder."""
    factories.placement("371502101", line="urban", name="城镇全月")
    factories.placement("371502101", line="urban", name="城镇半月", on_post=D(2022, 3, 16))
    short = factories.placement("371502102", line="urban", name="城镇缺勤")
    held = factories.placement("371502102", line="urban", name="城镇暂停")
    factories.placement("371502101", name="乡村全月")
    from subsidies.models import Attendance

    for placement, days, withheld in ((short, 11, False), (held, 22, True)):
        Attendance.objects.create(
            placement=placement,
            month=D(2022, 3, 1),
            days=days,
            withheld=withheld,
            note="考勤",
            recorded_by=cast.clerk,
        )
    return compute(County.objects.get(code="371502"), D(2022, 3, 1), cast)


def test_a_computed_run_has_a_row_per_urban_holder_paid_and_per_township_and_party(
    urban_month: PayrollRun, cast: Cast
) -> None:
    assert rows_of(urban_month) == {
        "城镇全月": ("371502101", *FULL, M("843.50"), "district"),
        "城镇半月": ("371502101", M("289.03"), M("126.45"), M("12.65"), M("7.23"), M("435.36"), "district"),
        "城镇缺勤": ("371502102", M("280.00"), M("122.50"), M("12.25"), M("7.00"), M("421.75"), "district"),
    }
    totals = si.township_party_totals(urban_month, cast.finance)
    assert [(t["township__code"], t["party"], t["people"], t["total"]) for t in totals] == [
        ("371502101", "district", 2, M("1278.86")),
        ("371502102", "district", 1, M("421.75")),
    ]
    # the subsidy is not on anyone's pay line
    assert urban_month.lines.get(placement__person__name="城镇全月").pay == M("1700.00")


def test_a_recomputation_gives_the_same_rows_and_follows_a_changed_policy(
    urban_month: PayrollRun, cast: Cast
) -> None:
    before = rows_of(urban_month)
    ids = set(SocialInsuranceLine.objects.filter(run=urban_month).values_list("id", flat=True))
    run = compute(urban_month.county, urban_month.month, cast)
    assert rows_of(run) == before
    assert (
        set(SocialInsuranceLine.objects.filter(run=run).values_list("id", flat=True)) == ids
    )  # nothing written
    SocialInsurancePolicy.objects.create(
        county=run.county,
        valid_from=D(2022, 3, 1),
        base=M("4000.00"),
        pension=M("0.16"),
        medical=M("0.07"),
        unemployment=M("0.007"),
        party="city",
        document="试算",
    )
    run = compute(run.county, run.month, cast)
    assert rows_of(run)["城镇全月"] == (
        "371502101",
        M("640.00"),
        M("280.00"),
        M("28.00"),
        M("0.00"),
        M("948.00"),
        "city",
    )
    assert SocialInsuranceLine.objects.filter(run=run).count() == 3


def test_a_month_without_a_policy_in_force_has_no_subsidy_and_says_so(cast: Cast) -> None:
    county = County.objects.get(code="371502")
    SocialInsurancePolicy.objects.filter(county=county).update(valid_from=D(2022, 4, 1))
    factories.placement("371502101", line="urban", name="城镇全月")
    run = compute(county, D(2022, 3, 1), cast)
    assert not SocialInsuranceLine.objects.filter(run=run).exists()
    page = cast.client(cast.finance).get(f"/subsidies/{run.pk}/social/")
    assert "当月没有适用的社会保险补贴标准，未计算" in page.content.decode()


def test_a_locked_month_keeps_its_rows(urban_month: PayrollRun, cast: Cast) -> None:
    run = payroll.lock(payroll.approve(urban_month, cast.finance2), cast.finance2)
    before = rows_of(run)
    SocialInsurancePolicy.objects.filter(county=run.county).update(base=M("5000.00"))
    with pytest.raises(Exception, match="锁定"):
        payroll.compute_run(run, cast.finance)
    assert rows_of(run) == before


# --- pages and the agency's workbook --------------------------------------------------------------


def workbook(response) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book.active.iter_rows(values_only=True))


def test_the_agency_workbook_lists_each_row_with_whole_numbers_for_finance_and_is_recorded(
    urban_month: PayrollRun, cast: Cast
) -> None:
    response = cast.client(cast.finance).get(f"/subsidies/{urban_month.pk}/social/xlsx/")
    assert response.status_code == 200
    rows = workbook(response)
    assert rows[0][0] == "东昌府区2022年03月城镇公益性岗位社会保险补贴申报表（草稿，未锁定）"
    assert "个人缴费部分已含在补贴中" in rows[1][0]
    header = rows.index(tuple(si.HEADERS))
    body = rows[header + 1 : header + 4]
    number = urban_month.lines.get(placement__person__name="城镇全月").placement.person.id_number
    assert body[0][:4] == (1, "沙镇镇", "城镇全月", number)
    assert body[0][4:] == (3500, 560, 245, 24.5, 14, 843.5, "区级")
    assert body[1][:3] == (2, "沙镇镇", "城镇半月")
    assert body[2][1:3] == ("堂邑镇", "城镇缺勤")
    assert rows[header + 4][:1] == ("合计",) and rows[header + 4][9] == 1700.61
    assert any(
        "社会保险补贴申报表" in str(e.changes) for e in Entry.objects.filter(action=Entry.Action.ACCESS)
    )


def test_hr_gets_the_workbook_masked_and_a_clerk_nothing(urban_month: PayrollRun, cast: Cast) -> None:
    rows = workbook(cast.client(cast.hr).get(f"/subsidies/{urban_month.pk}/social/xlsx/"))
    numbers = [r[3] for r in rows if r and r[2] in ("城镇全月", "城镇半月", "城镇缺勤")]
    assert len(numbers) == 3 and all("********" in n for n in numbers)
    assert cast.client(cast.clerk).get(f"/subsidies/{urban_month.pk}/social/xlsx/").status_code == 404
    other = cast.client(cast.hr_other_county)
    assert other.get(f"/subsidies/{urban_month.pk}/social/").status_code == 404


def test_the_run_pages_show_the_subsidy_per_township_and_party(urban_month: PayrollRun, cast: Cast) -> None:
    client = cast.client(cast.finance)
    page = client.get(f"/subsidies/{urban_month.pk}/").content.decode()
    assert "社会保险补贴" in page and "1700.61" in page
    social = client.get(f"/subsidies/{urban_month.pk}/social/").content.decode()
    for text in ("沙镇镇", "堂邑镇", "区级", "1278.86", "421.75", "个人缴费部分已含在补贴中", "不发给个人"):
        assert text in social, text


# --- the cost report ---------------------------------------------------------------------------------


def test_the_cost_report_carries_the_subsidy_apart_from_pay(urban_month: PayrollRun, cast: Cast) -> None:
    from subsidies.selectors import cost_report

    rows = {r["township__code"]: r for r in cost_report(urban_month.county, 2022)}
    town = rows["371502101"]
    assert town["pay"] == M("1700.00") + M("877.42") + M("680.00")  # pay alone
    assert (town["si_total"], town["si_district"], town["si_city"], town["si_province"]) == (
        M("1278.86"),
        M("1278.86"),
        M("0.00"),
        M("0.00"),
    )
    response = cast.client(cast.finance).get("/subsidies/costs/xlsx/?county=371502&year=2022")
    assert isinstance(response, StreamingHttpResponse)  # the workbook is a file download
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    detail = list(book["分镇街分月"].iter_rows(values_only=True))
    headers = next(r for r in detail if r and r[0] == "镇街代码")
    assert headers[-4:] == ("社保补贴", "其中省级", "其中市级", "其中区级")
    line = next(r for r in detail if r and r[0] == "371502101")
    assert line[4] == 3257.42 and line[-4:] == (1278.86, 0, 0, 1278.86)
    page = cast.client(cast.finance).get("/subsidies/costs/?year=2022").content.decode()
    assert "社会保险补贴" in page and "1700.61" in page


# --- the seeded example figures -------------------------------------------------------------------


def test_the_seeded_policies_are_labelled_examples(seeded: list[County]) -> None:
    dongchang = si.policy_on(County.objects.get(code="371502"), D(2022, 3, 1))
    yanzhou = si.policy_on(County.objects.get(code="370812"), D(2022, 3, 1))
    assert dongchang is not None and yanzhou is not None
    assert dongchang.personal_in_pay and not yanzhou.personal_in_pay
    assert yanzhou.injury is None and dongchang.injury == M("0.00400")
    assert "示例" in dongchang.note and "示例" in yanzhou.note
    assert si.policy_on(County.objects.get(code="371502"), D(2021, 12, 1)) is None
