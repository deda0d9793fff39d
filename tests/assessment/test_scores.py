"""Scores, publishing and what a failing score does to the month's pay (docs/policy.md §8.14),
through the services and the pages."""

import datetime as dt
from decimal import Decimal as M

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessment import scores, selectors
from assessment.models import Score, Sheet
from assessment.scores import Entry
from audit.models import Entry as AuditEntry
from placements.models import ExitReason
from subsidies import payroll
from subsidies.models import PayrollLine
from tests import factories
from townships.models import County, Township

from .conftest import APRIL, MARCH

pytestmark = pytest.mark.django_db
SHAZHEN = "371502101"


def sheet_of(month: dt.date = MARCH) -> Sheet:
    return scores.sheet_for(Township.objects.get(code=SHAZHEN), month)


def score_all(cast, keeper, holders, first=(M(25), M(40), M(15)), second=(M(10), M(40), M(12)), month=MARCH):
    """甲 80 (passes), 乙 62 by default."""
    sheet = sheet_of(month)
    a, b = holders
    scores.scores_enter(
        actor=keeper, sheet=sheet, entries=[Entry(a.pk, village=first[0]), Entry(b.pk, village=second[0])]
    )
    scores.scores_enter(
        actor=cast.clerk,
        sheet=sheet,
        entries=[
            Entry(a.pk, township=first[1], appraisal=first[2]),
            Entry(b.pk, township=second[1], appraisal=second[2]),
        ],
    )
    return sheet


def march_lines() -> dict[str, PayrollLine]:
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), MARCH))
    return {line.placement.person.name: line for line in run.lines.select_related("placement__person")}


def test_each_part_is_entered_by_its_users_and_the_total_follows(cast, scheme, keeper, holders) -> None:
    sheet = score_all(cast, keeper, holders)
    totals = dict(Score.objects.filter(sheet=sheet).values_list("placement__person__name", "total"))
    assert totals == {"甲": M("80.0"), "乙": M("62.0")}


def test_a_failing_published_score_withholds_the_schemes_share_of_that_months_pay(
    cast, scheme, keeper, holders
) -> None:
    sheet = score_all(cast, keeper, holders, second=(M(10), M(30), M(12)))  # 乙 52
    assert march_lines()["乙"].pay == M("680.00")  # not yet published: not counted
    scores.sheet_publish(actor=cast.clerk, sheet=sheet)
    lines = march_lines()
    failed = lines["乙"]
    # 680 × 70 % = 476.00; province 333.33 × 0.7 = 233.33, city 138.67 × 0.7 = 97.07, district the rest
    assert (failed.pay, failed.province, failed.city, failed.district) == (
        M("476.00"),
        M("233.33"),
        M("97.07"),
        M("145.60"),
    )
    assert failed.note == "考核不合格（52分），扣发30%"
    assert lines["甲"].pay == M("680.00") and lines["甲"].note == ""


def test_a_score_above_its_parts_weight_or_negative_is_refused_and_nothing_changes(
    cast, scheme, keeper, holders
) -> None:
    sheet = sheet_of()
    a, b = holders
    with pytest.raises(ValidationError, match="村（社区）评分应在0至30分之间"):
        scores.scores_enter(
            actor=keeper, sheet=sheet, entries=[Entry(a.pk, village=M(20)), Entry(b.pk, village=M(31))]
        )
    with pytest.raises(ValidationError, match="民主评议应在0至20分之间"):
        scores.scores_enter(actor=cast.clerk, sheet=sheet, entries=[Entry(a.pk, appraisal=M(-1))])
    assert not Score.objects.exists()


def test_a_holder_not_on_post_in_the_period_has_no_score(cast, scheme, keeper) -> None:
    gone = factories.placement(
        SHAZHEN, name="丙", on_post=dt.date(2022, 1, 1), exit_date=dt.date(2022, 2, 20)
    )
    with pytest.raises(ValidationError, match="不在沙镇镇的公益性岗位上"):
        scores.scores_enter(actor=cast.clerk, sheet=sheet_of(), entries=[Entry(gone.pk, township=M(40))])


def test_each_part_only_by_its_users_and_scope(cast, scheme, keeper, holders) -> None:
    sheet, (a, _) = sheet_of(), holders
    with pytest.raises(ValidationError, match="村（社区）协管员只能录入村（社区）评分"):
        scores.scores_enter(actor=keeper, sheet=sheet, entries=[Entry(a.pk, township=M(40))])
    with pytest.raises(ValidationError, match="村（社区）评分由村（社区）协管员录入"):
        scores.scores_enter(actor=cast.clerk, sheet=sheet, entries=[Entry(a.pk, village=M(20))])
    with pytest.raises(ValidationError, match="无权录入其他乡镇"):
        scores.scores_enter(actor=cast.other_clerk, sheet=sheet, entries=[Entry(a.pk, township=M(40))])
    with pytest.raises(ValidationError, match="须由乡镇（街道）经办人或村（社区）协管员录入"):
        scores.scores_enter(actor=cast.hr, sheet=sheet, entries=[Entry(a.pk, township=M(40))])
    assert not Score.objects.exists()


