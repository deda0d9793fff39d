"""Read-mostly admin for county administrators; the procedure itself runs through the pages
(services), so the admin offers no way to change an application's step. Dates that price locked
months are read-only: a correction goes through the services and becomes 补发/扣回."""

import datetime as dt

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from . import dates, terms
from .models import (
    Accident,
    Application,
    ExitReferral,
    FollowUpSetting,
    InsurancePolicy,
    Placement,
    Transition,
)

# Fields whose change would re-price a month: read-only once a month from their date is locked.
PLACEMENT_DATES = ["on_post_date", "exit_date", "first_approved_on", "prior_months", "extended_until"]
APPLICATION_DATES = ["applied_on", "approved_on"]


def months_locked_from(county_id: int, day: dt.date) -> bool:
    """Whether a locked payroll run of the county covers the month of `day` or a later one (one
    indexed exists query). The admin is an interface over every app, so it may read the payroll;
    placements' own modules do not."""
    from subsidies.models import PayrollRun

    return PayrollRun.objects.filter(
        county_id=county_id, state=PayrollRun.State.LOCKED, month__gte=day.replace(day=1)
    ).exists()


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ["from_step", "to_step", "actor", "at", "on", "note", "evidence", "migrated"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["person", "post", "township", "line", "year", "step", "holds_post", "migrated"]
    list_filter = ["step", "line", "year", "township__county"]
    search_fields = ["person__name", "post__code"]
    readonly_fields = ["step", "holds_post", "person", "post", "township", "line", "year"]
    inlines = [TransitionInline]
    list_select_related = ["person", "post", "township"]

    def get_readonly_fields(self, request: HttpRequest, obj: Application | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and months_locked_from(obj.township.county_id, obj.applied_on):
            fields += APPLICATION_DATES
        return fields


class PlacementForm(forms.ModelForm):
    """A start moved in the admin (months still open) meets the rule placement_start applies.
    No Meta: the admin builds it with the model and its fields."""

    def clean(self) -> dict:
        data = super().clean() or {}
        day = data.get("on_post_date")
        if self.instance.pk and day and day != self.instance.on_post_date:
            try:
                dates.placement_dates_check(self.instance.application, day)
            except ValidationError as exc:
                self.add_error("on_post_date", exc)
        return data


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    form = PlacementForm
    list_display = [
        "person",
        "post",
        "township",
        "line",
        "on_post_date",
        "subsidy_until",
        "exit_date",
        "exit_reason",
        "migrated",
    ]
    list_filter = ["line", "exit_reason", "migrated", "township__county"]
    search_fields = ["person__name", "post__code"]
    # Old terms come from the 新老衔接 import only: an edit here would re-price locked months.
    readonly_fields = [
        "application",
        "person",
        "post",
        "township",
        "line",
        "legacy_terms",
        "legacy_pay",
        "legacy_until",
        "subsidy_until",
    ]
    list_select_related = ["person", "post", "township"]

    def get_readonly_fields(self, request: HttpRequest, obj: Placement | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and months_locked_from(obj.township.county_id, obj.on_post_date):
            fields += PLACEMENT_DATES  # the exit and the rest are never before the start
        return fields

    def save_model(self, request: HttpRequest, obj: Placement, form: forms.ModelForm, change: bool) -> None:
        """A date, the merged months or the extension edited here moves the stored subsidy
        end of this placement and of the person's later ones."""
        super().save_model(request, obj, form, change)
        terms.stored_terms_refresh(person_ids=[obj.person_id])


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written through their pages' services (docs/policy.md §7.9, §7.10): the admin shows
    them and changes nothing, so it cannot bypass the overlap check or the order of the steps."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(ReadOnlyAdmin):
    list_display = ["insurer", "number", "county", "start_date", "end_date", "premium"]
    list_filter = ["county"]
    search_fields = ["insurer", "number"]


@admin.register(Accident)
class AccidentAdmin(ReadOnlyAdmin):
    list_display = ["person", "township", "occurred_on", "state", "amount"]
    list_filter = ["state", "township__county"]
    list_select_related = ["person", "township"]


@admin.register(ExitReferral)
class ExitReferralAdmin(ReadOnlyAdmin):
    list_display = ["placement", "kind", "referred_on"]
    list_filter = ["kind"]
    list_select_related = ["placement__person", "placement__post"]


@admin.register(FollowUpSetting)
class FollowUpSettingAdmin(admin.ModelAdmin):
    """The county setting 退出后跟踪期限（天） (docs/policy.md §15); a county without a row: 30."""

    list_display = ["county", "due_days"]
