"""A real HTTP client (Browser), and the repository's TLS proxy (deploy/nginx.conf) run by
Debian's nginx: the same file, with its ports, upstream and paths replaced for this machine,
and a throw-away certificate.

nginx missing: the tests using it skip, unless E2E_REQUIRED=1 (CI sets it; .ci/run installs
nginx) makes that a failure."""

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "nginx.conf"


def nginx() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found is None:
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail("nginx is required here (E2E_REQUIRED=1): apt-get install nginx-light")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


def certificate(directory: Path) -> None:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            directory / "key.pem",
            "-out",
            directory / "cert.pem",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )


def replace(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy/nginx.conf no longer has {old!r}: update tests/proxy.py"
    return text.replace(old, new)


@dataclass
class Proxy:
    http: int  # the plain port (redirects to HTTPS)
    https: int
    directory: Path

    def access_log(self, holding: str, seconds: float = 5.0) -> str:
        """The access log once it holds `holding`: nginx writes a request's line after the
        response has gone, so a client can read its answer before the line is there."""
        path = self.directory / "access.log"
        deadline = time.monotonic() + seconds
        while holding not in (text := path.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        return text


def render(directory: Path, *, upstream: int, http: int, https: int) -> Path:
    """deploy/nginx.conf for this machine, written into `directory` with a certificate."""
    certificate(directory)
    text = CONFIG.read_text()
    text = replace(text, "server web:8000;", f"server 127.0.0.1:{upstream};")
    text = replace(text, "listen 80;\n        listen [::]:80;", f"listen 127.0.0.1:{http};")
    text = replace(
        text, "listen 443 ssl http2;\n        listen [::]:443 ssl http2;", f"listen 127.0.0.1:{https} ssl;"
    )
    text = replace(text, "/etc/nginx/tls/", f"{directory}/")
    text = replace(text, "access_log /dev/stdout", f"access_log {directory}/access.log")
    path = directory / "nginx.conf"
    path.write_text(text)
    return path


def command(config: Path, directory: Path, *extra: str) -> list[str]:
    return [
        nginx(),
        "-c",
        str(config),
        "-p",
        f"{directory}/",
        "-e",
        "stderr",
        "-g",
        f"pid {directory}/nginx.pid; daemon off;",
        *extra,
    ]


@contextmanager
def running_proxy(directory: Path, upstream: int) -> Iterator[Proxy]:
    """deploy/nginx.conf listening on two free ports of 127.0.0.1 in front of `upstream`."""
    proxy = Proxy(http=free_port(), https=free_port(), directory=directory)
    config = render(directory, upstream=upstream, http=proxy.http, https=proxy.https)
    process = subprocess.Popen(command(config, directory), stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(proxy.https)
        yield proxy
    finally:
        process.terminate()
        process.wait(timeout=20)


class Browser:
    """One client at one source address, keeping its cookies; HTTPS without checking the
    throw-away certificate."""

    def __init__(self, port: int, source: str, *, tls: bool, headers: dict[str, str] | None = None) -> None:
        self.port, self.source, self.tls = port, source, tls
        self.headers = headers or {}
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        if self.tls:
            context = ssl._create_unverified_context()
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                "127.0.0.1", self.port, source_address=(self.source, 0), context=context, timeout=30
            )
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, source_address=(self.source, 0))
        headers = dict(self.headers, Cookie="; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.update({k: m.value for k, m in SimpleCookie(header).items()})
        text = response.read().decode()
        connection.close()
        return response.status, text

    def login(self, username: str, password: str) -> int:
        _, page = self.request("GET", reverse("login"))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        return self.request("POST", reverse("login"), form)[0]