def test_without_a_village_user_the_clerk_enters_the_village_part(cast, scheme, holders) -> None:
    sheet, (a, _) = sheet_of(), holders
    scores.scores_enter(actor=cast.clerk, sheet=sheet, entries=[Entry(a.pk, village=M(20))])
    assert Score.objects.get().village == M(20)


def test_published_scores_are_fixed_until_reopened_with_a_reason(cast, scheme, keeper, holders) -> None:
    sheet = score_all(cast, keeper, holders)
    scores.sheet_publish(actor=cast.clerk, sheet=sheet)
    with pytest.raises(ValidationError, match="考核结果已公示"):
        scores.scores_enter(actor=cast.clerk, sheet=sheet, entries=[Entry(holders[0].pk, township=M(50))])
    with pytest.raises(ValidationError, match="须写明原因"):
        scores.sheet_reopen(actor=cast.clerk, sheet=sheet, reason=" ")
    scores.sheet_reopen(actor=cast.hr, sheet=sheet, reason="乙的民主评议结果录错")
    scores.scores_enter(actor=cast.clerk, sheet=sheet, entries=[Entry(holders[1].pk, appraisal=M(18))])
    assert Score.objects.get(placement=holders[1]).total == M("68.0")
    assert [e.note for e in sheet.events.all()] == ["", "乙的民主评议结果录错"]
    corrected = AuditEntry.objects.get_for_object(Score.objects.get(placement=holders[1])).first()
    assert corrected is not None and corrected.changes_dict["appraisal"] == ["12.0", "18"]  # in the audit log


def test_publishing_needs_every_holder_scored_in_full(cast, scheme, keeper, holders) -> None:
    sheet = sheet_of()
    scores.scores_enter(actor=keeper, sheet=sheet, entries=[Entry(holders[0].pk, village=M(20))])
    with pytest.raises(ValidationError, match="评分尚未录入完整，不能公示：甲、乙"):
        scores.sheet_publish(actor=cast.clerk, sheet=sheet)
    assert Sheet.objects.get().state == Sheet.State.OPEN


def test_repeated_failure_proposes_an_exit_with_a_link_to_the_exit_form(
    cast, scheme, keeper, holders
) -> None:
    for month in (MARCH, APRIL):
        scores.sheet_publish(
            actor=cast.clerk, sheet=score_all(cast, keeper, holders, second=(M(5), M(30), M(10)), month=month)
        )
    (proposal,) = selectors.exit_proposals(cast.clerk)
    assert proposal.placement == holders[1]
    assert [total for _, total in proposal.failures] == [M("45.0"), M("45.0")]
    page = cast.client(cast.clerk).get(reverse("assessment:exit-list"))
    assert (
        reverse("placements:application-detail", args=[holders[1].application_id]) + "#exit"
        in page.content.decode()
    )
    assert ExitReason.FAILED_ASSESSMENT.label == "考核不合格"
    assert selectors.exit_proposals(cast.other_clerk) == []
    home = cast.client(cast.clerk).get(reverse("home")).content.decode()
    assert reverse("assessment:exit-list") in home and "考核不合格退出建议" in home


def test_one_failure_or_a_pass_between_proposes_nothing(cast, scheme, keeper, holders) -> None:
    for month, appraisal in ((MARCH, 10), (APRIL, 20)):  # 乙: 45 in March, 55 in April: two failures
        scores.sheet_publish(
            actor=cast.clerk,
            sheet=score_all(cast, keeper, holders, second=(M(5), M(30), M(appraisal)), month=month),
        )
    assert [p.placement for p in selectors.exit_proposals(cast.hr)] == [holders[1]]
    may = dt.date(2022, 5, 1)
    scores.sheet_publish(
        actor=cast.clerk, sheet=score_all(cast, keeper, holders, month=may)
    )  # 乙 passes (62)
    assert selectors.exit_proposals(cast.hr) == []


# --- the pages ------------------------------------------------------------------------------------


