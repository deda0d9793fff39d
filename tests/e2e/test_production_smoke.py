"""The production smoke test: the application as shipped, in a real Chromium.

gunicorn under config.settings.production (static files collected as the image build does, the
`static` fixture), PostgreSQL or the test database, the real Redis and a real Celery worker,
behind the repository's own TLS proxy (deploy/nginx.conf run by Debian's nginx). Chromium signs in
through the login form over HTTPS, opens HR's landing page and finds every request of it answered
(no 4xx/5xx), the stylesheet applied, Chart.js loaded and a chart drawn; a screenshot goes to
artifacts/screenshots/production/ with the health report beside it. Then the compose file's own
health probes run against these processes, and `check --deploy` under the same environment stays
clean.

CI (.ci/run) sets E2E_REQUIRED=1: a missing Chromium or nginx fails this test instead of skipping."""

import json
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser as Chromium
from playwright.sync_api import Page, Response, expect

from demo.seed import seed_reference_data
from tests.e2e.conftest import DESKTOP, SCREENSHOTS
from tests.production import production, production_user
from tests.proxy import Browser, command, nginx, render, wait_for_port
from tests.test_celery_worker import database_url, worker  # noqa: F401 (fixture)
from tests.test_gunicorn import PRODUCTION
from tests.test_health import COMPOSE, healthy
from townships.models import County, Role

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.xdist_group("browser")]  # as test_journey

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = SCREENSHOTS / "production"  # a folder of its own: the journey's `shot` empties SCREENSHOTS
PASSWORD = "hr-password-smoke-1"

# Draws nothing but reads back what each chart canvas holds: the Chart.js instance on it and
# whether any pixel is not blank.
CHARTS = """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((canvas) => {
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
  return {id: canvas.dataset.chart, chart: !!(window.Chart && window.Chart.getChart(canvas)),
          width: canvas.width, height: canvas.height, painted: painted};
})"""

# The stylesheets the page applies: their address and how many rules each holds.
STYLESHEETS = """() => Array.from(document.styleSheets).map((sheet) => (
  {href: sheet.href, media: sheet.media.mediaText, rules: sheet.cssRules.length}))"""


