from decimal import Decimal

from django import forms

from subsidies.models import PayrollRun

from .models import Bank


class BatchMakeForm(forms.Form):
    """A locked month of the county, a bank (or all), and the date the bank pays."""

    run = forms.ModelChoiceField(PayrollRun.objects.none(), label="月份", empty_label=None)
    bank = forms.ModelChoiceField(
        Bank.objects.none(), label="银行", required=False, empty_label="全部银行（每家一批）"
    )
    pay_date = forms.DateField(label="代发日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, county_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        runs = PayrollRun.objects.filter(county_id=county_id, state=PayrollRun.State.LOCKED)
        self.fields["run"].queryset = runs.order_by("-month")  # type: ignore[attr-defined]
        self.fields["run"].label_from_instance = lambda r: f"{r.month:%Y年%m月}"  # type: ignore[attr-defined]
        self.fields["bank"].queryset = Bank.objects.filter(county_id=county_id)  # type: ignore[attr-defined]


class RepaymentForm(forms.Form):
    amount = forms.DecimalField(
        label="退回金额（元）", max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    date = forms.DateField(label="退回日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明（如退回凭证号）", max_length=200)
