"""The forms of accident insurance and follow-up after exit (docs/policy.md §7.9, §7.10). They read
what was typed; whether it may be recorded is the services' (placements/insurance.py,
placements/followup.py), whose refusals come back next to the fields (forms.refusal_add)."""

from decimal import Decimal
from typing import Any

from django import forms

from common import params
from common.forms import Form

from .forms import date_field
from .insurance import MOVE_LABELS
from .models import ExitReferral, FollowUpOutcome, FollowUpService, InsurancePolicy, ReferralKind


class MoneyField(forms.CharField):
    """An amount in yuan to the fen as a Decimal; its sign is the service's to judge."""

    def __init__(self, *, max_digits: int, **kwargs: Any) -> None:
        self.max_digits = max_digits
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        return params.decimal_text(text, label="", max_digits=self.max_digits, decimal_places=2)


class PolicyForm(Form):
    insurer = forms.CharField(label="保险公司", max_length=100)
    number = forms.CharField(label="保单号", max_length=60)
    start_date = date_field("保险期间起")
    end_date = date_field("保险期间止")
    premium = MoneyField(
        label="每人保费（元）", max_digits=InsurancePolicy._meta.get_field("premium").max_digits
    )
    supplement = forms.BooleanField(label="补充投保（仅为保险期间内尚未参保的人员投保）", required=False)


class AccidentForm(Form):
    occurred_on = date_field("事故日期")
    description = forms.CharField(label="事故经过", widget=forms.Textarea(attrs={"rows": 4}))


class ClaimForm(Form):
    to = forms.ChoiceField(label="理赔环节", choices=[("", "请选择"), *MOVE_LABELS.items()])
    on = date_field("日期")
    amount = MoneyField(label="赔付金额（元）", max_digits=12, required=False)
    note = forms.CharField(label="说明（拒赔须填原因）", max_length=300, required=False)

    def __init__(self, *args: Any, moves: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if moves is not None:  # only the moves the claim may take next
            self.fields["to"].choices = [("", "请选择"), *((m, MOVE_LABELS[m]) for m in moves)]  # type: ignore[attr-defined]  # a ChoiceField


class ReferralForm(Form):
    kind = forms.ChoiceField(label="转介类型", choices=[("", "请选择"), *ReferralKind.choices])
    referred_on = date_field("转介日期")
    note = forms.CharField(label="说明", max_length=300, required=False)


class FollowUpForm(Form):
    referral = forms.ModelChoiceField(
        label="转介", queryset=ExitReferral.objects.none(), empty_label="请选择"
    )
    on = date_field("跟踪日期")
    service = forms.ChoiceField(label="提供服务", choices=[("", "请选择"), *FollowUpService.choices])
    outcome = forms.ChoiceField(label="跟踪结果", choices=[("", "请选择"), *FollowUpOutcome.choices])
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args: Any, referrals: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if referrals is not None:
            field = self.fields["referral"]
            field.queryset = referrals  # type: ignore[attr-defined]  # a ModelChoiceField
            field.label_from_instance = lambda r: r.get_kind_display()  # type: ignore[attr-defined]
