"""The county administrator's tables of banks and file layouts (docs/policy.md §9.11). Batches,
items and recoveries are read-only here: money moves only through the services."""

from django.contrib import admin

from .models import Bank, BankLayout, Batch, LayoutColumn, Recovery


class LayoutColumnInline(admin.TabularInline):
    model = LayoutColumn
    extra = 1
    ordering = ["position"]


@admin.register(BankLayout)
class BankLayoutAdmin(admin.ModelAdmin):
    list_display = ["name", "county", "text_format", "encoding", "date_format", "amount_format"]
    list_filter = ["county"]
    inlines = [LayoutColumnInline]


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["name", "county", "aliases", "layout"]
    list_filter = ["county"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Batch)
class BatchAdmin(ReadOnly):
    list_display = ["pk", "county", "run", "bank", "state", "line_count", "total", "made_by", "approved_by"]
    list_filter = ["county", "state"]


@admin.register(Recovery)
class RecoveryAdmin(ReadOnly):
    list_display = ["pk", "county", "run", "township", "person", "amount", "settled"]
    list_filter = ["county"]
    raw_id_fields = ["person"]
