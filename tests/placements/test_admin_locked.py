"""The admin cannot edit the dates that price a locked month: once a locked payroll run of the
county covers a month at or after a placement's start (an application's date), its dates are
read-only there; a correction goes through the services and becomes 补发/扣回."""

import datetime as dt

from django.urls import reverse

from placements.models import Application, Placement
from subsidies.models import PayrollRun
from townships.models import County

D = dt.date


def form_fields(client, url: str) -> set[str]:
    page = client.get(url).content.decode()
    names = ("on_post_date", "exit_date", "prior_months", "extended_until", "applied_on", "approved_on")
    return {name for name in names if f'name="{name}' in page}


def lock(month: dt.date) -> None:
    PayrollRun.objects.create(
        county=County.objects.get(code="371502"), month=month, state=PayrollRun.State.LOCKED
    )


def test_dates_are_editable_until_a_month_from_them_is_locked(recruiting) -> None:
    (application,) = recruiting.to_approved(1)
    placement = recruiting.to_placed(application)  # on post from 2022-04-01
    client = recruiting.cast.client(recruiting.cast.county_admin)
    placement_url = reverse("admin:placements_placement_change", args=[placement.pk])
    application_url = reverse("admin:placements_application_change", args=[application.pk])
    assert {"on_post_date", "exit_date", "prior_months"} <= form_fields(client, placement_url)
    assert {"applied_on", "approved_on"} <= form_fields(client, application_url)
    lock(D(2022, 3, 1))  # a month before the start: the placement's months are open still
    assert "on_post_date" in form_fields(client, placement_url)
    lock(D(2022, 5, 1))
    assert not form_fields(client, placement_url)
    assert not form_fields(client, application_url)
    page = client.get(placement_url).content.decode()
    assert "2022年4月1日" in page or "2022-04-01" in page  # shown, not editable


def test_a_post_to_the_admin_cannot_move_a_locked_start(recruiting) -> None:
    (application,) = recruiting.to_approved(1)
    placement = recruiting.to_placed(application)
    lock(D(2022, 4, 1))
    client = recruiting.cast.client(recruiting.cast.county_admin)
    url = reverse("admin:placements_placement_change", args=[placement.pk])
    form = {
        "on_post_date": "2022-03-01",
        "exit_date": "2022-03-31",
        "prior_months": "6",
        "first_approved_on": "2022-03-01",
        "extended_until": "",
        "extension_document": "",
        "exit_reason": "other",
        "exit_note": "",
        "referral": "none",
        "referral_note": "",
    }
    assert client.post(url, form).status_code == 302  # saved: what may change did
    fields = ("on_post_date", "exit_date", "prior_months", "first_approved_on")
    assert Placement.objects.filter(pk=placement.pk).values_list(*fields).get() == (
        D(2022, 4, 1),
        None,
        0,
        D(2022, 3, 15),
    )
    assert Application.objects.get(pk=application.pk).approved_on == D(2022, 3, 15)


def test_an_open_start_moved_in_the_admin_meets_the_placement_rule(recruiting) -> None:
    (application,) = recruiting.to_approved(1)
    placement = recruiting.to_placed(application)  # trained 2022-03-25, agreement from 2022-04-01
    client = recruiting.cast.client(recruiting.cast.county_admin)
    url = reverse("admin:placements_placement_change", args=[placement.pk])
    form = {
        "on_post_date": "2022-03-20",
        "exit_date": "",
        "prior_months": "0",
        "first_approved_on": "2022-03-15",
        "extended_until": "",
        "extension_document": "",
        "exit_reason": "",
        "exit_note": "",
        "referral": "",
        "referral_note": "",
    }
    page = client.post(url, form).content.decode()
    assert "上岗日期（2022年03月20日）不能早于培训日期（2022年03月25日）" in page
    assert Placement.objects.get(pk=placement.pk).on_post_date == D(2022, 4, 1)
    form["on_post_date"] = "2022-04-02"
    assert client.post(url, form).status_code == 302
    assert Placement.objects.get(pk=placement.pk).on_post_date == D(2022, 4, 2)
