"""Production: every secret and host comes from the environment; nothing insecure by default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import STORAGES, env

for _name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
    if not env(_name, default=""):
        raise ImproperlyConfigured(f"生产环境必须设置环境变量 {_name}（{_name} must be set in production）")

SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # a kept connection a PostgreSQL restart closed is replaced
DEBUG = False
DEMO_USERS_ALLOWED = False

# HTTPS is what gunicorn says it is: it believes X-Forwarded-Proto only from TRUSTED_PROXIES (its
# --forwarded-allow-ips, config/gunicorn.py), whereas SECURE_PROXY_SSL_HEADER would believe any client.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Static files from the application itself (whitenoise, after SecurityMiddleware): collected into the
# image at build time with hashed names and gzip/Brotli variants; a hashed name is cached for a year
# (immutable), so a new release's files are fetched by their new names.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
WHITENOISE_USE_FINDERS = False  # the collected files only

# Errors to a Sentry-compatible service when SENTRY_DSN is set (config/sentry.py: ID and bank
# numbers masked in every event, no personal data sent).
if env("SENTRY_DSN", default=""):
    from config.sentry import init as _sentry_init

    _sentry_init(
        env("SENTRY_DSN"),
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=None),
    )
