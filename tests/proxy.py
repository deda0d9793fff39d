"""Runs the repository's TLS proxy (deploy/nginx.conf) with Debian's nginx: the same file, with
its ports, upstream and paths replaced for this machine, and a throw-away certificate.

nginx missing: the tests using it skip, unless E2E_REQUIRED=1 (CI sets it; .ci/run installs
nginx) makes that a failure."""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

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
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", directory / "key.pem", "-out", directory / "cert.pem", "-days", "1",
         "-subj", "/CN=localhost"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip


def replace(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy/nginx.conf no longer has {old!r}: update tests/proxy.py"
    return text.replace(old, new)


@dataclass
class Proxy:
    http: int  # the plain port (redirects to HTTPS)
    https: int
    directory: Path

    @property
    def access_log(self) -> str:
        return (self.directory / "access.log").read_text()


def render(directory: Path, *, upstream: int, http: int, https: int) -> Path:
    """deploy/nginx.conf for this machine, written into `directory` with a certificate."""
    certificate(directory)
    (directory / "static").mkdir(exist_ok=True)
    text = CONFIG.read_text()
    text = replace(text, "server web:8000;", f"server 127.0.0.1:{upstream};")
    text = replace(text, "listen 80;\n        listen [::]:80;", f"listen 127.0.0.1:{http};")
    text = replace(
        text, "listen 443 ssl http2;\n        listen [::]:443 ssl http2;", f"listen 127.0.0.1:{https} ssl;"
    )
    text = replace(text, "/etc/nginx/tls/", f"{directory}/")
    text = replace(text, "/srv/static/", f"{directory}/static/")
    text = replace(text, "access_log /dev/stdout", f"access_log {directory}/access.log")
    path = directory / "nginx.conf"
    path.write_text(text)
    return path


def command(config: Path, directory: Path, *extra: str) -> list[str]:
    return [nginx(), "-c", str(config), "-p", f"{directory}/", "-e", "stderr",
            "-g", f"pid {directory}/nginx.pid; daemon off;", *extra]  # fmt: skip


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
