from django import forms

from common.forms import Form, SpreadsheetField
from townships.models import Township

from .models import RetirementCategory, RosterKind, TargetGroup
from .services import PersonData


class PersonForm(Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=20, help_text="18位，最后一位可以是X")
    village = forms.ChoiceField(label="村（社区）")
    groups = forms.MultipleChoiceField(
        label="人员类别",
        choices=TargetGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个人员类别"},
    )
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="户籍地址", max_length=200, required=False)
    household_no = forms.CharField(label="户号", max_length=40, required=False)
    retirement_category = forms.ChoiceField(
        label="退休类别",
        required=False,
        choices=[("", "按性别默认（男60/女55）"), *RetirementCategory.choices],
    )
    bank_account = forms.CharField(
        label="银行账号",
        max_length=32,
        required=False,
        help_text="已登记人员改账号：保存后须由本乡镇另一名经办人或区人社局确认才生效",
    )
    bank_name = forms.CharField(label="开户银行", max_length=80, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, township: Township, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [  # type: ignore[attr-defined]  # village is a ChoiceField("", "请选择")] + [
            (v.name, v.name) for v in township.villages.all()
        ]

    def person_data(self) -> PersonData:
        return PersonData(**self.cleaned_data)


class ImportUploadForm(Form):
    file = SpreadsheetField(label="申请人表格（.xlsx 或 .xls）")


class RosterUploadForm(Form):
    kind = forms.ChoiceField(label="名单类型", choices=RosterKind.choices)
    roster_date = forms.DateField(label="名单日期", widget=forms.DateInput(attrs={"type": "date"}))
    file = SpreadsheetField(label="名单表格（.xlsx 或 .xls，含“身份证号”列）")


class ClaimDecisionForm(Form):
    accepted = forms.TypedChoiceField(
        label="认定结果", choices=[("1", "认定通过"), ("0", "认定不通过")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="认定说明", max_length=200)
