"""Read-mostly admin for county administrators; the procedure itself runs through the pages
(services), so the admin offers no way to change an application's step."""

from django.contrib import admin

from .models import Application, Placement, Transition


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ["from_step", "to_step", "actor", "at", "on", "note", "evidence", "migrated"]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["person", "post", "township", "line", "year", "step", "holds_post", "migrated"]
    list_filter = ["step", "line", "year", "township__county"]
    search_fields = ["person__name", "post__code"]
    readonly_fields = ["step", "holds_post", "person", "post", "township", "line", "year"]
    inlines = [TransitionInline]
    list_select_related = ["person", "post", "township"]


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = [
        "person",
        "post",
        "township",
        "line",
        "on_post_date",
        "exit_date",
        "exit_reason",
        "migrated",
    ]
    list_filter = ["line", "exit_reason", "migrated", "township__county"]
    search_fields = ["person__name", "post__code"]
    # Old terms come from the 新老衔接 import only: an edit here would re-price locked months.
    readonly_fields = [
        "application", "person", "post", "township", "line", "legacy_terms", "legacy_pay", "legacy_until",
    ]  # fmt: skip
    list_select_related = ["person", "post", "township"]
