from django import forms
from django.core.exceptions import ValidationError

from common.forms import Form
from common.params import pk_of
from townships.models import Line

from .models import Duty, Post


class PostForm(Form):
    township = forms.ChoiceField(label="乡镇（街道）")
    village = forms.CharField(label="用人单位（村/社区）", max_length=80)
    line = forms.ChoiceField(label="城乡", choices=Line.choices)
    year = forms.IntegerField(label="开发年度", min_value=2020, max_value=2100)
    duty = forms.ModelChoiceField(label="岗位类别·职责", queryset=Duty.objects.select_related("category"))
    kind = forms.ChoiceField(label="岗位性质", choices=Post.Kind.choices)
    department = forms.CharField(label="开发部门", max_length=60, required=False)
    count = forms.IntegerField(label="开设数量", min_value=1, max_value=200, initial=1)

    def __init__(self, *args, townships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [(t.code, t.name) for t in townships]


class KeyChoices(forms.ModelMultipleChoiceField):
    """Ticked objects by id; a value that cannot be an id is an invalid choice before any query
    (Django passes it to the database, where a number beyond a key's range is an error)."""

    def _check_values(self, value):
        for pk in value:
            if not pk_of(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:20]},
                )
        return super()._check_values(value)


class AnnouncementForm(Form):
    title = forms.CharField(label="公告标题", max_length=120)
    deadline = forms.DateField(label="报名截止日期", widget=forms.DateInput(attrs={"type": "date"}))
    body = forms.CharField(label="公告正文", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    posts = KeyChoices(
        label="招聘岗位（空岗）", queryset=Post.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, posts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posts"].queryset = posts if posts is not None else Post.objects.none()
