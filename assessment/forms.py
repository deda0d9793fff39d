"""The assessment pages' forms. The grid's cells are named <part>-<placement id>."""

import datetime as dt
from collections.abc import Sequence

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from placements.models import Placement

from .scores import Entry, parse_score


class MonthForm(forms.Form):
    month = forms.CharField(label="月份", max_length=7, widget=forms.TextInput(attrs={"type": "month"}))

    def clean_month(self) -> dt.date:
        try:
            return dt.datetime.strptime(self.cleaned_data["month"], "%Y-%m").date()
        except ValueError:
            raise ValidationError("请按“年-月”填写月份，如2022-03") from None


class ProposeForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label="季度（按季度奖励时选择）",
        choices=[("", "全年"), (1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")],
        coerce=int,
        empty_value=None,
        required=False,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300)


class UploadForm(forms.Form):
    file = forms.FileField(label="评分表（.xlsx 或 .xls）")


def grid_entries(
    data: QueryDict, placements: list[Placement], parts: Sequence[tuple[str, str, object]]
) -> tuple[list[Entry], list[str]]:
    """The grid's cells as entries (a cell absent or empty: left as it is), and what is wrong."""
    entries, problems = [], []
    for placement in placements:
        values = {}
        for part, label, _ in parts:
            text = data.get(f"{part}-{placement.pk}", "").strip()
            if not text:
                continue
            try:
                values[part] = parse_score(text)
            except ValidationError as exc:
                problems.append(f"{placement.person.name} {label}：{'；'.join(exc.messages)}")
        if values:
            entries.append(Entry(placement.pk, **values))
    return entries, problems
