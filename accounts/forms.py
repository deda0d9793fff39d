"""Forms of the users page: they read and check what was typed; the rules are in services."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm

from townships.access import AnyUser, visible_counties, visible_townships, visible_villages
from townships.models import County, Role

from .services import GIVEN_ROLES


class UserCreateForm(SetPasswordForm):
    """Username, role and scope, and the first password twice (SetPasswordForm's fields and
    their 'the two passwords differ' check); the user must change it at the first login."""

    username = forms.CharField(label="用户名", max_length=150)
    role = forms.ChoiceField(label="角色", choices=[(r.value, r.label) for r in GIVEN_ROLES])
    county = forms.ModelChoiceField(label="区县", queryset=None, empty_label=None)  # type: ignore[var-annotated]  # its queryset is set in __init__
    township = forms.ModelChoiceField(  # type: ignore[var-annotated]  # its queryset is set in __init__
        label="乡镇（街道）", queryset=None, required=False, help_text="乡镇经办人必选，区县角色留空。"
    )
    field_order = ["username", "role", "county", "township", "new_password1", "new_password2"]

    def __init__(self, actor: AnyUser, *args: object, **kwargs: object) -> None:
        super().__init__(None, *args, **kwargs)
        self.fields["county"].queryset = visible_counties(actor).order_by("code")  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["township"].queryset = visible_townships(actor).select_related("county").order_by("code")  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["new_password1"].label = "初始密码"
        self.fields["new_password2"].label = "再次输入初始密码"

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("role") != Role.CLERK:  # type: ignore[union-attr]  # Form.clean returns cleaned_data, a dict
            data["township"] = None  # type: ignore[index]  # Form.clean returns cleaned_data, a dict
        return data  # type: ignore[return-value]  # Form.clean returns cleaned_data, a dict


class VillageUserForm(forms.Form):
    """A clerk's new village user: the username and one of the township's villages; the service
    makes the one-time password."""

    username = forms.CharField(label="用户名", max_length=150)
    village = forms.ModelChoiceField(label="村（社区）", queryset=None)  # type: ignore[var-annotated]  # its queryset is set in __init__

    def __init__(self, actor: AnyUser, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["village"].queryset = visible_villages(actor).order_by("name")  # type: ignore[attr-defined]  # a ModelChoiceField

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip()


class UsersUploadForm(forms.Form):
    """The county and its users sheet (docs/policy.md §1.8); preview first, then import."""

    county = forms.ModelChoiceField(County.objects.none(), label="区县", empty_label=None)
    file = forms.FileField(label="用户表格（.xlsx 或 .xls）")
    commit = forms.ChoiceField(
        label="操作",
        choices=[("0", "只检查（预览，不导入）"), ("1", "导入")],
        initial="0",
        widget=forms.RadioSelect,
    )

    def __init__(self, user: AnyUser, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own keyword arguments
        self.fields["county"].queryset = visible_counties(user)  # type: ignore[attr-defined]  # a ModelChoiceField
