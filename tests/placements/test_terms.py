"""Life on the post: the 36-month period across agreements and merged months, extensions,
renewal, exit with referral and refill, alerts within 60 days."""

import datetime as dt
from decimal import Decimal as M

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from placements import terms
from placements.models import Application, Placement, Referral, Step
from posts.models import Post
from tests import factories

D = dt.date


@pytest.fixture
def placed(recruiting) -> Placement:
    (application,) = recruiting.to_approved(1)
    return recruiting.to_placed(application)


def test_the_subsidy_period_counts_merged_earlier_months(placed) -> None:
    assert terms.subsidy_end(placed) == D(2025, 3, 31)
    placed.prior_months = 10
    placed.save()
    terms.stored_terms_refresh(person_ids=[placed.person_id])  # what every write of the facts does
    placed.refresh_from_db()
    assert terms.subsidy_end(placed) == D(2024, 5, 31)


def test_renewals_continue_the_agreement_but_stop_at_the_subsidy_period(placed, recruiting) -> None:
    clerk = recruiting.cast.clerk
    second = terms.agreement_renew(placement=placed, signed_on=D(2023, 3, 20), actor=clerk)
    assert (second.number, second.start_date, second.end_date) == (2, D(2023, 4, 1), D(2024, 3, 31))
    third = terms.agreement_renew(placement=placed, signed_on=D(2024, 3, 20), actor=clerk, months=24)
    assert third.end_date == D(2025, 3, 31)  # the 36 months end here
    with pytest.raises(ValidationError, match="补贴期限已于2025-03-31届满"):
        terms.agreement_renew(placement=placed, signed_on=D(2025, 3, 20), actor=clerk)


def test_rural_extension_by_county_approval(placed, recruiting) -> None:
    with pytest.raises(ValidationError, match="批准文件"):
        terms.extension_grant(placement=placed, until=D(2026, 3, 31), document="", actor=recruiting.cast.hr)
    terms.extension_grant(
        placement=placed, until=D(2026, 3, 31), document="东人社字〔2025〕8号", actor=recruiting.cast.hr
    )
    assert terms.subsidy_end(Placement.objects.get(pk=placed.pk)) == D(2026, 3, 31)


def test_old_terms_end_with_the_old_agreement_and_are_not_extended(placed, recruiting) -> None:
    placed.legacy_terms, placed.legacy_pay, placed.legacy_until = True, M("1200.00"), D(2022, 12, 31)
    placed.save()
    terms.stored_terms_refresh(person_ids=[placed.person_id])
    placed.refresh_from_db()
    assert terms.subsidy_end(placed) == D(2022, 12, 31)
    with pytest.raises(ValidationError, match="按原协议待遇至原协议期满"):
        terms.extension_grant(
            placement=placed, until=D(2026, 3, 31), document="文件", actor=recruiting.cast.hr
        )
    assert Placement.objects.get(pk=placed.pk).extended_until is None


def test_urban_extension_only_near_retirement_and_only_up_to_it(placed, recruiting) -> None:
    placed.line = "urban"
    placed.save()
    # Born 1970-01-01, male: retires in 2031-05 (60 + 16 months); first approved 2022: 9 years away.
    with pytest.raises(ValidationError, match="不足5年"):
        terms.extension_grant(
            placement=placed, until=D(2027, 1, 1), document="文件", actor=recruiting.cast.hr
        )
    placed.first_approved_on = D(2027, 1, 10)
    placed.save()
    retire = terms.person_retirement(placed)
    with pytest.raises(ValidationError, match="最长延至法定退休前一日"):
        terms.extension_grant(placement=placed, until=retire, document="文件", actor=recruiting.cast.hr)
    until = retire - dt.timedelta(days=1)
    terms.extension_grant(placement=placed, until=until, document="文件", actor=recruiting.cast.hr)
    # the day before retirement is the birth date moved: beside the masked number, its year only
    page = recruiting.cast.client(recruiting.cast.hr).get(
        reverse("placements:application-detail", args=[placed.application_id])
    )
    text = page.content.decode()
    assert f"补贴期限延长至{until.year}年内法定退休前（文件）" in text
    assert str(until) not in text and f"{until:%Y-%m}" not in text


def test_exit_records_reason_and_referral_and_frees_the_post_for_a_new_round(placed, recruiting) -> None:
    terms.placement_exit(
        placement=placed,
        exit_date=D(2022, 9, 15),
        reason="other_work",
        referral=Referral.NONE,
        note="进厂务工",
        actor=recruiting.cast.clerk,
    )
    placed.refresh_from_db()
    assert (placed.exit_date, placed.exit_reason, placed.referral) == (D(2022, 9, 15), "other_work", "none")
    application = Application.objects.get(pk=placed.application_id)
    assert (application.step, application.holds_post) == (Step.EXITED, False)
    last = application.history.last()
    assert last is not None and last.note == "实现其他就业：进厂务工"
    post = Post.objects.get(pk=placed.post_id)
    assert post.status == Post.Status.VACANT
    newcomer = factories.person("371502101", name="补岗人")
    from placements import services

    refill = services.application_create(
        person=newcomer,
        post=post,
        announcement=recruiting.announcement,
        actor=recruiting.cast.clerk,
        on=D(2022, 3, 9),
    )
    assert refill.step == Step.APPLIED
    with pytest.raises(ValidationError, match="已于2022-09-15退出"):
        terms.placement_exit(
            placement=placed,
            exit_date=D(2022, 9, 20),
            reason="other",
            referral="none",
            note="",
            actor=recruiting.cast.clerk,
        )


def test_alerts_list_what_falls_due_within_sixty_days(placed, cast) -> None:
    from placements import selectors

    def found(day: dt.date) -> list:
        return list(selectors.alerts(user=cast.county_admin, today=day))

    assert found(D(2022, 6, 1)) == []
    due = found(D(2023, 2, 15))
    assert [(a.kind, a.due) for a in due] == [("agreement", D(2023, 3, 31))]
    assert due[0].message.startswith(f"{placed.person.name}：协议到期（2023-03-31")
    later = found(D(2025, 2, 10))
    assert ("subsidy", D(2025, 3, 31)) in [(a.kind, a.due) for a in later]


def test_a_renewal_moves_the_agreement_alert_to_the_new_end(placed, cast) -> None:
    from placements import selectors

    assert [a.kind for a in selectors.alerts(user=cast.hr, today=D(2023, 2, 15))] == ["agreement"]
    terms.agreement_renew(placement=placed, signed_on=D(2023, 2, 20), actor=cast.clerk)
    assert list(selectors.alerts(user=cast.hr, today=D(2023, 2, 15))) == []
    placed.refresh_from_db()
    assert placed.agreement_until == D(2024, 3, 31)
