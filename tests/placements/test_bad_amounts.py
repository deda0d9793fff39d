"""Amounts and hours typed into the agreement and training forms (issue 23): the agreement takes
no typed amount any more (the policy gives it, issue 17: tests/placements/test_agreement_terms.py);
the training's hours are zero or more and its content fits its column."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from placements import services
from placements.models import Application, Step, Training

D = dt.date


def _agreed(recruiting) -> Application:
    (application,) = recruiting.to_approved(1)
    services.agreement_sign(
        application=application, start=D(2022, 4, 1), signed_on=D(2022, 3, 20), actor=recruiting.cast.clerk
    )
    return application


def test_it_refuses_negative_training_hours_and_content_longer_than_its_column(recruiting) -> None:
    application = _agreed(recruiting)
    record = {"application": application, "date": D(2022, 3, 25), "actor": recruiting.cast.clerk}
    with pytest.raises(ValidationError, match="培训学时不能为负数"):
        services.training_record(hours=Decimal("-1"), content="安全", **record)
    with pytest.raises(ValidationError, match="培训内容：确保"):
        services.training_record(hours=Decimal("8"), content="安" * 301, **record)
    assert not Training.objects.exists()
    services.training_record(hours=Decimal("0"), content="安" * 300, **record)
    assert Application.objects.get(pk=application.pk).step == Step.TRAINED


@pytest.mark.parametrize(
    ("hours", "content", "reason"),
    [
        ("-1", "安全", "学时：不能小于0"),
        ("8.25", "安全", "学时：最多保留1位小数"),
        ("123456", "安全", "学时：数值过大"),
        ("NaN", "安全", "学时：「NaN」不是有效的数字"),
        ("8", "安" * 301, "培训内容：确保"),
    ],
)
def test_the_training_form_explains_bad_hours_or_content(
    recruiting, hours: str, content: str, reason: str
) -> None:
    application = _agreed(recruiting)
    page = recruiting.cast.client(recruiting.cast.clerk).post(
        reverse("placements:application-train", args=[application.pk]),
        {"date": "2022-03-25", "hours": hours, "content": content},
        follow=True,
    )
    assert page.status_code == 200 and reason in page.content.decode(), page.content.decode()[-3000:]
    assert not Training.objects.exists()


def test_a_reason_longer_than_its_column_is_refused_not_an_error_page(recruiting) -> None:
    (application,) = recruiting.apply(1)
    page = recruiting.cast.client(recruiting.cast.clerk).post(
        reverse("placements:application-close", args=[application.pk]),
        {"to": "withdrawn", "on": "2022-03-02", "reason": "本人" * 300},
        follow=True,
    )
    assert page.status_code == 200 and "说明：确保" in page.content.decode()
    assert Application.objects.get(pk=application.pk).step == Step.APPLIED
