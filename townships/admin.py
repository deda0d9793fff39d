from django.contrib import admin

from .models import City, County, Membership, Plan, Quota, Township, Village


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city", "dedicated_posts_per_township"]


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


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "county", "township"]
    list_filter = ["role", "county"]
    search_fields = ["user__username"]
    list_select_related = ["user", "county", "township"]
