"""The attendance pages' forms (docs/policy.md §9.2): a village's month (one form per holder: the
days present ticked, or only the days, and a note) and the clerk's grid (days, 暂停发放, reason).
They read what was typed; every rule is the services' (subsidies.village_attendance,
subsidies.attendance)."""

from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory

from .attendance import MAX_DAYS
from .village_attendance import ABSENT, PRESENT, VillageMark

DAYS_MESSAGES = {
    "invalid": "出勤天数应为整数",
    "min_value": "出勤天数不能为负数",
    "max_value": "出勤天数不能超过本月天数",
}
NOTE_MESSAGES = {"max_length": "备注不能超过200个字"}


class MonthForm(forms.Form):
    """The month a page shows (2022-03)."""

    month = forms.RegexField(regex=r"^\d{4}-\d{2}$", error_messages={"invalid": "月份应写成 2022-03 的格式"})


class VillageRowForm(forms.Form):
    """One holder's month as the village enters it."""

    placement = forms.IntegerField(widget=forms.HiddenInput)
    days = forms.IntegerField(required=False, min_value=0, max_value=MAX_DAYS, error_messages=DAYS_MESSAGES)
    present = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(required=False, max_length=200, error_messages=NOTE_MESSAGES)

    def __init__(self, *args: Any, length: int = 31, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.length = length
        self.fields["days"].widget.attrs.update(
            max=length, inputmode="numeric"
        )  # the month's length: the service's check
        self.fields["present"].choices = [(str(d), str(d)) for d in range(1, length + 1)]  # type: ignore[attr-defined]

    def blank(self) -> bool:
        """Nothing entered: the holder is left as they are (not recorded yet, or as recorded)."""
        data = self.cleaned_data
        return data.get("days") is None and not data.get("present") and not data.get("note")

    def mark(self) -> VillageMark:
        data = self.cleaned_data
        ticked = set(data.get("present") or [])
        presence = (
            "".join(PRESENT if str(d) in ticked else ABSENT for d in range(1, self.length + 1))
            if ticked
            else ""
        )
        return VillageMark(
            placement_id=data["placement"],
            days=data.get("days"),
            presence=presence,
            note=data.get("note", ""),
        )


class BaseRowFormSet(BaseFormSet):
    def changed_forms(self) -> list[forms.Form]:
        """The valid forms whose values differ from what the page showed."""
        return [form for form in self.forms if form.has_changed()]


VillageFormSet = formset_factory(VillageRowForm, formset=BaseRowFormSet, extra=0, max_num=2000)


class GridRowForm(forms.Form):
    """One holder's month as the clerk enters it in the grid (the township's own record)."""

    placement = forms.TypedChoiceField(
        coerce=int,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "该人员本月不在本村（社区）的在岗人员中"},
    )
    days = forms.IntegerField(required=False, min_value=0, max_value=MAX_DAYS, error_messages=DAYS_MESSAGES)
    withheld = forms.BooleanField(required=False)
    note = forms.CharField(required=False, max_length=200, error_messages=NOTE_MESSAGES)

    def __init__(
        self, *args: Any, placements: list[int] | None = None, length: int = 31, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["placement"].choices = [(str(pk), str(pk)) for pk in placements or []]  # type: ignore[attr-defined]
        self.fields["days"].widget.attrs.update(max=length, inputmode="numeric")


GridFormSet = formset_factory(GridRowForm, formset=BaseRowFormSet, extra=0, max_num=2000)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        error_messages={"required": "退回须写明原因", "max_length": "退回原因不能超过200个字"},
    )
