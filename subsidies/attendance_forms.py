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
    """One holder's month as the village enters it: the days, and each day's presence ("1"
    present, "0" absent, one per day) that the page's day boxes write into one hidden field
    (static/js/attendance.js): one field per holder, not one per day, so that a village's month
    stays well under the request's field limit (DATA_UPLOAD_MAX_NUMBER_FIELDS)."""

    placement = forms.IntegerField(widget=forms.HiddenInput)
    days = forms.IntegerField(required=False, min_value=0, max_value=MAX_DAYS, error_messages=DAYS_MESSAGES)
    presence = forms.RegexField(
        regex=r"^[01]*$",
        required=False,
        max_length=MAX_DAYS,
        widget=forms.HiddenInput,
        error_messages={"invalid": "每日出勤只能逐日勾选", "max_length": "每日出勤不能超过本月天数"},
    )
    note = forms.CharField(required=False, max_length=200, error_messages=NOTE_MESSAGES)

    def __init__(self, *args: Any, length: int = 31, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.length = length

    def blank(self) -> bool:
        """Nothing entered: the holder is left as they are (not recorded yet, or as recorded)."""
        data = self.cleaned_data
        return data.get("days") is None and not data.get("presence") and not data.get("note")

    def ticks(self) -> list[tuple[int, bool]]:
        """The month's days and whether each is ticked, as typed (or as recorded)."""
        presence = (self["presence"].value() or "").ljust(self.length, ABSENT)
        return [(day, presence[day - 1] == PRESENT) for day in range(1, self.length + 1)]

    def mark(self) -> VillageMark:
        data = self.cleaned_data
        return VillageMark(
            placement_id=data["placement"],
            days=data.get("days"),
            presence=data.get("presence", ""),
            note=data.get("note", ""),
        )


class BaseRowFormSet(BaseFormSet):
    def changed_forms(self) -> list[forms.Form]:
        """The valid forms whose values differ from what the page showed."""
        return [form for form in self.forms if form.has_changed()]


VillageFormSet = formset_factory(VillageRowForm, formset=BaseRowFormSet, extra=0, max_num=2000)


class GridRowForm(forms.Form):
    """One holder's month as the clerk enters it in the grid (the township's own record)."""

    placement = forms.IntegerField(widget=forms.HiddenInput)
    days = forms.IntegerField(required=False, min_value=0, max_value=MAX_DAYS, error_messages=DAYS_MESSAGES)
    withheld = forms.BooleanField(required=False)
    note = forms.CharField(required=False, max_length=200, error_messages=NOTE_MESSAGES)

    def __init__(self, *args: Any, placements: frozenset[int] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.placements = placements  # the grid's holders: the only rows it takes

    def clean_placement(self) -> int:
        placement = self.cleaned_data["placement"]
        if placement not in self.placements:
            raise forms.ValidationError("该人员本月不在本村（社区）的在岗人员中")
        return placement


GridFormSet = formset_factory(GridRowForm, formset=BaseRowFormSet, extra=0, max_num=2000)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        error_messages={"required": "退回须写明原因", "max_length": "退回原因不能超过200个字"},
    )
