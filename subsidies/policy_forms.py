"""The policies page's forms (docs/policy.md §8.1): a policy with all its fields, validated by the
model's clean (subsidies.policies.policy_rules_check: what the payroll needs and the period), the
same rule as the admin's and the sheet's; and the sheet upload."""

from django import forms
from django.core.exceptions import ValidationError

from placements.forms import DateInput
from townships.forms import MODES

from .models import SubsidyPolicy
from .policies import policy_rules_check


class PolicyRulesForm(forms.ModelForm):
    """A policy's form (the page's and the admin's) judged by every rule (policy_rules_check):
    the model's clean checks its fields, this also its period among the county's policies."""

    def _post_clean(self) -> None:  # Django's hook after the instance is filled in
        super()._post_clean()  # type: ignore[misc]  # django-stubs leaves out the private hook
        if not self.errors:
            try:
                policy_rules_check(self.instance)
            except ValidationError as exc:
                self._update_errors(exc)  # type: ignore[attr-defined]  # as above


class PolicyForm(PolicyRulesForm):
    """A policy of the county the page names: the county is the instance's, never a field."""

    class Meta:
        model = SubsidyPolicy
        fields = [
            "line",
            "valid_from",
            "valid_to",
            "document",
            "basis",
            "hourly_rate",
            "hours_per_day",
            "monthly_amount",
            "annual_amount",
            "required_days",
            "split",
            "province_annual",
            "province_percent",
            "city_percent",
        ]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}
        help_texts = {
            "valid_to": "可不填：一直有效，直到下一条标准开始（那时自动截止于其前一天）",
            "city_percent": "填0至100，如40；省级定额方式下为扣除省级定额后由市级承担的比例",
            "province_percent": "填0至100，如40",
        }


class PolicyUploadForm(forms.Form):
    file = forms.FileField(label="补贴标准表格（.xlsx 或 .xls）")
    commit = forms.ChoiceField(label="操作", choices=MODES, initial="0", widget=forms.RadioSelect)
