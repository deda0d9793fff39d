"""Accident insurance (docs/policy.md §7.8, §7.9): a policy covers the roster of its start date,
nobody is covered twice for the same days, the roster as a page and a download, accidents judged
at their date and claims followed in order to the insurer's decision."""

import datetime as dt
import io
from decimal import Decimal as M

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Entry
from placements import insurance
from placements.models import Accident, ClaimState, ClaimStep, InsurancePolicy, InsuredPerson
from tests import factories
from townships.models import County

D = dt.date
TODAY = D(2022, 9, 1)


@pytest.fixture
def county(cast) -> County:
    return County.objects.get(code="371502")


@pytest.fixture(autouse=True)
def business_day(monkeypatch) -> None:
    monkeypatch.setattr("placements.views.today", lambda: TODAY)


START, END = D(2022, 3, 1), D(2022, 12, 31)


def policy(cast, county, number: str = "P-2022", start=START, end=END, **extra):
    return insurance.policy_create(
        county=county,
        insurer="中国人寿",
        number=number,
        start_date=start,
        end_date=end,
        premium=M("50.00"),
        actor=cast.hr,
        **extra,
    )


def test_a_policy_covers_the_rural_holders_on_post_and_paid_on_its_start(cast, county) -> None:
    rural = factories.placement("371502101", name="乡村人")
    factories.placement("371502102", name="堂邑人")
    factories.placement("371502101", line="urban", name="城镇人", birth="19680101")
    factories.placement("371502101", exit_date=D(2022, 2, 1), name="已离岗")
    factories.placement("371502101", on_post=D(2022, 4, 1), name="后上岗")
    made = policy(cast, county)
    assert sorted(made.covered.values_list("person__name", flat=True)) == ["乡村人", "堂邑人"]
    cover = made.covered.get(person=rural.person)
    assert (cover.start_date, cover.end_date, cover.township_id) == (
        D(2022, 3, 1),
        D(2022, 12, 31),
        rural.township_id,
    )


def test_nobody_is_covered_twice_for_the_same_days_and_the_policy_is_named(cast, county) -> None:
    factories.placement("371502101", name="乡村人")
    policy(cast, county)
    with pytest.raises(ValidationError) as refused:
        policy(cast, county, number="P-2", start=D(2022, 12, 1), end=D(2023, 11, 30))
    message = refused.value.messages[0]
    assert "已购买的不再重复购买" in message and "中国人寿 P-2022（2022-03-01至2022-12-31）" in message
    assert "乡村人（371502********" in message
    assert InsurancePolicy.objects.count() == 1 and InsuredPerson.objects.count() == 1
    # the next year's policy, from the day after, is fine
    assert (
        policy(cast, county, number="P-2023", start=D(2023, 1, 1), end=D(2023, 12, 31)).covered.count() == 1
    )


def test_a_supplementary_policy_covers_only_those_not_yet_covered(cast, county) -> None:
    factories.placement("371502101", name="老人员")
    policy(cast, county)
    factories.placement("371502101", on_post=D(2022, 5, 1), name="新上岗")
    top_up = policy(cast, county, number="P-ADD", start=D(2022, 6, 1), supplement=True)
    assert list(top_up.covered.values_list("person__name", flat=True)) == ["新上岗"]
    with pytest.raises(ValidationError, match="都已参保"):
        policy(cast, county, number="P-ADD2", start=D(2022, 7, 1), supplement=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"start": D(2022, 3, 1), "end": D(2022, 2, 28)},
            "保险期间止（2022年02月28日）不能早于保险期间起（2022年03月01日）",
        ),
        ({"premium": M("0")}, "每人保费须大于0"),
        ({"premium": M("-5")}, "每人保费须大于0"),
        ({"start": D(2021, 6, 1), "end": D(2021, 12, 31)}, "没有在岗并发放补贴的乡村岗位人员"),
    ],
)
def test_a_bad_policy_is_refused_and_nothing_saved(cast, county, changes, message) -> None:
    factories.placement("371502101")
    kwargs = {
        "start_date": changes.get("start", D(2022, 3, 1)),
        "end_date": changes.get("end", D(2022, 12, 31)),
    }
    with pytest.raises(ValidationError, match=message.replace("（", "（").replace("(", r"\(")):
        insurance.policy_create(
            county=county,
            insurer="人保",
            number="X",
            premium=changes.get("premium", M("30")),
            actor=cast.hr,
            **kwargs,
        )
    assert not InsurancePolicy.objects.exists() and not InsuredPerson.objects.exists()


