from django.contrib import admin, messages

from .models import MinimumWage, PayrollRun, SubsidyPolicy
from .services import minimum_wage_warning


@admin.register(MinimumWage)
class MinimumWageAdmin(admin.ModelAdmin):
    list_display = ["county", "valid_from", "wage_class", "monthly", "hourly", "document"]


@admin.register(SubsidyPolicy)
class SubsidyPolicyAdmin(admin.ModelAdmin):
    list_display = ["county", "line", "valid_from", "valid_to", "basis", "split", "document"]
    list_filter = ["county", "line"]

    def save_model(self, request, obj, form, change) -> None:  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        warning = minimum_wage_warning(obj)
        if warning:
            messages.warning(request, f"注意：{warning}")


@admin.register(PayrollRun)
class PayrollRunAdmin(admin.ModelAdmin):
    list_display = ["county", "month", "state", "computed_at", "locked_at"]
    readonly_fields = ["state", "error", "approved_by", "locked_by", "locked_at", "computed_at"]
