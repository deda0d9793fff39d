"""The forms of the placement steps, one per action, for one application or a ticked list.

A form reads what a person typed and says, next to the field, what cannot be read (a date that
is not a date, hours with two decimals). It decides nothing else: whether the step may be taken
on that date is the services' (placements/services.py, terms.py, procedure.py), and their
refusals are put back on the form by `refusal_add`. Numbers are read by common.params, the one
strict reading of a typed number, which the 新老衔接 import uses too. An agreement's monthly
amount and working time are not typed: the policy and the post give them (placements.agreements).
"""

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict

from common import params
from people.models import Person
from posts.models import Post

from .apply import Pair
from .models import ExitReason, Referral, Step, Training


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput)


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


class StepForm(forms.Form):
    """A step's form. Several share a page (the application page shows up to five), so each
    gets its own id prefix while the posted names stay plain (`start`, `on`)."""

    prefix_id = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.prefix_id or type(self).__name__.lower()}_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_error(self, field: str | None, error: Any) -> None:
        """Also mark each field in error for assistive technology, pointing at its message."""
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"


class ApplyPickForm(StepForm):
    """报名 of ticked people (placements.apply_views): the date, and the post of each ticked
    person: the one chosen on their row (post_<person id>), else the one chosen for all (post).
    `people` are the ticked ones, already through the scoping gate; `posts` the township's
    posts, among which a posted post is looked up (one query). Whether each pair may apply is
    the service's (placements.apply.applications_create)."""

    prefix_id = "apply"
    on = date_field("报名日期")

    def __init__(self, *args: Any, people: list[Person], posts: QuerySet[Post], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people, self.posts = people, posts

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        posted = cast(QueryDict, self.data)  # bound to request.POST
        chosen = {p.pk: params.pk_param(posted, f"post_{p.pk}") for p in self.people}
        common = params.pk_param(posted, "post")
        found = self.posts.in_bulk({*chosen.values(), common} - {0})
        if not self.people:
            raise ValidationError("请至少勾选一名人员")
        pairs = []
        for person in self.people:
            post = found.get(chosen[person.pk] or common)
            if post is None:
                self.add_error(None, f"请为{person.name}选择报名岗位（或选择统一报名岗位）")
            else:
                pairs.append(Pair(person, post))
        data["pairs"] = pairs
        return data


class ReviewForm(StepForm):
    """民主评议: the meeting; each applicant's result is a row of the list (passed_<id>, note_<id>)."""

    meeting_date = date_field("评议日期")
    participants = forms.CharField(label="参加人员", widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.FileField(label="会议记录", required=False)


class PublicityForm(StepForm):
    start = date_field("公示开始日期")


class ApproveForm(StepForm):
    on = date_field("审批日期")


class AgreementForm(StepForm):
    start = date_field("协议开始日期")
    signed_on = date_field("签订日期")


class TrainingForm(StepForm):
    date = date_field("培训日期")
    hours = HoursField(label="学时", widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    content = forms.CharField(label="培训内容", max_length=Training._meta.get_field("content").max_length)


class PlacementForm(StepForm):
    on = date_field("上岗日期")


class CloseForm(StepForm):
    """不予通过 (clerk or HR) or 本人撤回 (clerk): the procedure's map says who may do which."""

    to = forms.ChoiceField(label="办理", choices=[(Step.REJECTED, "不予通过"), (Step.WITHDRAWN, "本人撤回")])
    on = date_field("日期")
    # its length is the history row's (说明), checked there
    reason = forms.CharField(label="原因", error_messages={"required": "必须填写原因"})


class ObjectionForm(StepForm):
    raised_on = date_field("反映日期")
    content = forms.CharField(label="反映内容")


class ObjectionResolveForm(StepForm):
    objection = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    resolution = forms.CharField(label="处理结果")
    resolved_on = date_field("处理日期", required=False)
    upheld = forms.TypedChoiceField(
        label="核实结果",
        choices=[("0", "不属实"), ("1", "属实（不予通过）")],
        coerce=lambda v: v == "1",
        initial="0",
        widget=forms.RadioSelect,
    )


class RenewForm(StepForm):
    signed_on = date_field("续签日期")


class ExtendForm(StepForm):
    until = date_field("延长至")
    document = forms.CharField(label="批准文件")


class ExitForm(StepForm):
    exit_date = date_field("离岗日期")
    reason = forms.ChoiceField(label="退出原因", choices=[("", "请选择"), *ExitReason.choices])
    note = forms.CharField(label="说明", required=False)
    referral = forms.ChoiceField(label="后续转介", choices=[("", "请选择"), *Referral.choices])
    referral_note = forms.CharField(label="转介说明", required=False)


def refusal_add(form: forms.Form, refusal: ValidationError) -> None:
    """Put a service's refusal on the form: a message about one of its fields next to that
    field, every other one above the form."""
    if not hasattr(refusal, "error_dict"):
        form.add_error(None, refusal)
        return
    for name, errors in refusal.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def error_summary(form: forms.Form) -> str:
    """The form's problems in one line, each named by its field's label (学时：不能小于0)."""
    labels = {name: field.label for name, field in form.fields.items() if field.label}
    return "；".join(
        f"{labels[name]}：{message}" if name in labels else str(message)
        for name, messages in form.errors.items()
        for message in messages
    )