def test_hr_records_a_policy_on_its_page_and_a_refusal_keeps_what_was_typed(cast) -> None:
    factories.placement("371502101")
    client = cast.client(cast.hr)
    url = reverse("placements:insurance-list")
    form = {"insurer": "中国人寿", "number": "P1", "start_date": "2022-03-01", "end_date": "2022-12-31"}
    bad = client.post(url, {**form, "premium": "0"})
    assert bad.status_code == 200 and "每人保费须大于0" in bad.content.decode()
    assert 'value="中国人寿"' in bad.content.decode() and not InsurancePolicy.objects.exists()
    backwards = client.post(url, {**form, "end_date": "2022-01-01", "premium": "50"})
    assert "不能早于保险期间起" in backwards.content.decode() and not InsurancePolicy.objects.exists()
    done = client.post(url, {**form, "premium": "50.00"})
    made = InsurancePolicy.objects.get()
    assert done["Location"] == reverse("placements:insurance-detail", args=[made.pk]) and made.premium == M(
        "50.00"
    )
    again = client.post(url, {**form, "number": "P2", "premium": "50"}).content.decode()
    assert "保单「中国人寿 P1（2022-03-01至2022-12-31）」已承保" in again
    # a clerk reads the list but records nothing; another county does not see it
    assert cast.client(cast.clerk).post(url, {**form, "number": "P3", "premium": "5"}).status_code == 404
    assert "P1" in cast.client(cast.clerk).get(url).content.decode()
    assert "P1" not in cast.client(cast.hr_other_county).get(url).content.decode()
    detail = reverse("placements:insurance-detail", args=[made.pk])
    assert cast.client(cast.hr_other_county).get(detail).status_code == 404


def test_the_roster_page_masks_numbers_and_shows_a_clerk_their_township(cast) -> None:
    mine = factories.placement("371502101", name="本镇人")
    factories.placement("371502102", name="他镇人")
    page = (
        cast.client(cast.clerk)
        .get(reverse("placements:insurance-roster"), {"on": "2022-03-01"})
        .content.decode()
    )
    assert "本镇人" in page and "他镇人" not in page
    assert mine.person.id_number not in page and mine.person.id_number[:6] + "********" in page
    county = (
        cast.client(cast.hr)
        .get(reverse("placements:insurance-roster"), {"on": "2022-03-01"})
        .content.decode()
    )
    assert "本镇人" in county and "他镇人" in county
    searched = cast.client(cast.hr).get(
        reverse("placements:insurance-roster"), {"on": "2022-03-01", "q": "他镇"}
    )
    assert "本镇人" not in searched.content.decode()


def test_the_roster_download_is_whole_for_hr_and_recorded_and_masked_for_a_clerk(cast, county) -> None:
    holder = factories.placement("371502101", name="乡村人")
    url = reverse("placements:insurance-roster")
    hr = cast.client(cast.hr).get(url, {"on": "2022-03-01", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(hr.streaming_content))).active.iter_rows(values_only=True))
    assert [r[4] for r in rows if r and r[3] == "乡村人"] == [holder.person.id_number]
    kind = ContentType.objects.get_for_model(County)
    (seen,) = Entry.objects.filter(content_type=kind, object_pk=str(county.pk), action=Entry.Action.ACCESS)
    assert seen.actor == cast.hr and "含完整身份证号" in seen.changes["查看"][1]
    clerk = cast.client(cast.clerk).get(url, {"on": "2022-03-01", "export": "xlsx"})
    rows = list(
        load_workbook(io.BytesIO(b"".join(clerk.streaming_content))).active.iter_rows(values_only=True)
    )
    assert [r[4] for r in rows if r and r[3] == "乡村人"] == [
        holder.person.id_number[:6] + "********" + holder.person.id_number[-4:]
    ]
    assert Entry.objects.filter(content_type=kind, action=Entry.Action.ACCESS).count() == 1


