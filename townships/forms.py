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


# Plans (docs/policy.md §2.2, §2.6).


class PlanForm(forms.Form):
    """A new year's plan: the document's title, number and declared totals."""

    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="计划标题", max_length=120)
    document = forms.CharField(label="文件（文号）", max_length=200, required=False)
    declared_urban = forms.IntegerField(label="文件所列城镇合计", min_value=0)
    declared_rural = forms.IntegerField(label="文件所列乡村合计", min_value=0)


class PlanSheetForm(PlanForm):
    file = forms.FileField(label="年度计划表格（.xlsx 或 .xls）")
    commit = forms.ChoiceField(label="操作", choices=MODES, initial="0", widget=forms.RadioSelect)


class AdjustmentForm(forms.Form):
    """动态调整: its date, document and reason, and the declared totals after it."""

    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.CharField(label="调整文件（文号）", max_length=200)
    reason = forms.CharField(label="调整原因", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    declared_urban = forms.IntegerField(label="调整后城镇合计", min_value=0)
    declared_rural = forms.IntegerField(label="调整后乡村合计", min_value=0)


NOT_NEGATIVE = {"min_value": "不能为负数", "required": "请填写（没有岗位的填0）", "invalid": "须为整数"}


class QuotaRowForm(forms.Form):
    """One township's row: the township by its code (fixed by the page), urban and rural."""

    code = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(required=False, widget=forms.HiddenInput)
    urban = forms.IntegerField(label="城镇", min_value=0, error_messages=NOT_NEGATIVE)
    rural = forms.IntegerField(label="乡村", min_value=0, error_messages=NOT_NEGATIVE)


QuotaRowFormSet = forms.formset_factory(QuotaRowForm, extra=0)


class FiveYearPlanForm(forms.Form):
    """A five-year target (docs/policy.md §2.5); its five years are the rows below it."""

    first_year = forms.IntegerField(label="起始年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="名称", max_length=120)
    document = forms.CharField(label="文件", max_length=200, required=False)
    target_urban = forms.IntegerField(label="城镇岗位目标", min_value=0, error_messages=NOT_NEGATIVE)
    target_rural = forms.IntegerField(label="乡村岗位目标", min_value=0, error_messages=NOT_NEGATIVE)
    rural_share = forms.DecimalField(
        label="每年乡村岗位约占比例（%，可不填）",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    share_tolerance = forms.DecimalField(
        label="乡村比例允许偏差（百分点，超过时提示；不填为5）",
        required=False,
        initial=5,
        min_value=0,
        max_value=100,
        decimal_places=2,
    )


class FiveYearRowForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    total = forms.IntegerField(label="年度岗位数", min_value=0, error_messages=NOT_NEGATIVE)
    urban = forms.IntegerField(label="其中城镇", min_value=0, required=False, error_messages=NOT_NEGATIVE)
    rural = forms.IntegerField(label="其中乡村", min_value=0, required=False, error_messages=NOT_NEGATIVE)


FiveYearRowFormSet = forms.formset_factory(FiveYearRowForm, extra=0, min_num=5, max_num=5, validate_min=True)


class AdjustmentSheetForm(AdjustmentForm):
    """An adjustment whose rows come from a sheet (the plan sheet's columns)."""

    file = forms.FileField(label="调整后的计划表格（.xlsx 或 .xls）")
    commit = forms.ChoiceField(label="操作", choices=MODES, initial="0", widget=forms.RadioSelect)
