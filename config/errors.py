"""The error pages, in Chinese and in the site's layout, each saying what to do next
(config/urls.py names them handler400…500; CSRF_FAILURE_VIEW names csrf_failure).

A page is drawn with the request (the user's menu) when the request got as far as the login
middleware; an error raised before it (a host not served: 400) gets the plain layout. The 500 page
never uses the request or the database, which may be what failed: it shows a reference, the time
and nothing else, and the same reference is logged with the error (masked like every log line)."""

import logging
import secrets
import sys

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

log = logging.getLogger("errors")


def _page(request: HttpRequest | None, template: str, status: int, **context: object) -> HttpResponse:
    drawn_with = request if request is not None and hasattr(request, "user") else None
    return HttpResponse(render_to_string(template, context, drawn_with), status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "404.html", 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    log.warning("CSRF failure on %s: %s", request.path, reason)
    return _page(request, "403_csrf.html", 403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Called by Django inside the handling of the uncaught exception (sys.exc_info() is it)."""
    now = timezone.localtime()
    reference = f"{now:%Y%m%d}-{secrets.token_hex(3).upper()}"
    failure = sys.exc_info()
    log.error("服务器错误 参考编号 %s: %s %s", reference, request.method, request.path, exc_info=failure)
    return _page(None, "500.html", 500, reference=reference, when=now)
