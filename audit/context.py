"""Who is acting, for entries written outside a web request.

A web request gets its actor and address from django-auditlog's middleware (route "网页").
A Celery task carries the actor of the request that queued it in its message headers and
records under "后台任务"; a management command names its user and records under "命令"."""

import contextlib
from collections.abc import Iterator
from typing import Any

from auditlog.cid import set_cid
from auditlog.context import auditlog_value, set_extra_data
from auditlog.middleware import AuditlogMiddleware
from celery.signals import before_task_publish, task_postrun, task_prerun
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse

from common.client import client_address
from townships.agencies import agency_name_of

HEADER = "audit_actor"
_open: dict[str, contextlib.ExitStack] = {}


def current_actor() -> User | None:
    return auditlog_value.get({}).get("actor")


def acting_for(user: User | None) -> dict[str, str] | None:
    """The entry's extra data: the agency an agency's staff acts for (docs/policy.md §1.5), read
    when an entry is written (the membership is cached on the user after the first)."""
    name = agency_name_of(user)
    return {"agency": name} if name else None


@contextlib.contextmanager
def acting_as(user: User | None, via: str, remote_addr: str | None = None) -> Iterator[None]:
    """Record the changes made inside under `user` (None: the system) and route `via`.
    On leaving, the actor of the surrounding block is back (django-auditlog's own context
    leaves its values behind, so a later save in the same thread would take a stale actor)."""
    token = auditlog_value.set(auditlog_value.get({}))
    try:
        data = {
            "actor": user,
            "via": via,
            "remote_addr": remote_addr,
            "additional_data": lambda: acting_for(user),
        }
        with set_extra_data(context_data=data):
            yield
    finally:
        auditlog_value.reset(token)


class Middleware(AuditlogMiddleware):
    """django-auditlog's middleware (actor, address and correlation id of each request), with
    the route "网页" and the context reset after the request."""

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        """The client's address as the lock-out reads it (common.client: X-Forwarded-For only
        from a trusted proxy); None if not an address."""
        return client_address(request)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        set_cid(request)
        data = self.get_extra_data(request)
        with acting_as(data["actor"], "网页", data["remote_addr"]):
            return self.get_response(request)


@before_task_publish.connect
def _carry_actor(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    actor = current_actor()
    if headers is not None and actor is not None:
        headers[HEADER] = actor.pk


@task_prerun.connect
def _enter_task(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    """A task run eagerly inherits its caller's actor; a worker finds it in the headers."""
    actor_id = getattr(task.request, HEADER, None) if task is not None else None
    actor = User.objects.filter(pk=actor_id).first() if actor_id else current_actor()
    stack = contextlib.ExitStack()
    stack.enter_context(acting_as(actor, f"后台任务 {getattr(task, 'name', '')}"))
    _open[task_id] = stack


@task_postrun.connect
def _leave_task(task_id: str = "", **kwargs: Any) -> None:
    stack = _open.pop(task_id, None)
    if stack is not None:
        stack.close()
