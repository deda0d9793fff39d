from django.contrib import admin

from .models import Duty, Post, PostCategory


class DutyInline(admin.TabularInline):
    model = Duty
    extra = 0


@admin.register(PostCategory)
class PostCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    inlines = [DutyInline]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["code", "year", "township", "village", "line", "duty", "status"]
    list_filter = ["line", "status", "year", "township__county"]
    search_fields = ["code", "village__name"]
    list_select_related = ["township", "village", "duty__category"]
