"""The forms of the application page's steps. Each field fits the column it is saved to (the
training's hours and content); numbers are read by common.params, the one strict reading of a
typed number, which the 新老衔接 import uses too. An agreement's monthly amount and working time
are not typed: the policy and the post give them (placements.agreements)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from common import params

from .models import Training


class HoursField(forms.CharField):
    """Training hours: zero or more, one decimal, as Training.hours holds them."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        column = Training._meta.get_field("hours")
        return params.decimal_text(
            text,
            label="",
            max_digits=column.max_digits,
            decimal_places=column.decimal_places,
            minimum=Decimal(0),
        )


class AgreementForm(forms.Form):
    start = forms.DateField(label="协议开始日期")
    signed_on = forms.DateField(label="签订日期")


class TrainingForm(forms.Form):
    date = forms.DateField(label="培训日期")
    hours = HoursField(label="学时")
    content = forms.CharField(label="培训内容", max_length=Training._meta.get_field("content").max_length)


def cleaned(form: forms.Form) -> dict[str, Any]:
    """The form's values, or ValidationError naming each field with its problem."""
    if form.is_valid():
        return form.cleaned_data
    raise ValidationError(
        [
            f"{form.fields[name].label}：{message}" if name in form.fields else message
            for name, messages in form.errors.items()
            for message in messages
        ]
    )
