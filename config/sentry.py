"""Error reporting to a Sentry-compatible service (a self-hosted Sentry or GlitchTip) when
SENTRY_DSN is set. Every string of an event (messages, exception values, stack-frame variables,
breadcrumbs, the request) goes through the same masking as the logs (common.logfilter), so no
whole ID or bank number leaves the machine; no cookies, users' addresses or request bodies are
sent (the SDK's default, and max_request_body_size "never")."""

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from common.logfilter import hide_numbers


def init(dsn: str, *, environment: str, release: str | None = None) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        max_request_body_size="never",
        before_send=scrub,  # type: ignore[arg-type]  # scrub takes and returns Sentry's event dict
        before_send_transaction=scrub,  # type: ignore[arg-type]  # scrub takes and returns Sentry's event dict
        before_breadcrumb=lambda crumb, hint: masked(crumb),
        traces_sample_rate=0.0,
    )


def scrub(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    return masked(event)


def masked(value: Any) -> Any:
    """The value with every string (keys included) masked, whatever the nesting."""
    if isinstance(value, str):
        return hide_numbers(value)
    if isinstance(value, dict):
        return {masked(k): masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(v) for v in value]
    return value
