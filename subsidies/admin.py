from django.contrib import admin, messages

from .models import AttendanceSheet, MinimumWage, PayrollRun, SocialInsurancePolicy, SubsidyPolicy
from .policies import policy_save
from .policy_forms import PolicyRulesForm
from .services import minimum_wage_saved_warnings


@admin.register(MinimumWage)
class MinimumWageAdmin(admin.ModelAdmin):
    list_display = ["county", "valid_from", "wage_class", "monthly", "hourly", "document"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        for warning in minimum_wage_saved_warnings(obj):
            messages.warning(request, f"注意：{warning}")


@admin.register(SubsidyPolicy)
class SubsidyPolicyAdmin(admin.ModelAdmin):
    form = PolicyRulesForm  # every rule of the policies page, its period included
    list_display = ["county", "line", "valid_from", "valid_to", "basis", "split", "document"]
    list_filter = ["county", "line"]

    def save_model(self, request, obj, form, change) -> None:
        """The same service as the policies page: the open policy before it is closed."""
        saved = policy_save(policy=obj)
        if saved.closed is not None:
            messages.info(request, saved.message)
        for warning in saved.warnings:
            messages.warning(request, f"注意：{warning}")


@admin.register(SocialInsurancePolicy)
class SocialInsurancePolicyAdmin(admin.ModelAdmin):
    """The county's dated base and rates of the social-insurance subsidy (docs/policy.md §8.13): a
    change reaches the months computed after it; a locked month keeps what it computed."""

    list_display = [
        "county",
        "valid_from",
        "valid_to",
        "base",
        "pension",
        "medical",
        "unemployment",
        "injury",
        "party",
    ]
    list_filter = ["county"]


@admin.register(PayrollRun)
class PayrollRunAdmin(admin.ModelAdmin):
    """Runs are read here, never written: money moves only through the services (the run pages),
    which keep a locked month unchanged and record every line; a run is never deleted."""

    list_display = ["county", "month", "state", "attempt", "computed_at", "locked_at"]
    list_filter = ["county", "state"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AttendanceSheet)
class AttendanceSheetAdmin(admin.ModelAdmin):
    """A village's months of attendance, read here: they move only through their services
    (subsidies.village_attendance: the village submits, a clerk of the township confirms or
    returns), so that maker ≠ checker and the month's checks hold."""

    list_display = ["village", "month", "state", "submitted_by", "confirmed_by", "returned_reason"]
    list_filter = ["state", "village__township__county"]
    search_fields = ["village__name", "village__township__name"]
    list_select_related = ["village", "submitted_by", "confirmed_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
