from django import forms
from django.contrib import admin
from django.http import HttpRequest

from .agencies import contract_check, credit_code_check
from .models import (
    Agency,
    AgencyContract,
    CalendarDay,
    CalendarYear,
    City,
    County,
    Membership,
    Plan,
    Quota,
    Role,
    Township,
    Village,
)
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

    def save_model(self, request, obj: County, form: forms.ModelForm, change: bool) -> None:
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
    list_display = ["name", "code", "kind", "township"]
    list_filter = ["township__county", "kind"]
    search_fields = ["name", "code", "township__name"]
    list_select_related = ["township"]


class QuotaInline(admin.TabularInline):
    """Read-only here: a plan's quotas are entered and adjusted as dated versions on the plan pages
    (townships.plans, docs/policy.md §2.6), where their checks run."""

    model = Quota
    extra = 0
    fields = ("version", "position", "township", "urban", "rural")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "county", "year", "declared_urban", "declared_rural"]
    inlines = [QuotaInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Plan | None = None) -> tuple[str, ...]:
        """A saved plan's county, year and totals change only through a new version (its pages,
        docs/policy.md §2.6); the title and document may be corrected here."""
        return ("county", "year", "declared_urban", "declared_rural") if obj else ()


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "city", "county", "township", "village", "agency"]

    def clean(self) -> dict:
        data: dict = super().clean() or {}  # Form.clean returns cleaned_data, a dict
        village = data.get("village")
        if data.get("role") == Role.VILLAGE and village is not None and data.get("township") is None:
            data["township"] = village.township  # a village user's township is their village's
        # the same rule as every other way of giving a role (townships.services)
        membership_check(
            county=data.get("county"),
            township=data.get("township"),
            village=village,
            role=data.get("role", ""),
            city=data.get("city"),
        )
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "role", "city", "county", "township", "village", "agency"]
    list_filter = ["role", "city", "county"]
    search_fields = ["user__username"]
    list_select_related = ["user", "city", "county", "township", "village", "agency"]
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


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["county", "name", "credit_code"]

    def clean_credit_code(self) -> str:
        code = self.cleaned_data["credit_code"].strip().upper()
        credit_code_check(code)  # the same check as townships.agencies.agency_create
        return code


class AgencyContractInline(admin.TabularInline):
    model = AgencyContract
    extra = 0
    fields = ["number", "start_date", "end_date", "attendance", "assessment", "applicants"]
    readonly_fields = ["number", "start_date", "end_date", "attendance", "assessment", "applicants"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # contracts are added on their own page, where their townships are checked


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    """第三方人力资源服务机构 (docs/policy.md §1.5); their staff are users with the role 第三方机构人员."""

    form = AgencyForm
    list_display = ["name", "credit_code", "county"]
    list_filter = ["county"]
    search_fields = ["name", "credit_code"]
    inlines = [AgencyContractInline]


class AgencyContractForm(forms.ModelForm):
    class Meta:
        model = AgencyContract
        fields = [
            "agency",
            "number",
            "townships",
            "start_date",
            "end_date",
            "document",
            "attendance",
            "assessment",
            "applicants",
        ]

    def clean(self) -> dict:
        data = super().clean()
        needed = ("agency", "townships", "start_date", "end_date")
        if all(data.get(k) is not None for k in needed):  # type: ignore[union-attr]  # Form.clean returns cleaned_data, a dict
            # the same rule as townships.agencies.contract_create: dates, county, no overlap
            contract_check(
                agency=data["agency"],  # type: ignore[index]
                townships=data["townships"],  # type: ignore[index]
                start_date=data["start_date"],  # type: ignore[index]
                end_date=data["end_date"],  # type: ignore[index]
                contract=self.instance,
            )
        return data  # type: ignore[return-value]  # Form.clean returns cleaned_data, a dict


@admin.register(AgencyContract)
class AgencyContractAdmin(admin.ModelAdmin):
    """A contract grants only 考勤, 绩效考核评分 and 申请人录入, never approvals or money."""

    form = AgencyContractForm
    list_display = ["agency", "number", "start_date", "end_date", "attendance", "assessment", "applicants"]
    list_filter = ["agency__county", "agency"]
    search_fields = ["number", "agency__name"]
    filter_horizontal = ["townships"]
    list_select_related = ["agency"]

    def save_model(self, request, obj: AgencyContract, form: forms.ModelForm, change: bool) -> None:
        if obj.recorded_by_id is None:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
