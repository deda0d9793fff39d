"""The deployment description and production settings, checked without Docker."""

import ipaddress
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_ENV = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_services_with_healthchecks(compose) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat", "proxy"}
    for name, service in services.items():
        if name == "migrate":  # a one-off: runs once and exits
            assert service["restart"] == "no" and "healthcheck" not in service
            continue
        assert service["healthcheck"]["test"], name
        assert service.get("restart") == "unless-stopped", name
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert set(compose["volumes"]) >= {"pgdata", "redisdata", "media"}


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_compose_app_services_get_the_environment_they_need(compose, name) -> None:
    service = compose["services"][name]
    assert set(service["environment"]) >= APP_ENV
    assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert service["environment"]["REDIS_URL"].startswith("redis://redis:")
    assert "@postgres:5432/" in service["environment"]["DATABASE_URL"]
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_commands_start_gunicorn_and_celery(compose) -> None:
    services = compose["services"]
    assert services["web"]["command"] == ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]


def test_only_the_tls_proxy_is_published_and_gunicorn_trusts_it_alone(compose) -> None:
    services = compose["services"]
    assert [name for name, service in services.items() if service.get("ports")] == ["proxy"]
    assert services["proxy"]["ports"] == ["443:443", "80:80"]
    assert services["web"]["expose"] == ["8000"]
    proxy_address = services["proxy"]["networks"]["default"]["ipv4_address"]
    assert services["web"]["environment"]["TRUSTED_PROXIES"] == proxy_address
    network = compose["networks"]["default"]["ipam"]["config"][0]
    # inside the network, outside the range handed to the other containers
    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(network["subnet"])
    assert ipaddress.ip_address(proxy_address) not in ipaddress.ip_network(network["ip_range"])
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_proxy_runs_the_repositorys_config_and_passes_everything_to_gunicorn(compose) -> None:
    proxy = compose["services"]["proxy"]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    # the forwarded headers are the proxy's own, whatever the client sent
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in config
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in config
    assert "server web:8000;" in config
    # static files come from the image (whitenoise), not from a volume a previous release filled
    assert "/static/" not in config and "static" not in compose["volumes"]
    volumes = [volume for service in compose["services"].values() for volume in service.get("volumes", [])]
    assert not [volume for volume in volumes if "static" in volume]


def test_the_image_collects_the_static_files_at_build_time() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    build = dockerfile[dockerfile.index("manage.py collectstatic --noinput") :]
    assert "config.settings.production" in dockerfile[: dockerfile.index("manage.py collectstatic")]
    assert "USER app" in build  # collected as root: read-only to the application


def test_nginx_accepts_the_proxy_config(tmp_path) -> None:
    from tests.proxy import command, free_port, render

    config = render(tmp_path, upstream=free_port(), http=free_port(), https=free_port())
    result = subprocess.run(command(config, tmp_path, "-t"), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_image_runs_gunicorn_as_an_unprivileged_user_with_its_config() -> None:
    lines = [line.split() for line in (ROOT / "Dockerfile").read_text().splitlines() if line.strip()]
    users = [words[1] for words in lines if words[0] == "USER"]
    assert users and users[-1] not in {"root", "0"}
    last = [words[0] for words in lines if words[0] in {"USER", "CMD"}]
    assert last[-2:] == ["USER", "CMD"]
    assert (
        'CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]'
        in (ROOT / "Dockerfile").read_text()
    )


@pytest.mark.parametrize("secret", [".env", ".git", "backups/", "media/", "*.sqlite3", "*.dump"])
def test_dockerignore_keeps_secrets_and_personal_data_out_of_the_image(secret) -> None:
    assert secret in (ROOT / ".dockerignore").read_text().splitlines()


def _django_setup(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.production")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


FULL = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "gongyi.example.cn", "DATABASE_URL": "postgres://u@h/db"}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_settings_refuse_to_start_without(missing) -> None:
    result = _django_setup({k: v for k, v in FULL.items() if k != missing})
    assert result.returncode != 0
    assert f"必须设置环境变量 {missing}" in result.stderr


def test_production_settings_start_with_everything_set() -> None:
    result = _django_setup(FULL)
    assert result.returncode == 0, result.stderr


def test_settings_speak_chinese_in_shanghai_time(settings) -> None:
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def test_migrations_run_once_in_their_own_service_not_in_every_web_start(compose) -> None:
    services = compose["services"]
    shell, flag, script = services["migrate"]["command"]
    assert (shell, flag, services["migrate"]["user"]) == ("sh", "-c", "0:0")
    # as root only to hand an earlier release's media volume to `app`, then the migration as `app`
    assert script == (
        "chown -R app:app /srv/media && exec setpriv --reuid=app --regid=app --init-groups "
        "python manage.py migrate --noinput"
    )
    assert all("user" not in services[name] for name in ("web", "worker", "beat"))  # the image's `app`
    assert services["migrate"]["environment"] == services["web"]["environment"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("web", "worker", "beat", "proxy"):
        assert "migrate" not in str(services[name].get("command", "")), name


def test_the_probes_ask_the_application_not_a_file(compose) -> None:
    services = compose["services"]
    assert "/health/web/" in " ".join(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "ensure_connection" in " ".join(services["beat"]["healthcheck"]["test"])
    # tests/test_health.py runs these very commands against real gunicorn, worker and Redis
