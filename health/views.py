"""The health report (django-health-check): JSON, one entry per part, 200 when every part is
well and 500 otherwise. Two reports: `web` (what serving pages needs: database, storage (the
configured default storage: it writes, reads and removes a file in MEDIA_ROOT or the S3 bucket),
migrations; the compose probe of the web service) and `all` (also the cache, and a Celery
worker answering a ping on the queue tasks go to, when there is a broker)."""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from health_check.checks import Cache, Database, Storage
from health_check.views import HealthCheckView

from .checks import CeleryPing, Migrations

# A worker answers a ping within milliseconds; the first answer is enough.
PING_SECONDS = 2.0


class Report(HealthCheckView):
    """JSON unless the prober asks for another format (?format=text)."""

    async def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if "format" not in request.GET:
            query = request.GET.copy()  # a mutable copy (django-stubs types GET as immutable)
            query["format"] = "json"
            request.GET = query  # type: ignore[assignment]  # Django lets a view replace GET with a QueryDict
        return await super().get(request, *args, **kwargs)


def web_parts() -> tuple:
    return (Database, Storage, Migrations)


def all_parts() -> tuple:
    parts = (Database, Cache, Storage, Migrations)
    if settings.REDIS_URL:  # without a broker tasks run in the web process itself (no worker)
        return (*parts, (CeleryPing, {"timeout": dt.timedelta(seconds=PING_SECONDS), "limit": 1}))
    return parts


def report(parts: tuple) -> Callable:
    """The (async) view reporting on these parts."""
    return Report.as_view(checks=parts)
