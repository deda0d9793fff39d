"""Settings shared by every environment, read from the environment with django-environ.

The embedded default (no variables set) is SQLite with Celery tasks run eagerly, so a fresh
clone runs at once. DATABASE_URL and REDIS_URL switch to PostgreSQL and a real broker.
"""

import datetime as dt
import ipaddress
import warnings
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-local-only-key-do-not-use-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "accounts.apps.AxesConfig",  # django-axes, named in Chinese
    "auditlog",
    "common",
    "townships",
    "people",
    "posts",
    "placements",
    "assessment",  # between placements and subsidies: the payroll reads its results
    "subsidies",
    "payments",  # after subsidies: pays through the bank what a locked month computed
    "workspace",
    "supervision",  # the city and province users' pages (docs/policy.md §1.4)
    "audit",
    "demo",
    "accounts",
    "health_check",  # the health report's formats (health/)
    "health",
    "rest_framework",  # the read-only data interface (api/, docs/policy.md §13.5)
    "drf_spectacular",  # its OpenAPI schema
    "api",
]

MIDDLEWARE = [
    "health.middleware.ProbeMiddleware",  # /health/ for this machine's probes, before host and HTTPS checks
    "django.middleware.security.SecurityMiddleware",
    # the application serves its own static files (compressed, hashed names cached for a year)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "common.middleware.StripNulMiddleware",  # after csrf (which has parsed the body): one place for NUL
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.context.Middleware",  # the actor and address of every audit entry a request writes
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.PasswordChangeRequired",  # a password given by the administrator is changed first
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out login before checking it
    "django.contrib.auth.backends.ModelBackend",
]
# Lock-out keyed on username and IP together: many clerks share one government network address,
# so one clerk's mistakes must not lock the others out, nor one user be guessed from many places
# without limit per address.
# The audit log (audit/): django-auditlog's entries with our scope columns; ID and bank numbers
# in entries masked as on the pages.
AUDITLOG_LOGENTRY_MODEL = "audit.Entry"
AUDITLOG_MASK_CALLABLE = "audit.masking.mask"
AUDITLOG_DISABLE_REMOTE_ADDR = False
# django-auditlog's own migrations create its LogEntry table even when the model is swapped out;
# an unused table referencing content types also stops test databases from being flushed.
MIGRATION_MODULES = {"auditlog": None}

AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
# The client's address, for the lock-out and the audit log alike (common/client.py): the peer's,
# unless the peer is one of TRUSTED_PROXIES (the TLS proxy of docker-compose.yml, deploy/nginx.conf),
# whose X-Forwarded-For then names the client. Empty (direct connections): no header is believed.
# gunicorn's --forwarded-allow-ips reads the same variable (config/gunicorn.py).
_proxies = env.list("TRUSTED_PROXIES", default=[])
TRUSTED_PROXIES = [str(ipaddress.ip_network(p, strict=False)) for p in _proxies]
AXES_CLIENT_IP_CALLABLE = "common.client.client_address"

# Sessions end after SESSION_IDLE_MINUTES without a request (the expiry moves on with each one).
SESSION_COOKIE_AGE = 60 * env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"  # in Chinese, in the site's layout

# Nothing from elsewhere, nothing inline: our own static files only (charts included).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "townships.context_processors.membership",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A kept connection that the server closed (a PostgreSQL restart) is replaced before the request
# uses it, instead of answering that request with a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] != 0
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # Pages read a page of rows: starting parallel workers or JIT-compiling a plan
    # costs more than the query itself (docs/performance.md P10). Reports and the payroll run do
    # not need either.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c max_parallel_workers_per_gather=0 -c jit=off"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# What Django and django-axes leave in English (locale/zh_Hans/LC_MESSAGES/django.po says why)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# Development and tests serve static files from the folders as they are (no collectstatic);
