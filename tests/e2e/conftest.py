"""End-to-end tests: a real Chromium (pytest-playwright) drives pytest-django's live server.

Playwright cannot download its own browser here, so Debian's /usr/bin/chromium is launched; when
it is missing the tests skip, unless E2E_REQUIRED=1 (CI sets it) makes that a failure.

Each role gets its own browser context and signs in through the real login page."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import BrowserContext, Page, ViewportSize, expect

from tests.conftest import PASSWORD

# Playwright's sync API keeps an event loop in the main thread, and Django then refuses ORM calls
# there (SynchronousOnlyOperation) although fixtures and the live server are plain synchronous
# code. Set at import, for the whole run: the browser is session-scoped, and the transactional
# tests that pytest-django orders after this one run in the same thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESKTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch arguments, pointed at Debian's Chromium, headless, quiet."""
    if not CHROMIUM.exists():
        reason = (
            f"{CHROMIUM} is missing (apt-get install chromium; Playwright cannot download a browser here)"
        )
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Every context's base URL: pytest-django's live server (pages are opened by reverse())."""
    return live_server.url


@pytest.fixture
def eager(monkeypatch: pytest.MonkeyPatch) -> None:
    """Celery tasks run in the live server's thread, also when REDIS_URL names a real broker
    (CI has one, but no worker for these tests)."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


class Shots:
    """Full-page screenshots of the pages visited, to artifacts/screenshots/."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def __call__(self, page: Page, name: str, *, phone: bool = False) -> None:
        self.count += 1
        if phone:
            page.set_viewport_size(PHONE)
        page.screenshot(
            path=self.folder / f"{self.count:02d}-{name}{'-phone' if phone else ''}.png", full_page=True
        )
        if phone:
            page.set_viewport_size(DESKTOP)


@pytest.fixture(scope="session")
def shots() -> Shots:
    """The folder emptied once per run; the numbers go on across the journey's tests, so a whole
    run names its pictures in the order of the round (01-posts … ), as one long test did."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    return Shots(SCREENSHOTS)


@pytest.fixture
def shot(shots: Shots) -> Shots:
    return shots


@pytest.fixture
def signed_in(new_context: Callable[..., BrowserContext]) -> Iterator[Callable[..., Page]]:
    """signed_in(user, next_url) -> a page of a fresh browser context, signed in through /login/.
    Any uncaught script error on any of these pages fails the test at the end."""
    errors: list[str] = []

    def sign_in(user: User, next_url: str = "/") -> Page:
        context = new_context(
            viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # the 确认…？ prompts before a move
        page.on("pageerror", lambda error: errors.append(f"{user.username}: {error}"))
        page.goto(f"/login/?next={next_url}")
        expect(page.get_by_role("heading", name="登录")).to_be_visible()
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("button", name="退出登录")).to_be_visible()
        return page

    yield sign_in
    assert not errors, errors