def test_an_accident_is_judged_at_its_date(cast, county) -> None:
    holder = factories.placement("371502101", exit_date=D(2022, 8, 1))
    policy(cast, county, start=D(2022, 3, 1), end=D(2022, 6, 30))
    record = insurance.accident_record
    with pytest.raises(ValidationError, match="不能晚于今天"):
        record(placement=holder, occurred_on=D(2022, 9, 2), description="摔伤", actor=cast.clerk, today=TODAY)
    with pytest.raises(ValidationError, match="不在此人的在岗期间（2022年01月01日至2022年08月01日）内"):
        record(placement=holder, occurred_on=D(2022, 8, 2), description="摔伤", actor=cast.clerk, today=TODAY)
    with pytest.raises(ValidationError, match="不在此人的在岗期间"):
        record(
            placement=holder, occurred_on=D(2021, 12, 31), description="摔伤", actor=cast.clerk, today=TODAY
        )
    assert not Accident.objects.exists()
    covered = record(
        placement=holder, occurred_on=D(2022, 6, 30), description="摔伤", actor=cast.clerk, today=TODAY
    )
    assert covered.cover is not None and covered.cover.policy.number == "P-2022"
    assert covered.village_id == holder.post.village_id
    uncovered = record(
        placement=holder, occurred_on=D(2022, 7, 1), description="划伤", actor=cast.clerk, today=TODAY
    )
    assert uncovered.cover is None and uncovered.state == ClaimState.NONE


def test_a_claim_moves_in_order_to_its_decision(cast, county) -> None:
    holder = factories.placement("371502101")
    policy(cast, county)
    accident = insurance.accident_record(
        placement=holder, occurred_on=D(2022, 5, 3), description="摔伤", actor=cast.clerk, today=TODAY
    )
    move = insurance.claim_move
    with pytest.raises(ValidationError, match="当前为“未报案”，不能办理“材料提交”"):
        move(accident=accident, to=ClaimState.SUBMITTED, on=D(2022, 5, 4), actor=cast.clerk, today=TODAY)
    with pytest.raises(ValidationError, match="报案日期（2022年05月02日）不能早于事故日期"):
        move(accident=accident, to=ClaimState.REPORTED, on=D(2022, 5, 2), actor=cast.clerk, today=TODAY)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        move(accident=accident, to=ClaimState.REPORTED, on=D(2022, 9, 2), actor=cast.clerk, today=TODAY)
    move(accident=accident, to=ClaimState.REPORTED, on=D(2022, 5, 3), actor=cast.clerk, today=TODAY)
    with pytest.raises(ValidationError, match="不能早于上一环节（报案）日期"):
        move(accident=accident, to=ClaimState.SUBMITTED, on=D(2022, 5, 2), actor=cast.clerk, today=TODAY)
    move(accident=accident, to=ClaimState.SUBMITTED, on=D(2022, 5, 10), actor=cast.clerk, today=TODAY)
    with pytest.raises(ValidationError, match="赔付须填写大于0的赔付金额"):
        move(
            accident=accident, to=ClaimState.PAID, on=D(2022, 6, 1), actor=cast.hr, amount=M("0"), today=TODAY
        )
    with pytest.raises(ValidationError, match="拒赔须填写拒赔原因"):
        move(accident=accident, to=ClaimState.REFUSED, on=D(2022, 6, 1), actor=cast.hr, today=TODAY)
    assert ClaimStep.objects.count() == 2
    move(
        accident=accident,
        to=ClaimState.PAID,
        on=D(2022, 6, 1),
        actor=cast.hr,
        amount=M("1200.50"),
        today=TODAY,
    )
    accident.refresh_from_db()
    assert (accident.state, accident.amount) == (ClaimState.PAID, M("1200.50"))
    assert [s.to_state for s in accident.steps.all()] == ["reported", "submitted", "paid"]
    with pytest.raises(ValidationError, match="当前为“已赔付”"):
        move(accident=accident, to=ClaimState.REFUSED, on=D(2022, 6, 2), actor=cast.hr, note="x", today=TODAY)


def test_an_uncovered_accident_is_recorded_but_not_claimed(cast) -> None:
    holder = factories.placement("371502101")
    accident = insurance.accident_record(
        placement=holder, occurred_on=D(2022, 5, 3), description="摔伤", actor=cast.clerk, today=TODAY
    )
    with pytest.raises(ValidationError, match="未参保"):
        insurance.claim_move(
            accident=accident, to=ClaimState.REPORTED, on=D(2022, 5, 3), actor=cast.clerk, today=TODAY
        )
    assert insurance.claim_next(accident) == []


