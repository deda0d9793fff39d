"""A village user records an accident where the work is done (docs/policy.md §7.9): for a holder
of their village's posts only, judged like the clerk's, seen afterwards in their village's list;
the claim stays the clerk's and HR's, in the service as on the page."""

import datetime as dt

import pytest
from django.http import Http404
from django.urls import reverse

from accounts.services import village_user_create
from placements import insurance
from placements.models import Accident, ClaimState, Placement
from tests import factories
from townships.models import Township

D = dt.date
TODAY = D(2022, 9, 1)


@pytest.fixture(autouse=True)
def business_day(monkeypatch) -> None:
    monkeypatch.setattr("placements.views.today", lambda: TODAY)


@pytest.fixture
def holders(cast) -> tuple[Placement, Placement]:
    """A holder of the village user's village, and one of another village of the same township."""
    mine = factories.placement("371502101", name="本村人")
    theirs = factories.placement("371502101", name="外村人")
    other = Township.objects.get(code="371502101").villages.exclude(pk=mine.post.village_id).first()
    theirs.post.village = other
    theirs.post.save(update_fields=["village"])
    return mine, theirs


@pytest.fixture
def keeper(cast, holders):
    user, _ = village_user_create(actor=cast.clerk, village=holders[0].post.village, username="cun")
    return user


def test_the_village_user_records_an_accident_of_their_villages_holder_only(cast, holders, keeper) -> None:
    mine, theirs = holders
    accident = insurance.accident_record(
        placement=mine, occurred_on=D(2022, 8, 30), description="修路时扭伤", actor=keeper, today=TODAY
    )
    assert (accident.village_id, accident.recorded_by) == (mine.post.village_id, keeper)
    with pytest.raises(Http404):
        insurance.accident_record(
            placement=theirs, occurred_on=D(2022, 8, 30), description="摔伤", actor=keeper, today=TODAY
        )
    assert list(insurance.accidents_for(keeper)) == [accident]
    assert Accident.objects.count() == 1


def test_the_village_user_moves_no_claim(cast, holders, keeper) -> None:
    accident = insurance.accident_record(
        placement=holders[0], occurred_on=D(2022, 8, 30), description="扭伤", actor=keeper, today=TODAY
    )
    with pytest.raises(Http404):
        insurance.claim_move(accident=accident, to=ClaimState.REPORTED, on=TODAY, actor=keeper, today=TODAY)
    with pytest.raises(Http404):  # another township's clerk
        insurance.claim_move(
            accident=accident, to=ClaimState.REPORTED, on=TODAY, actor=cast.other_clerk, today=TODAY
        )
    assert Accident.objects.get().state == ClaimState.NONE


def test_the_village_page_leads_to_the_accident_form_and_back_to_the_list(cast, holders, keeper) -> None:
    mine, theirs = holders
    client = cast.client(keeper)
    month_page = client.get(reverse("subsidies:village-home"), follow=True).content.decode()
    assert reverse("placements:accident-new", args=[mine.pk]) in month_page
    assert reverse("placements:accident-new", args=[theirs.pk]) not in month_page
    assert client.get(reverse("placements:accident-new", args=[theirs.pk])).status_code == 404
    form = {"occurred_on": "2022-08-30", "description": "修路时扭伤"}
    bad = client.post(
        reverse("placements:accident-new", args=[mine.pk]), {**form, "occurred_on": "2022-09-02"}
    )
    assert "不能晚于今天" in bad.content.decode() and not Accident.objects.exists()
    done = client.post(reverse("placements:accident-new", args=[mine.pk]), form)
    accident = Accident.objects.get()
    assert done["Location"] == reverse("placements:accident-detail", args=[accident.pk])
    detail = client.get(done["Location"]).content.decode()
    assert "修路时扭伤" in detail and "办理下一环节" not in detail
    assert "本村人" in client.get(reverse("placements:accident-list")).content.decode()
    answer = client.post(reverse("placements:accident-claim", args=[accident.pk]), {"to": "reported"})
    assert answer.status_code == 404
    for name in ("placements:insurance-list", "placements:insurance-roster"):
        assert client.get(reverse(name)).status_code == 404, name
    assert cast.client(cast.other_clerk).get(done["Location"]).status_code == 404
    assert cast.client(cast.clerk).get(done["Location"]).status_code == 200
