"""The health reports answer the machine itself only: the compose probes run inside the container
and connect to 127.0.0.1. Answered here, first of all middleware, so that neither the host check
(ALLOWED_HOSTS names the public host, not 127.0.0.1) nor the redirect to HTTPS (the probe speaks
plain HTTP to gunicorn) stands in the way. From anywhere else (the TLS proxy included, so every
outside client) the request goes on as any other and meets an unknown page: 404, no detail."""

import ipaddress
from collections.abc import Callable

from asgiref.sync import async_to_sync
from django.http import HttpRequest, HttpResponse

from . import views

PROBES = {"/health/": views.all_parts, "/health/web/": views.web_parts}


class ProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        parts = PROBES.get(request.path_info)
        if parts is None or not from_this_machine(request):
            return self.get_response(request)
        return async_to_sync(views.report(parts()))(request)


def from_this_machine(request: HttpRequest) -> bool:
    """The peer is a loopback address (REMOTE_ADDR: gunicorn's peer, never a forwarded header)."""
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False
