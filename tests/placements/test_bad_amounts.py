"""Money and hours typed into the agreement and training forms (issue 23): a monthly pay of zero,
below zero, NaN or beyond the column is refused in Chinese by the service and by the page; the
training's hours are zero or more and its content fits its column. The 新老衔接 import reads its
old pay through the same parser."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from placements import services
from placements.models import Agreement, Application, Step, Training

D = dt.date


def _agreed(recruiting) -> Application:  # type: ignore[no-untyped-def]
    (application,) = recruiting.to_approved(1)
    services.agreement_sign(
        application=application, start=D(2022, 4, 1), signed_on=D(2022, 3, 20),
        monthly_pay=Decimal("680"), actor=recruiting.cast.clerk,
    )  # fmt: skip
    return application


@pytest.mark.parametrize("pay", [Decimal("0"), Decimal("-680"), Decimal("NaN"), Decimal("123456789012")])
def test_it_refuses_a_monthly_pay_of_zero_below_zero_or_beyond_the_column(recruiting, pay: Decimal) -> None:
    (application,) = recruiting.to_approved(1)
    with pytest.raises(ValidationError) as refused:
        services.agreement_sign(
            application=application, start=D(2022, 4, 1), signed_on=D(2022, 3, 20), monthly_pay=pay,
            actor=recruiting.cast.clerk,
        )  # fmt: skip
    assert any("月补贴标准" in m for m in refused.value.messages), refused.value.messages
    assert not Agreement.objects.exists()
    assert Application.objects.get(pk=application.pk).step == Step.APPROVED


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
    ("pay", "reason"),
    [
        ("0", "月补贴标准：不能小于0.01"),
        ("-680", "月补贴标准：不能小于0.01"),
        ("NaN", "月补贴标准：「NaN」不是有效的数字"),
        ("Infinity", "不是有效的数字"),
        ("1e3", "不是有效的数字"),
        ("680.001", "最多保留2位小数"),
        ("100000", "不能大于99999.99"),
        ("9" * 30, "月补贴标准："),
    ],
)
def test_the_agreement_form_explains_a_bad_monthly_pay(recruiting, pay: str, reason: str) -> None:
    (application,) = recruiting.to_approved(1)
    page = recruiting.cast.client(recruiting.cast.clerk).post(
        reverse("placements:application-act", args=[application.pk]),
        {"action": "agree", "start": "2022-04-01", "signed_on": "2022-03-20", "monthly_pay": pay},
        follow=True,
    )
    assert page.status_code == 200 and reason in page.content.decode()
    assert not Agreement.objects.exists()


def test_the_agreement_form_takes_thousands_commas_and_records_the_amount(recruiting) -> None:
    (application,) = recruiting.to_approved(1)
    recruiting.cast.client(recruiting.cast.clerk).post(
        reverse("placements:application-act", args=[application.pk]),
        {"action": "agree", "start": "2022-04-01", "signed_on": "2022-03-20", "monthly_pay": " 1,700.5 "},
    )
    assert Agreement.objects.get().monthly_pay == Decimal("1700.50")


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
        reverse("placements:application-act", args=[application.pk]),
        {"action": "train", "date": "2022-03-25", "hours": hours, "content": content},
        follow=True,
    )
    assert page.status_code == 200 and reason in page.content.decode(), page.content.decode()[-3000:]
    assert not Training.objects.exists()


def test_a_reason_longer_than_its_column_is_refused_not_an_error_page(recruiting) -> None:
    (application,) = recruiting.apply(1)
    page = recruiting.cast.client(recruiting.cast.clerk).post(
        reverse("placements:application-act", args=[application.pk]),
        {"action": "withdrawn", "on": "2022-03-02", "reason": "本人" * 300},
        follow=True,
    )
    assert page.status_code == 200 and "说明：确保" in page.content.decode()
    assert Application.objects.get(pk=application.pk).step == Step.APPLIED
