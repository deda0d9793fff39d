"""Follow-up after exit (docs/policy.md §7.10): the exit makes its referral, each referral is
followed up on or after the exit, HR lists the referred leavers not followed up within the
county's days, and the landing page counts the year's leavers by outcome."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import Entry
from placements import followup, terms
from placements.models import ExitReferral, FollowUp, FollowUpSetting, Placement
from tests import factories
from townships.models import County

D = dt.date
TODAY = D(2022, 9, 1)
EXIT = D(2022, 6, 30)


@pytest.fixture(autouse=True)
def business_day(monkeypatch) -> None:
    monkeypatch.setattr("placements.views.today", lambda: TODAY)


def leaver(cast, township: str = "371502101", exit_date=EXIT, referral: str = "employment", **extra):
    """A holder who exits through the service on `exit_date` with `referral`."""
    placed = factories.placement(township, **extra)
    return terms.placement_exit(
        placement=placed,
        exit_date=exit_date,
        reason="voluntary",
        referral=referral,
        note="",
        referral_note="想找工厂的工作",
        actor=cast.clerk,
    )


def test_an_exit_makes_the_referral_its_form_names(cast) -> None:
    referred = leaver(cast, name="转介人")
    (row,) = ExitReferral.objects.filter(placement=referred)
    assert (row.kind, row.referred_on, row.note, row.created_by) == (
        "employment",
        D(2022, 6, 30),
        "想找工厂的工作",
        cast.clerk,
    )
    assistance = leaver(cast, referral="assistance", name="救助人")
    assert ExitReferral.objects.get(placement=assistance).kind == "assistance"
    none = leaver(cast, referral="none", name="无需人")
    assert not ExitReferral.objects.filter(placement=none).exists()


def test_the_old_referral_code_becomes_a_referral_row(cast) -> None:
    old = factories.placement("371502101", exit_date=D(2021, 5, 1), on_post=D(2020, 1, 1))
    Placement.objects.filter(pk=old.pk).update(referral="assistance", referral_note="低保户")
    untouched = factories.placement("371502101", exit_date=D(2021, 5, 1), on_post=D(2020, 1, 1), name="无")
    Placement.objects.filter(pk=untouched.pk).update(referral="none")
    migration = importlib.import_module("placements.migrations.0012_exit_referrals_from_the_old_code")
    migration.forwards(apps, None)
    row = ExitReferral.objects.get(placement=old)
    assert (row.kind, row.referred_on, row.note, row.created_by) == (
        "assistance",
        D(2021, 5, 1),
        "低保户",
        None,
    )
    assert not ExitReferral.objects.filter(placement=untouched).exists()
    migration.forwards(apps, None)  # again: nothing doubled
    assert ExitReferral.objects.count() == 1


def test_a_follow_up_is_dated_on_or_after_the_exit_and_not_after_today(cast) -> None:
    referral = ExitReferral.objects.get(placement=leaver(cast))
    record = followup.followup_record
    common = {
        "service": "job_introduction",
        "outcome": "ongoing",
        "note": "",
        "actor": cast.clerk,
        "today": TODAY,
    }
    with pytest.raises(ValidationError, match="跟踪日期（2022年06月29日）不能早于离岗日期（2022年06月30日）"):
        record(referral=referral, on=D(2022, 6, 29), **common)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        record(referral=referral, on=D(2022, 9, 2), **common)
    with pytest.raises(ValidationError, match="请选择跟踪结果"):
        record(referral=referral, on=D(2022, 7, 5), **{**common, "outcome": "rich"})
    assert not FollowUp.objects.exists()
    record(referral=referral, on=D(2022, 7, 5), **{**common, "outcome": "employed"})
    assert FollowUp.objects.get().outcome == "employed"


def test_a_further_referral_comes_after_the_exit_and_once_per_kind(cast) -> None:
    referred = leaver(cast)
    add = followup.referral_add
    with pytest.raises(ValidationError, match="不能早于离岗日期"):
        add(
            placement=referred, kind="startup", referred_on=D(2022, 6, 1), note="", actor=cast.hr, today=TODAY
        )
    with pytest.raises(ValidationError, match="已有“就业帮扶”转介"):
        add(
            placement=referred,
            kind="employment",
            referred_on=D(2022, 7, 1),
            note="",
            actor=cast.hr,
            today=TODAY,
        )
    add(
        placement=referred,
        kind="startup",
        referred_on=D(2022, 7, 1),
        note="创业培训",
        actor=cast.hr,
        today=TODAY,
    )
    assert sorted(referred.referrals.values_list("kind", flat=True)) == ["employment", "startup"]
    on_post = factories.placement("371502101", name="在岗人")
    with pytest.raises(ValidationError, match="尚未退出"):
        add(placement=on_post, kind="startup", referred_on=D(2022, 7, 1), note="", actor=cast.hr, today=TODAY)


def test_leavers_referred_and_not_followed_up_past_the_countys_days_are_listed(cast) -> None:
    late = leaver(cast, exit_date=D(2022, 7, 1), name="逾期人")  # 62 days before TODAY
    recent = leaver(cast, exit_date=D(2022, 8, 15), name="新离岗")  # 17 days
    leaver(cast, exit_date=D(2022, 6, 1), referral="none", name="不转介的人")
    followed = leaver(cast, exit_date=D(2022, 6, 1), name="回访过的人")
    followup.followup_record(
        referral=followed.referrals.get(),
        on=D(2022, 6, 10),
        service="training",
        outcome="ongoing",
        note="",
        actor=cast.clerk,
        today=TODAY,
    )
    assert list(followup.without_followup(cast.hr, TODAY)) == [late]
    FollowUpSetting.objects.create(county=County.objects.get(code="371502"), due_days=10)
    assert list(followup.without_followup(cast.hr, TODAY)) == [late, recent]
    assert list(followup.without_followup(cast.other_clerk, TODAY)) == []
    page = cast.client(cast.hr).get(reverse("placements:followup-list")).content.decode()
    assert "逾期人" in page and "新离岗" in page and "回访过的人" not in page and "不转介的人" not in page


def test_the_landing_page_counts_the_years_leavers_by_outcome(cast) -> None:
    employed = leaver(cast, name="就业人")
    leaver(cast, name="未跟踪")
    leaver(cast, referral="none", name="无需")
    leaver(cast, exit_date=D(2021, 12, 31), on_post=D(2021, 1, 1), name="去年人")
    entry = {"service": "job_introduction", "note": "", "actor": cast.clerk, "today": TODAY}
    followup.followup_record(referral=employed.referrals.get(), on=D(2022, 7, 1), outcome="ongoing", **entry)
    followup.followup_record(referral=employed.referrals.get(), on=D(2022, 8, 1), outcome="employed", **entry)
    figures = followup.figures(cast.hr, TODAY)
    assert (figures.leavers, figures.referred, figures.followed, figures.overdue) == (3, 2, 1, 2)
    assert dict(figures.outcomes) == {"已就业": 1, "自主创业": 0, "纳入救助": 0, "本人放弃": 0, "跟踪中": 0}
    assert followup.figures(cast.other_clerk, TODAY).leavers == 0
    year = cast.client(cast.hr).get(reverse("placements:followup-list"), {"show": "year"}).content.decode()
    assert "就业人" in year and "已就业" in year and "未跟踪" in year and "去年人" not in year
    home = cast.client(cast.hr).get(reverse("home")).content.decode()
    assert "年退出人员跟踪" in home and reverse("placements:followup-list") in home


def test_a_clerk_follows_a_leaver_up_on_the_page_and_another_township_gets_404(cast) -> None:
    referred = leaver(cast, name="转介人")
    client = cast.client(cast.clerk)
    page = reverse("placements:followup-detail", args=[referred.pk])
    assert "就业帮扶" in client.get(page).content.decode()
    entry = reverse("placements:followup-entry", args=[referred.pk])
    referral = referred.referrals.get()
    before = client.post(
        entry, {"referral": referral.pk, "on": "2022-06-01", "service": "training", "outcome": "ongoing"}
    )
    assert before.status_code == 200 and "不能早于离岗日期" in before.content.decode()
    assert not FollowUp.objects.exists()
    done = client.post(
        entry, {"referral": referral.pk, "on": "2022-07-02", "service": "training", "outcome": "employed"}
    )
    assert done["Location"] == page and FollowUp.objects.get().outcome == "employed"
    recorded = Entry.objects.get(
        content_type__model="followup", subject=f"placements.placement:{referred.pk}"
    )
    assert recorded.actor == cast.clerk and recorded.changes["outcome"] == ["None", "employed"]
    added = client.post(
        reverse("placements:followup-referral", args=[referred.pk]),
        {"kind": "assistance", "referred_on": "2022-07-03"},
    )
    assert added["Location"] == page and referred.referrals.count() == 2
    other = cast.client(cast.other_clerk)
    assert other.get(page).status_code == 404
    assert other.post(entry, {"referral": referral.pk, "on": "2022-07-05"}).status_code == 404
    assert other.post(reverse("placements:followup-referral", args=[referred.pk]), {}).status_code == 404
    assert FollowUp.objects.count() == 1
    on_post = factories.placement("371502101", name="在岗人")
    assert client.get(reverse("placements:followup-detail", args=[on_post.pk])).status_code == 404