def test_the_village_user_scores_on_the_grid_and_bad_input_changes_nothing(
    cast, scheme, keeper, holders
) -> None:
    sheet, (a, b) = sheet_of(), holders
    client = cast.client(keeper)
    url = reverse("assessment:sheet-detail", args=[sheet.pk])
    page = client.get(url).content.decode()
    assert f'name="village-{a.pk}"' in page and f'name="township-{a.pk}"' not in page
    refused = client.post(url, {f"village-{a.pk}": "20", f"village-{b.pk}": "35"})
    assert refused.status_code == 400 and "村（社区）评分应在0至30分之间" in refused.content.decode()
    assert 'value="35"' in refused.content.decode()  # what was typed is kept
    assert not Score.objects.exists()
    assert client.post(url, {f"village-{a.pk}": "20", f"village-{b.pk}": "abc"}).status_code == 400
    assert client.post(url, {f"village-{a.pk}": "20", f"township-{b.pk}": "40"}).status_code == 400
    assert not Score.objects.exists()
    assert client.post(url, {f"village-{a.pk}": "20", f"village-{b.pk}": "25.5"}).status_code == 302
    assert dict(Score.objects.values_list("placement_id", "village")) == {a.pk: M(20), b.pk: M("25.5")}


def test_the_clerk_opens_a_month_publishes_and_prints_masked(cast, scheme, keeper, holders) -> None:
    score_all(cast, keeper, holders)
    client = cast.client(cast.clerk)
    opened = client.post(reverse("assessment:sheet-list"), {"month": "2022-03"})
    sheet = Sheet.objects.get()
    assert opened.url == reverse("assessment:sheet-detail", args=[sheet.pk])
    assert client.post(reverse("assessment:sheet-publish", args=[sheet.pk])).status_code == 302
    printed = client.get(reverse("assessment:sheet-print", args=[sheet.pk])).content.decode()
    id_number = holders[0].person.id_number
    assert "甲" in printed and id_number not in printed and id_number[:6] in printed
    refused = client.post(
        reverse("assessment:sheet-detail", args=[sheet.pk]), {f"township-{holders[0].pk}": "10"}
    )
    assert refused.status_code == 400 and "考核结果已公示" in refused.content.decode()
    assert client.post(reverse("assessment:sheet-reopen", args=[sheet.pk]), {"reason": ""}).status_code == 400
    assert Sheet.objects.get().state == Sheet.State.PUBLISHED


def test_out_of_scope_sheets_answer_404(cast, scheme, keeper, holders) -> None:
    sheet = sheet_of()
    for user in (cast.other_clerk, cast.clerk_other_county, cast.hr_other_county):
        assert cast.client(user).get(reverse("assessment:sheet-detail", args=[sheet.pk])).status_code == 404
    assert cast.client(cast.hr).get(reverse("assessment:sheet-detail", args=[sheet.pk])).status_code == 200


def test_scores_by_sheet_through_the_import_pipeline_all_or_nothing(cast, scheme, holders) -> None:
    sheet, (a, b) = sheet_of(), holders
    headers = ["身份证号", "村（社区）评分", "乡镇（街道）评分", "民主评议"]
    client = cast.client(cast.clerk)
    url = reverse("assessment:sheet-upload", args=[sheet.pk])
    bad = factories.xlsx(
        [[a.person.id_number, "20", "45", "18"], [b.person.id_number, "20", "55", "18"]], headers
    )
    refused = client.post(url, {"file": bad})
    assert refused.status_code == 400 and "乡镇（街道）评分应在0至50分之间" in refused.content.decode()
    assert not Score.objects.exists()
    good = factories.xlsx(
        [[a.person.id_number, "20", "45", "18"], [b.person.id_number, "20", "25", "10"]], headers
    )
    assert client.post(url, {"file": good}).status_code == 302
    assert dict(Score.objects.values_list("placement_id", "total")) == {a.pk: M(83), b.pk: M(55)}


def test_results_published_after_the_computation_started_hold_the_approval(
    cast, scheme, keeper, holders
) -> None:
    sheet = score_all(cast, keeper, holders, second=(M(10), M(30), M(12)))
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), MARCH), cast.finance)
    scores.sheet_publish(actor=cast.clerk, sheet=sheet)
    with pytest.raises(ValidationError, match="计算之后有1张考核表公示或撤回公示，请重新计算该月后再审核"):
        payroll.approve(run, cast.finance2)
    run = payroll.compute_run(run, cast.finance)
    payroll.approve(run, cast.finance2)
    assert run.lines.get(placement=holders[1]).pay == M("476.00")


def test_a_quarterly_failure_withholds_from_the_quarters_last_month(cast, scheme, keeper, holders) -> None:
    scheme.period = "quarter"
    scheme.save()
    sheet = score_all(cast, keeper, holders, second=(M(10), M(30), M(12)), month=dt.date(2022, 2, 1))
    assert (sheet.first, sheet.last) == (dt.date(2022, 1, 1), MARCH)
    scores.sheet_publish(actor=cast.clerk, sheet=sheet)
    county = County.objects.get(code="371502")
    february = payroll.compute_run(payroll.run_for(county, dt.date(2022, 2, 1)))
    assert february.lines.get(placement=holders[1]).pay == M("680.00")
    assert march_lines()["乙"].note == "考核不合格（52分），扣发30%"