def test_a_clerk_records_an_accident_and_its_claim_through_the_pages(cast, county) -> None:
    holder = factories.placement("371502101", name="乡村人")
    policy(cast, county)
    client = cast.client(cast.clerk)
    roster = client.get(reverse("placements:insurance-roster"), {"on": "2022-05-01"}).content.decode()
    new = reverse("placements:accident-new", args=[holder.pk])
    assert new in roster
    future = client.post(new, {"occurred_on": "2022-09-02", "description": "摔伤"})
    assert "不能晚于今天" in future.content.decode() and not Accident.objects.exists()
    done = client.post(new, {"occurred_on": "2022-05-03", "description": "修剪树木时摔伤"})
    accident = Accident.objects.get()
    assert done["Location"] == reverse("placements:accident-detail", args=[accident.pk])
    claim = reverse("placements:accident-claim", args=[accident.pk])
    skipped = client.post(claim, {"to": "paid", "on": "2022-06-01", "amount": "100"}).content.decode()
    assert "不能办理“理赔决定：赔付”" in skipped and not ClaimStep.objects.exists()
    client.post(claim, {"to": "reported", "on": "2022-05-03"})
    client.post(claim, {"to": "submitted", "on": "2022-05-20"})
    refused = client.post(claim, {"to": "refused", "on": "2022-06-01", "note": ""}).content.decode()
    assert "拒赔须填写拒赔原因" in refused
    client.post(claim, {"to": "refused", "on": "2022-06-01", "note": "不属于保险责任"})
    accident.refresh_from_db()
    assert accident.state == ClaimState.REFUSED
    moves = Entry.objects.filter(
        content_type__model="claimstep", subject=f"placements.accident:{accident.pk}"
    )
    assert moves.count() == 3 and {e.actor for e in moves} == {cast.clerk}
    page = client.get(reverse("placements:accident-detail", args=[accident.pk])).content.decode()
    assert "不属于保险责任" in page and "拒赔" in page and holder.person.id_number not in page
    assert "乡村人" in client.get(reverse("placements:accident-list"), {"state": "refused"}).content.decode()


def test_an_uncovered_accident_is_recorded_with_a_warning_on_the_page(cast) -> None:
    holder = factories.placement("371502101")
    response = cast.client(cast.clerk).post(
        reverse("placements:accident-new", args=[holder.pk]),
        {"occurred_on": "2022-05-03", "description": "摔伤"},
        follow=True,
    )
    assert "记为“未参保”" in response.content.decode() and Accident.objects.get().cover is None


def test_another_townships_holder_and_accident_answer_404(cast, county) -> None:
    holder = factories.placement("371502101")
    accident = insurance.accident_record(
        placement=holder, occurred_on=D(2022, 5, 3), description="摔伤", actor=cast.clerk, today=TODAY
    )
    other = cast.client(cast.other_clerk)
    assert other.get(reverse("placements:accident-new", args=[holder.pk])).status_code == 404
    assert (
        other.post(
            reverse("placements:accident-new", args=[holder.pk]), {"occurred_on": "2022-05-04"}
        ).status_code
        == 404
    )
    assert other.get(reverse("placements:accident-detail", args=[accident.pk])).status_code == 404
    claim = reverse("placements:accident-claim", args=[accident.pk])
    assert other.post(claim, {"to": "reported", "on": "2022-05-03"}).status_code == 404
    assert Accident.objects.count() == 1 and not ClaimStep.objects.exists()
    assert "摔伤" not in other.get(reverse("placements:accident-list")).content.decode()


def test_a_refusal_names_a_few_people_per_policy_and_counts_the_rest(cast, county) -> None:
    for n in "甲乙丙丁戊己":
        factories.placement("371502101", name=f"人员{n}")
    policy(cast, county)
    with pytest.raises(ValidationError) as refused:
        policy(cast, county, number="P-2")
    message = refused.value.messages[0]
    named = [n for n in "甲乙丙丁戊己" if f"人员{n}（" in message]
    assert len(named) == 5 and "等6人" in message
