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
    # A post is opened on the posts page (posts.services.post_create: the township's quota per
    # line and year, dedicated posts per township and year) and its status follows the
    # procedure; here only what counts against no limit can be corrected (village, duties, the
    # department and working time). The village must stay in the post's township.
    readonly_fields = ["code", "year", "township", "line", "kind", "status"]

    def has_add_permission(self, request) -> bool:
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "village" in form.base_fields:
            villages = form.base_fields["village"].queryset
            form.base_fields["village"].queryset = villages.filter(township_id=obj.township_id)
        if obj is not None and "duty" in form.base_fields:
            form.base_fields["duty"].queryset = form.base_fields["duty"].queryset.filter(line=obj.line)
        return form
