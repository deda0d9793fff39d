"""Tokens are made and revoked by the county administrator here (docs/policy.md §13.5): the
key is shown once, in the message after saving; only its hash is kept."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from townships.access import visible_counties

from . import services
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "county", "role", "prefix", "created_by", "created_at", "revoked_at"]
    list_filter = ["county", "role"]
    readonly_fields = ["prefix", "created_by", "created_at", "revoked_at"]
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        return super().get_queryset(request).filter(county__in=visible_counties(request.user))

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        # a token's county and role are those its key was given for: revoke and make a new one
        return [*self.readonly_fields, "county", "name", "role"] if obj else list(self.readonly_fields)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "county":
            kwargs["queryset"] = visible_counties(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return  # nothing of a token changes but its revocation (the action)
        token, key = services.token_create(
            county=obj.county,
            name=obj.name,
            role=obj.role,
            actor=request.user,  # type: ignore[arg-type]
        )
        obj.pk = token.pk
        messages.warning(request, f"令牌已创建，请立即复制保存（只显示这一次）：{key}")

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # revoked, never deleted: the audit log names the token's user

    @admin.action(description="吊销所选令牌")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            services.token_revoke(token=token, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, f"已吊销{queryset.count()}个令牌")
