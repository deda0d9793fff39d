from django.contrib import admin

from .models import BonusRule, BonusTier, Scheme


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    """A county's dated assessment schemes (docs/policy.md §8.14)."""

    list_display = [
        "county",
        "name",
        "valid_from",
        "valid_to",
        "period",
        "pass_mark",
        "fail_share",
        "exit_after",
    ]
    list_filter = ["county"]


class BonusTierInline(admin.TabularInline):
    model = BonusTier
    extra = 1


@admin.register(BonusRule)
class BonusRuleAdmin(admin.ModelAdmin):
    """A county's dated bonus rules and their grades or ranks (docs/policy.md §9.10)."""

    list_display = ["county", "valid_from", "valid_to", "period", "basis", "share"]
    list_filter = ["county"]
    inlines = [BonusTierInline]