@contextmanager
def tls_proxy(directory: Path, upstream: int) -> Iterator[int]:
    """deploy/nginx.conf, as it is, on a free port of 127.0.0.1 in front of gunicorn: its HTTPS
    port. (It passes on the Host the browser sent, port included, so CSRF's Origin check holds on
    any published port.)"""
    nginx()
    http, https = free_ports(2)
    config = render(directory, upstream=upstream, http=http, https=https)
    process = subprocess.Popen(command(config, directory), stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(https)
        yield https
    finally:
        process.terminate()
        process.wait(timeout=20)


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def sign_in(chromium: Chromium, origin: str) -> tuple[Page, list[str], list[str]]:
    """A fresh context signed in through the login form; the answers of 400 and above and the
    failed requests it sees, and any uncaught script error, are collected from the start."""
    context = chromium.new_context(
        base_url=origin,
        viewport=DESKTOP,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        ignore_https_errors=True,  # the proxy's throw-away certificate
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    bad: list[str] = []
    errors: list[str] = []

    def answered(response: Response) -> None:
        if response.status >= 400:
            bad.append(f"{response.status} {response.url}")

    page.on("response", answered)
    page.on("requestfailed", lambda request: bad.append(f"failed {request.url}: {request.failure}"))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/login/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill("hr")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    return page, bad, errors


def compose_probes(**env: str) -> dict[str, subprocess.CompletedProcess]:
    """Every health check of the compose file that probes our processes (web, worker, beat, and the
    TLS proxy's), run as Docker would inside each container; the database's and Redis's own
    (their images' tools) are left to their images."""
    ours = {
        name: spec
        for name, spec in COMPOSE["services"].items()
        if "healthcheck" in spec and name not in ("postgres", "redis")
    }
    assert set(ours) == {"web", "proxy", "worker", "beat"}, "a new probe: run it here too"
    results = {
        "web": healthy("web", GUNICORN_BIND=env["GUNICORN_BIND"]),
        "worker": healthy("worker", HOSTNAME=socket.gethostname()),
        "beat": healthy("beat"),
    }
    test = ours["proxy"]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL" and "https://127.0.0.1/" in test[1]
    shell = test[1].replace("https://127.0.0.1/", f"https://127.0.0.1:{env['PROXY_PORT']}/")
    results["proxy"] = subprocess.run(["sh", "-c", shell], capture_output=True, text=True, timeout=60)
    return results


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` with the environment gunicorn was given (warnings fail it)."""
    environment = {**os.environ, **PRODUCTION, "DATABASE_URL": database_url(), **env}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_in_chromium_signs_in_draws_the_charts_and_passes_its_probes(
    worker,  # noqa: F811
    browser: Chromium,
    static: Path,
    tmp_path: Path,
    settings,
) -> None:
    queue = worker
    seed_reference_data()
    county = County.objects.get(code="371502")
    production_user(settings, username="hr", password=PASSWORD, role=Role.HR, county=county)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # a real secret key (check --deploy warns of a weak one): the same environment for both
    env = {"CELERY_QUEUE": queue, "TRUSTED_PROXIES": "127.0.0.1", "SECRET_KEY": secrets.token_urlsafe(64)}
    (tmp_path / "proxy").mkdir()
    with production(tmp_path, static, **env) as port, tls_proxy(tmp_path / "proxy", port) as https:
        page, bad, errors = sign_in(browser, f"https://127.0.0.1:{https}")

        # Signed in, the browser is on HR's landing page: the plan's chart by township (Chart.js,
        # static/js/dashboard.js). Every request since the login page is judged, not only its own.
        assert urlsplit(page.url).path == "/", page.url
        page.wait_for_load_state("load")
        expect(page.locator("canvas[data-chart]").first).to_be_visible()
        charts = page.evaluate(CHARTS)
        assert charts, "no chart on HR's landing page"
        for chart in charts:
            assert chart["chart"], f"{chart['id']}: no Chart.js chart on the canvas"
            assert chart["painted"] > 100, f"{chart['id']}: the canvas is blank"
        sheets = page.evaluate(STYLESHEETS)
        screen = [s for s in sheets if s["href"] and "/static/css/app." in s["href"]]
        assert screen and screen[0]["rules"] > 20, sheets  # the hashed stylesheet, applied
        assert any("/static/css/print." in (s["href"] or "") and s["media"] == "print" for s in sheets)
        scripts = page.evaluate("() => Array.from(document.scripts, (s) => s.src).filter(Boolean)")
        assert any("/static/vendor/chart-4.6.1.umd.min." in s for s in scripts), scripts
        assert page.evaluate("() => typeof window.Chart") == "function"
        page.screenshot(path=ARTIFACTS / "hr-landing-page.png", full_page=True)
        assert not bad, bad
        assert not errors, errors
        page.context.close()

        # The health report the probes read (gunicorn asked from this machine), kept beside it
        status, body = Browser(port, "127.0.0.1", tls=False).request("GET", "/health/")
        (ARTIFACTS / "health.json").write_text(body)
        parts = {part.split("(")[0]: state for part, state in json.loads(body).items()}
        assert status == 200, body
        assert parts == {name: "OK" for name in ("Database", "Cache", "Storage", "Migrations", "CeleryPing")}

        # The compose file's probes against these very processes
        probes = compose_probes(GUNICORN_BIND=f"127.0.0.1:{port}", PROXY_PORT=str(https))
        failed = {name: r.stdout + r.stderr for name, r in probes.items() if r.returncode != 0}
        assert not failed, failed

    deploy = check_deploy(**env)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert "System check identified no issues" in deploy.stdout
