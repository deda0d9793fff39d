"""The error pages: Chinese, in the site's layout, saying what to do; a 500 shows a reference
that the log holds too, with the ID number in the error masked."""

import io
import logging
import re
from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import include, path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401 (this test urlconf's)

NUMBER = "37150219700101123X"


def _forbidden(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("a made-up request")


def _broken(request):
    raise RuntimeError(f"duplicate key id_number={NUMBER}")


urlpatterns = [
    path("test-errors/403/", _forbidden),
    path("test-errors/400/", _suspicious),
    path("test-errors/500/", _broken),
    path("", include("config.urls")),
]

pytestmark = pytest.mark.urls("tests.test_errors")


def text(response) -> str:
    return response.content.decode()


def test_a_page_that_does_not_exist_says_how_to_go_on_in_the_layout(cast) -> None:
    page = cast.client(cast.clerk).get("/no-such-page/")
    assert page.status_code == 404
    assert "页面不存在" in text(page) and "从首页的菜单重新进入" in text(page)
    assert "退出登录" in text(page)  # the site's layout with the user's menu


def test_a_forbidden_action_says_whom_to_ask(cast) -> None:
    page = cast.client(cast.clerk).get("/test-errors/403/")
    assert page.status_code == 403
    assert "无权操作" in text(page) and "联系区县系统管理员" in text(page)
    assert "退出登录" in text(page)


def test_a_bad_request_says_to_start_again_from_the_home_page(cast) -> None:
    page = cast.client(cast.clerk).get("/test-errors/400/")
    assert page.status_code == 400
    assert "请求无法处理" in text(page) and "从首页重新进入" in text(page)


def test_a_host_not_served_gets_the_chinese_400_page(db) -> None:
    page = Client().get("/login/", HTTP_HOST="elsewhere.example")
    assert page.status_code == 400
    assert "请求无法处理" in text(page) and "Bad Request" not in text(page)


def test_a_form_without_its_csrf_token_says_the_page_expired(cast) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.post("/login/", {"username": "clerk", "password": "x"})
    assert page.status_code == 403
    assert "页面已过期" in text(page) and "刷新页面后重新填写" in text(page)
    assert "CSRF" not in text(page) and "Forbidden" not in text(page)


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler (with its masking filter) writes."""
    (handler,) = [h for h in logging.getLogger().handlers if h.name == "console"]
    assert isinstance(handler, logging.StreamHandler)  # LOGGING's console is a StreamHandler
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_server_error_shows_a_reference_that_the_log_holds_masked(cast, console) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(cast.clerk)
    page = client.get("/test-errors/500/")
    assert page.status_code == 500
    assert "系统出错" in text(page) and "请稍后再试" in text(page)
    shown = re.search(r'<strong class="reference">(\d{8}-[0-9A-F]{6})</strong>', text(page))
    assert shown is not None, text(page)
    reference = shown.group(1)
    log = console.getvalue()
    assert f"参考编号 {reference}: GET /test-errors/500/" in log
    assert "RuntimeError: duplicate key id_number=371502********123X" in log
    assert NUMBER not in log and NUMBER not in text(page)
