"""Client addresses behind the TLS proxy: a real nginx running deploy/nginx.conf in front of a
live Django server. The lock-out and the audit log see each client's own address, never the
proxy's and never an address the client wrote into X-Forwarded-For itself.

Two clients are two loopback addresses (127.0.0.2, 127.0.0.3): nginx and Django see them apart."""

from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from audit.models import Entry
from tests import factories
from tests.conftest import PASSWORD
from tests.proxy import Browser, nginx, running_proxy

ATTACKER, USER = "127.0.0.2", "127.0.0.3"


@pytest.fixture
def proxy(live_server, tmp_path, settings):
    nginx()
    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # nginx connects to Django from here
    with running_proxy(tmp_path, upstream=urlsplit(live_server.url).port) as running:
        yield running


def test_behind_the_proxy_wrong_passwords_lock_out_only_the_client_that_typed_them(cast, proxy) -> None:
    """The reproduction: 5 wrong passwords for a clerk from one client, here also naming the
    real user's address in its own X-Forwarded-For; the real user elsewhere still signs in."""
    attacker = Browser(proxy.https, ATTACKER, tls=True, headers={"X-Forwarded-For": USER})
    statuses = [attacker.login("clerk", "wrong-password") for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert Browser(proxy.https, ATTACKER, tls=True).login("clerk", PASSWORD) == 429  # locked there
    user = Browser(proxy.https, USER, tls=True)
    assert user.login("clerk", PASSWORD) == 302


def test_behind_the_proxy_the_audit_log_records_the_clients_address(cast, proxy) -> None:
    person = factories.person("371502101")
    user = Browser(proxy.https, USER, tls=True, headers={"X-Forwarded-For": "203.0.113.9"})
    assert user.login("clerk", PASSWORD) == 302
    assert user.request("GET", reverse("people:person-detail", args=[person.pk]))[0] == 200
    entry = Entry.objects.filter(actor=cast.clerk).latest("pk")
    assert entry.remote_addr == USER


def test_the_proxy_redirects_plain_http_and_logs_no_query_string(cast, proxy) -> None:
    number = "371502197003120011"
    status, _ = Browser(proxy.http, USER, tls=False).request("GET", f"/people/?q={number}")
    assert status == 301
    status, _ = Browser(proxy.https, USER, tls=True).request("GET", f"/people/?q={number}")
    assert status == 302  # to the login page
    log = proxy.access_log(holding='"GET /people/ HTTP/1.1" 302')
    assert f"{USER} [" in log and '"GET /people/ HTTP/1.1" 302' in log
    assert number not in log and "q=" not in log


@pytest.mark.parametrize("trusted", [[], ["127.0.0.1"]], ids=["no proxy configured", "not from the proxy"])
def test_a_direct_client_cannot_name_its_own_address(cast, live_server, settings, trusted) -> None:
    """Without a proxy, or from any address but the proxy's, X-Forwarded-For is the client's
    own writing: ignored."""
    settings.TRUSTED_PROXIES = trusted
    port = urlsplit(live_server.url).port
    attacker = Browser(port, ATTACKER, tls=False, headers={"X-Forwarded-For": USER})
    assert [attacker.login("clerk", "wrong-password") for _ in range(5)][-1] == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert Browser(port, USER, tls=False).login("clerk", PASSWORD) == 302


def test_the_proxy_refuses_a_body_beyond_its_bound_with_a_chinese_page(cast, proxy) -> None:
    """deploy/nginx.conf's bound lies above UPLOAD_MAX_MB (the application answers up to there);
    beyond it nginx refuses from the Content-Length alone, in Chinese."""
    import http.client
    import ssl

    from django.conf import settings

    connection = http.client.HTTPSConnection(
        "127.0.0.1", proxy.https, context=ssl._create_unverified_context(), timeout=30
    )
    connection.putrequest("POST", reverse("people:import-upload"))
    connection.putheader("Content-Length", str((settings.UPLOAD_MAX_MB + 6) * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()
    page = response.read().decode()
    connection.close()
    assert response.status == 413 and "上传的文件过大" in page
    assert "charset=utf-8" in (response.getheader("Content-Type") or "")
    config = (settings.BASE_DIR / "deploy" / "nginx.conf").read_text()
    bound = int(config.split("client_max_body_size ")[1].split("m;")[0])
    assert bound > settings.UPLOAD_MAX_MB  # the application's own refusal is reached first