# production stores them compressed with hashed names (config/settings/production.py).
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Without collectstatic (development, tests) whitenoise serves the static/ folders themselves.
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at: ")  # whitenoise's, for STATIC_ROOT
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Uploads kept for a background job and the jobs' workbooks go through the default storage
# (common/uploads.py, common/jobs.py), never a path: the local MEDIA_ROOT by default, or, with
# STORAGE_S3_BUCKET set, an S3-compatible bucket (MinIO, Ceph, a cloud's object storage) that the
# web and worker machines share. Files are never served by address: every download streams through
# a view that checks the user, so the bucket stays private (no ACL is set on objects; signed URLs
# are never handed out).
STORAGE_S3_BUCKET = env("STORAGE_S3_BUCKET", default="")
if STORAGE_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            # an empty value (docker-compose.yml passes them through) is as unset
            "endpoint_url": env("STORAGE_S3_ENDPOINT_URL", default="") or None,  # unset: AWS itself
            "region_name": env("STORAGE_S3_REGION", default="") or None,
            "location": env("STORAGE_S3_PREFIX", default=""),  # a folder of the bucket, if shared
            # unset: boto3's own chain (a profile, the machine's role)
            "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
            # MinIO and most self-hosted stores answer at endpoint/bucket, not bucket.endpoint
            "addressing_style": env("STORAGE_S3_ADDRESSING_STYLE", default="") or "path",
            "signature_version": "s3v4",
            "file_overwrite": True,  # names are random: no HEAD request before each save
        },
    }

# Celery: with no REDIS_URL, tasks run eagerly in the calling process (embedded default).
REDIS_URL = env("REDIS_URL", default="")
# The cache (landing-page aggregates, alert lists) is shared by every web process through Redis
# when there is one, in its own database (CACHE_URL, default: REDIS_URL's server, database 1),
# so that clearing it never touches the task queue.
CACHE_URL = env("CACHE_URL", default=REDIS_URL.rsplit("/", 1)[0] + "/1" if REDIS_URL else "")
# A Redis that accepts connections but never answers must not hold a page: the cache gives up
# after CACHE_TIMEOUT_SECONDS (and common/cache.py then leaves it alone for a while), the queue
# after QUEUE_TIMEOUT_SECONDS per call (subscribing to the result, publishing; one retry
# each), and the page says that the queue is unavailable.
CACHE_TIMEOUT_SECONDS = env.float("CACHE_TIMEOUT_SECONDS", default=0.5)
QUEUE_TIMEOUT_SECONDS = env.float("QUEUE_TIMEOUT_SECONDS", default=1.0)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "OPTIONS": {"socket_timeout": CACHE_TIMEOUT_SECONDS, "socket_connect_timeout": CACHE_TIMEOUT_SECONDS},
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Sessions: with Redis, read from it and kept in the database too (accounts/sessions.py says why:
# Redis down must not log everyone out); a request that only moves the idle expiry does not
# write the database. Without Redis (one process, or tests), in the database.
SESSION_ENGINE = "accounts.sessions" if CACHE_URL else "django.contrib.sessions.backends.db"
CELERY_BROKER_CONNECTION_TIMEOUT = QUEUE_TIMEOUT_SECONDS
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": QUEUE_TIMEOUT_SECONDS,
    "socket_connect_timeout": QUEUE_TIMEOUT_SECONDS,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_max": 0.5}
CELERY_REDIS_SOCKET_TIMEOUT = QUEUE_TIMEOUT_SECONDS
# The result backend subscribes to a task's result as the task is sent (by default 20 tries a
# second apart): one retry, as for publishing.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": CELERY_TASK_PUBLISH_RETRY_POLICY}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = QUEUE_TIMEOUT_SECONDS
# Parsing an upload is bounded by memory: a worker process that grew past this (kB) is replaced
# after its task, so one huge file cannot keep its memory for the next.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=512_000)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# The queue tasks go to and workers read by default (tests give each real worker its own).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_TASK_EAGER_PROPAGATES = True
# Workers keep our log handlers (which mask ID and bank numbers) instead of installing their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE: dict = {
    "refresh-plan-summaries": {
        "task": "posts.tasks.plan_summary_all",
        "schedule": crontab(minute=0, hour=1),
    },
    # Uploaded applicant files never confirmed (they hold whole ID numbers), after IMPORT_UPLOAD_HOURS.
    "remove-stale-uploads": {
        "task": "people.remove_stale_uploads",
        "schedule": crontab(minute=0, hour=3),
    },
    # The files of exports and import reports, after JOB_FILE_DAYS (they hold ID numbers).
    "remove-old-job-files": {
        "task": "workspace.remove_old_job_files",
        "schedule": crontab(minute=15, hour=3),
    },
    # The month's subsidies, computed on the 25th after attendance is in (finance can re-run).
    "compute-monthly-subsidies": {
        "task": "subsidies.compute_current_month",
        "schedule": crontab(minute=30, hour=2, day_of_month=25),
    },
}

