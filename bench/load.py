r"""Load: 200 users at once (clerks and finance officers) against gunicorn + PostgreSQL here on
loopback, bounded in time, on the data of bench/people_list.py and bench/payroll_compute.py.

    .venv/bin/pip install -e '.[bench]'
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench \
        .venv/bin/python bench/load.py [USERS] [SECONDS] [WORKERS]

Prints locust's table: requests, failures, median and 95th percentile per click, counted once
every user has logged in (--reset-stats); the logins themselves are timed during the ramp."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USERS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 180
WORKERS = int(sys.argv[3]) if len(sys.argv) > 3 else 4
# Logins a second (LOGIN_RATE): 200 officers arrive within 100 s at 2 (each login hashes a password:
# 0.36-0.62 s of CPU on the 2-core machines here, so at 2 a second a slower machine saturates
# during the arrival and its backlog spills into the measured window).
RATE = float(os.environ.get("LOGIN_RATE", "2"))
PORT = 8765

env = dict(
    os.environ,
    DJANGO_SETTINGS_MODULE="config.settings.local",
    DEBUG="false",
    DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://root@127.0.0.1:5432/bench"),
    ALLOWED_HOSTS="127.0.0.1",
    AXES_FAILURE_LIMIT="1000",
    LOG_LEVEL="WARNING",
    REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),  # the shared cache, as deployed
)
server = subprocess.Popen(
    [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{PORT}",
        "--workers",
        str(WORKERS),
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ],
    cwd=ROOT,
    env=env,
)
try:
    for _ in range(60):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/login/", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    print(f"gunicorn with {WORKERS} workers; {USERS} users for {SECONDS} s", flush=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            str(USERS),
            "-r",
            str(RATE),
            "-t",
            f"{SECONDS}s",
            "--reset-stats",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--only-summary",
            "--stop-timeout",
            "5",
        ],
        cwd=ROOT,
        check=False,
    )
finally:
    server.terminate()
    server.wait(timeout=30)
