"""Error reporting (sentry-sdk) sends its events with ID and bank numbers masked: a fake Sentry
endpoint, a tiny HTTP server started here, receives the real envelopes and the test reads them."""

import gzip
import json
import os
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sentry_sdk
from django.test import Client
from django.urls import include, path

from config.urls import handler500  # noqa: F401 (this test urlconf's)

ROOT = Path(__file__).resolve().parent.parent
NUMBER = "37150219700101123X"
ACCOUNT = "6228480012345678901"


def _broken(request):
    bank_account = ACCOUNT  # noqa: F841 (a frame variable, as Sentry sends them)
    raise RuntimeError(f"duplicate key id_number={NUMBER}")


urlpatterns = [path("test-sentry/500/", _broken), path("", include("config.urls"))]


class Endpoint:
    """Received envelopes, each a list of its JSON lines (items and their headers)."""

    def __init__(self) -> None:
        self.envelopes: list[list[dict]] = []
        self.raw: list[str] = []


@pytest.fixture
def endpoint() -> Iterator[tuple[Endpoint, str]]:
    received = Endpoint()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            elif encoding == "br":
                import brotli

                body = brotli.decompress(body)
            text = body.decode()
            received.raw.append(text)
            received.envelopes.append(
                [json.loads(line) for line in text.splitlines() if line.startswith("{")]
            )
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield received, f"http://public@127.0.0.1:{server.server_address[1]}/1"
    server.shutdown()


def events(received: Endpoint) -> list[dict]:
    return [
        item
        for envelope in received.envelopes
        for item in envelope
        if "exception" in item or "message" in item
    ]


@pytest.mark.urls("tests.test_sentry")
def test_a_server_error_reaches_the_endpoint_with_numbers_masked(db, endpoint) -> None:
    from config.sentry import init

    received, dsn = endpoint
    init(dsn, environment="test")
    try:
        response = Client(raise_request_exception=False).get(f"/test-sentry/500/?q={NUMBER}")
        assert response.status_code == 500
        sentry_sdk.flush(timeout=10)
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)
    (event,) = [e for e in events(received) if "exception" in e]
    (exception,) = event["exception"]["values"]
    assert exception["value"] == "duplicate key id_number=371502********123X"
    frame = exception["stacktrace"]["frames"][-1]
    assert frame["function"] == "_broken" and frame["vars"]["bank_account"] == "'***************8901'"
    everything = "".join(received.raw)
    assert NUMBER not in everything and ACCOUNT not in everything
    assert NUMBER[-8:-1] not in everything and ACCOUNT[-12:-4] not in everything


def test_production_settings_report_when_sentry_dsn_is_set(endpoint) -> None:
    received, dsn = endpoint
    environment = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL="sqlite:///:memory:",
        SENTRY_DSN=dsn,
    )
    script = (
        "import django, sentry_sdk; django.setup(); "
        f"sentry_sdk.capture_message('bank account {ACCOUNT} of {NUMBER}'); sentry_sdk.flush(timeout=10)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    (event,) = events(received)
    assert event["message"] == "bank account ***************8901 of 371502********123X"
    assert event["environment"] == "production"
    assert NUMBER not in "".join(received.raw) and ACCOUNT not in "".join(received.raw)


def test_without_sentry_dsn_nothing_is_set_up() -> None:
    environment = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL="sqlite:///:memory:",
    )
    environment.pop("SENTRY_DSN", None)
    script = "import django, sentry_sdk; django.setup(); print(sentry_sdk.get_client().is_active())"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.stdout.strip() == "False", result.stderr
