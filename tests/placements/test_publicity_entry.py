"""Publicity is recorded when it starts (docs/policy.md §5.5): its first day is no earlier than two
working days before the day it is entered, nor than the democratic review. A publicity entered
today but dated years back (its objection window long over) is refused, by the service and the
page."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from placements import services
from placements.models import Application, Publicity, Step

D = dt.date
REVIEWED_ON = D(2022, 3, 3)


def _reviewed(recruiting, on: dt.date = REVIEWED_ON) -> Application:
    (application,) = recruiting.apply(1, on=min(on, D(2022, 3, 1)))  # applied no later than reviewed
    recruiting.review([application], on=on)
    return application


def _start(application: Application, start: dt.date, entered_on: dt.date, actor) -> Publicity:
    return services.publicity_start(
        applications=[application], start=start, actor=actor, entered_on=entered_on
    )


def test_a_publicity_dated_years_before_its_entry_is_refused(recruiting) -> None:
    application = _reviewed(recruiting)
    with pytest.raises(ValidationError, match="公示应在开始时录入"):
        _start(application, D(2022, 3, 7), entered_on=D(2025, 3, 7), actor=recruiting.cast.clerk)
    assert not Publicity.objects.exists()
    assert Application.objects.get(pk=application.pk).step == Step.REVIEWED


def test_it_may_be_entered_up_to_two_working_days_after_it_started(recruiting) -> None:
    application = _reviewed(recruiting)
    clerk = recruiting.cast.clerk
    # entered Wednesday 2022-03-09: Monday the 7th is two working days before, Friday the 4th three
    with pytest.raises(ValidationError, match="不能早于2022年03月07日"):
        _start(application, D(2022, 3, 4), entered_on=D(2022, 3, 9), actor=clerk)
    made = _start(application, D(2022, 3, 7), entered_on=D(2022, 3, 9), actor=clerk)
    assert (made.start_date, made.end_date) == (D(2022, 3, 7), D(2022, 3, 11))


def test_the_two_working_days_follow_the_calendar(recruiting) -> None:
    application = _reviewed(recruiting, on=D(2022, 1, 20))
    # entered Monday 2022-02-07, the first working day after the Spring Festival holiday: the two
    # working days before are the make-up Sunday 01-30 and Saturday 01-29, so Friday 01-28 is too early
    with pytest.raises(ValidationError, match="不能早于2022年01月29日"):
        _start(application, D(2022, 1, 28), entered_on=D(2022, 2, 7), actor=recruiting.cast.clerk)
    made = _start(application, D(2022, 1, 29), entered_on=D(2022, 2, 7), actor=recruiting.cast.clerk)
    assert made.start_date == D(2022, 1, 29)


def test_a_publicity_cannot_start_before_the_democratic_review(recruiting) -> None:
    application = _reviewed(recruiting, on=D(2022, 3, 3))
    with pytest.raises(ValidationError, match="不能早于民主评议日期（2022年03月03日）"):
        _start(application, D(2022, 3, 2), entered_on=D(2022, 3, 3), actor=recruiting.cast.clerk)
    assert not Publicity.objects.exists()


def test_the_publicity_page_refuses_a_backdated_start_and_takes_a_current_one(
    recruiting, monkeypatch
) -> None:
    application = _reviewed(recruiting)
    monkeypatch.setattr("placements.views.today", lambda: D(2025, 3, 7))  # a Friday
    client = recruiting.cast.client(recruiting.cast.clerk)
    url = reverse("placements:publicity-new")
    page = client.post(url, {"start": "2022-03-07", "application": [application.pk]}, follow=True)
    assert "公示应在开始时录入" in page.content.decode() and "不能早于2025年03月05日" in page.content.decode()
    assert not Publicity.objects.exists()
    page = client.post(url, {"start": "2025-03-05", "application": [application.pk]}, follow=True)
    assert Publicity.objects.get().start_date == D(2025, 3, 5)
    assert Application.objects.get(pk=application.pk).step == Step.PUBLICIZED
