from django import forms
from django.contrib import admin

from .models import CalendarDay, CalendarYear, City, County, Membership, Plan, Quota, Role, Township, Village
from .services import membership_check


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "city",
        "dedicated_posts_per_township",
        "publicity_working_days",
        "subsidy_months",
        "attendance_required",
    ]

    def save_model(self, request, obj: County, form: forms.ModelForm, change: bool) -> None:  # type: ignore[no-untyped-def]
        """A new subsidy limit or rural age flag moves the stored subsidy end or age alert of
        every placement of the county (placements.terms keeps them). The admin is an interface
        over every app, so it may call the placements' service; townships' own modules do not."""
        super().save_model(request, obj, form, change)
        if change and {"subsidy_months", "rural_flag_age"} & set(form.changed_data):
            from placements.terms import stored_terms_refresh_county

            stored_terms_refresh_county(obj)


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "county"]
    list_filter = ["county", "kind"]
    search_fields = ["code", "name"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "township"]
    list_filter = ["township__county", "kind"]
    search_fields = ["name", "township__name"]
    list_select_related = ["township"]


class QuotaInline(admin.TabularInline):
    model = Quota
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "county", "year", "declared_urban", "declared_rural"]
    inlines = [QuotaInline]


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "county", "township", "village"]

    def clean(self) -> dict:
        data = super().clean()
        village = data.get("village")  # type: ignore[union-attr]  # Form.clean returns cleaned_data, a dict
        if data.get("role") == Role.VILLAGE and village is not None and data.get("township") is None:  # type: ignore[union-attr]
            data["township"] = village.township  # type: ignore[index]  # a village user's township is their village's
        # the same rule as every other way of giving a role (townships.services)
        membership_check(county=data.get("county"), township=data.get("township"), village=village)  # type: ignore[union-attr]  # Form.clean returns cleaned_data, a dict
        return data  # type: ignore[return-value]  # Form.clean returns cleaned_data, a dict


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "role", "county", "township", "village"]
    list_filter = ["role", "county"]
    search_fields = ["user__username"]
    list_select_related = ["user", "county", "township", "village"]
    autocomplete_fields = ["village"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Years beyond the chinesecalendar package: enter the State Council's holiday notice here,
    then each holiday and make-up working day as a CalendarDay."""

    list_display = ["year", "document"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