# Searches by ID number (a whole number, or a name with its last 4 characters) per user and window:
# each is recorded; past the limit the search is refused (common/search.py).
ID_SEARCH_LIMIT = env.int("ID_SEARCH_LIMIT", default=30)
ID_SEARCH_WINDOW = env.int("ID_SEARCH_WINDOW_SECONDS", default=3600)

# A county with this many people on post computes its month as one Celery task per township.
PAYROLL_SPLIT_AT = env.int("PAYROLL_SPLIT_AT", default=20_000)
# A computing run silent this long (its worker died) may be started again; a task of the earlier
# attempt that Celery delivers again later finds itself superseded and does nothing.
PAYROLL_STALE_MINUTES = env.int("PAYROLL_STALE_MINUTES", default=15)
# A background job's file (an export, an import's problems) is kept this many days, then removed
# from the storage (nightly): nothing piles up in the bucket or on a shared volume.
JOB_FILE_DAYS = env.int("JOB_FILE_DAYS", default=30)
# An uploaded applicant file waits this long for its confirmation, then is removed (nightly).
IMPORT_UPLOAD_HOURS = env.int("IMPORT_UPLOAD_HOURS", default=24)
# Every uploaded spreadsheet is refused above UPLOAD_MAX_MB as sent (a 50,000-row applicant file is
# 2.3 MB); its parts' unpacked sizes are bounded in common/uploads.py. Django keeps a file above
# FILE_UPLOAD_MAX_MEMORY_SIZE on disk while it is read, and the upload handler stops keeping bytes
# past the limit. Form fields other than files: Django's 2.5 MB.
UPLOAD_MAX_MB = env.int("UPLOAD_MAX_MB", default=20)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "common.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# The printable payroll sheet holds every line in one page; its PDF's layout grows with its lines
# (docs/performance.md P11: the defaults stay inside gunicorn's 60 s). Above these sizes (a whole
# county, or a very large township) both are refused and point to the workbook, which streams.
PAYROLL_PRINT_MAX_LINES = env.int("PAYROLL_PRINT_MAX_LINES", default=10_000)
PAYROLL_PDF_MAX_LINES = env.int("PAYROLL_PDF_MAX_LINES", default=1_000)

# The read-only data interface (api/): tokens only (no session, so no CSRF and no browsable forms),
# JSON only, nothing but reading; its schema for token holders too.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "城乡公益性岗位 数据接口",
    "DESCRIPTION": "只读；每个区县一个或多个令牌（Authorization: Token <key>），见 docs/policy.md §13.5。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# Demo users (seed_demo) are allowed everywhere except production.
DEMO_USERS_ALLOWED = True

# Every handler masks ID and bank numbers (common/logfilter.py), Django's request-line log included.
LOGGING: dict[str, Any] = {  # dictConfig's schema: values of many shapes
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"hide_numbers": {"()": "common.logfilter.HideNumbers"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["hide_numbers"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["hide_numbers"],
        },
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # Django's own handlers (console when debugging, mail to ADMINS) have no such filter
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
