"""`Authorization: Token <key>`: the token's service user, or 401 (docs/policy.md §13.5)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from .services import token_find


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None  # no token: not authenticated, then 401 (IsAuthenticated)
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("令牌格式错误：应为 Authorization: Token <key>")
        try:
            key = parts[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("令牌格式错误") from exc
        token = token_find(key)
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效或已吊销")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword  # makes DRF answer 401 (not 403) to a request without a valid token


class TokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema (drf-spectacular finds extensions by their target class
    when this module is imported, as the views import it)."""

    target_class = "api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <key>：区县管理员建立的令牌（docs/policy.md §13.5）",
        }
