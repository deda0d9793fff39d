"""The county administrator's onboarding uploads (docs/policy.md §1.6, §1.7)."""

from django import forms
from django.db.models import QuerySet

from .models import County

MODES = [("0", "只检查（预览，不导入）"), ("1", "导入")]


class OrganisationUploadForm(forms.Form):
    county = forms.ModelChoiceField(County.objects.none(), label="区县", empty_label=None)
    file = forms.FileField(label="乡镇（街道）和村（社区）表格（.xlsx 或 .xls）")
    commit = forms.ChoiceField(label="操作", choices=MODES, initial="0", widget=forms.RadioSelect)

    def __init__(self, counties: QuerySet[County], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["county"].queryset = counties  # type: ignore[attr-defined]


class CalendarUploadForm(forms.Form):
    document = forms.CharField(label="国务院办公厅放假安排通知（文号）", max_length=120)
    file = forms.FileField(label="工作日历表格（.xlsx 或 .xls）")
    commit = forms.ChoiceField(label="操作", choices=MODES, initial="0", widget=forms.RadioSelect)
