"""Settings, all from the environment (DANVAN_*), with safe local defaults.

The embedded default is SQLite in ./var/ so the app runs with no server;
production sets DANVAN_DATABASE_URL to PostgreSQL.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from danvan.foundation.officefile import DEFAULTS as OFFICE_DEFAULTS

BASE_DIR = Path(__file__).resolve().parent
# var/ of the project (a checkout, or an editable install) whatever the current folder; an installed package
# without its project keeps it in the current folder. DANVAN_VAR_DIR puts it anywhere.
_PROJECT_DIR = BASE_DIR.parent
_DEFAULT_VAR = _PROJECT_DIR / "var" if (_PROJECT_DIR / "pyproject.toml").is_file() else Path.cwd() / "var"
VAR_DIR = Path(os.environ.get("DANVAN_VAR_DIR") or _DEFAULT_VAR).resolve()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [x.strip() for x in os.environ.get(name, default).split(",") if x.strip()]


DEBUG = env_bool("DANVAN_DEBUG", False)
SECRET_KEY = os.environ.get("DANVAN_SECRET_KEY", "")
if not SECRET_KEY:
    # A per-install key kept in ./var so sessions survive restarts in dev/demo.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Readable by its owner only (0600), created so from the start; a file left wider by an older version is
    # narrowed here.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        from django.utils.crypto import get_random_string

        try:
            with os.fdopen(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
                fh.write(get_random_string(64))
        except FileExistsError:  # another process of this install wrote it first
            pass
    if key_file.stat().st_mode & 0o077:
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = env_list("DANVAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DANVAN_CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "danvan.pages.views.csrf_failure"  # Vietnamese, and the typed text shown back

INSTALLED_APPS = [
    "danvan.foundation.admin_app.DanvanAdminConfig",  # django.contrib.admin, superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "simple_history",
    "django_tasks_db",
    "ninja",
    "axes",
    "danvan.foundation",
    "danvan.pages",  # home, the tree, error pages, navigation (danvan/pages)
    "danvan.audit",  # the audit log page (danvan/audit)
    "danvan.orgs",
    "danvan.exemplars",
    "danvan.movement",
    "danvan.documents",
    "danvan.intake",
    "danvan.search",
    "danvan.reports",
    "danvan.showcase",
    "danvan.api",
    "danvan.onboarding",
    "danvan.ops",  # backup, restore, /healthz (danvan/ops)
    "danvan.tools",  # the developers' toolbox: generate, loadtest, bench (danvan/tools)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "danvan.foundation.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "danvan.foundation.middleware.NoStoreSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the Vietnamese lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "danvan.urls"
WSGI_APPLICATION = "danvan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "danvan.pages.context_processors.navigation",
            ],
            # `{% url %}` with its answers remembered (a page draws 15-50 links).
            "builtins": ["danvan.pages.templatetags.danvan_urls"],
        },
    },
]

DATABASE_URL = os.environ.get("DANVAN_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'danvan.sqlite3'}"
if DATABASE_URL.startswith("sqlite"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL + a busy timeout let the dev server and a CLI command share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    # PostgreSQL's JIT compiles the dashboards' grouped scans of a million rows for ~0.5 s and gains nothing
    # on this workload (measured, docs/SCALING.md); a DSN that sets its own `options` keeps them.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A read replica (PostgreSQL streaming replication): reads go to it, writes to the primary, and a user who
# has just written (any non-GET request, or a GET view marked with `multidb.db_write`) reads from the primary
# for DANVAN_REPLICA_PIN_SECONDS, so nobody misses their own change because of replication lag.
REPLICA_DATABASE_URL = os.environ.get("DANVAN_REPLICA_DATABASE_URL", "")
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = dj_database_url.parse(REPLICA_DATABASE_URL, conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    REPLICA_DATABASES = ["replica"]
    DATABASE_ROUTERS = ["multidb.PinningReplicaRouter"]
    MULTIDB_PINNING_SECONDS = int(os.environ.get("DANVAN_REPLICA_PIN_SECONDS", 15))
    MULTIDB_PINNING_COOKIE = "danvan_pin"
    MULTIDB_PINNING_COOKIE_HTTPONLY = True
    # Before the session and auth middleware, which already read.
    MIDDLEWARE.insert(1, "multidb.middleware.PinningRouterMiddleware")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username/IP before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the signed-in user from the shared cache (danvan/foundation/auth.py).
    "danvan.foundation.auth.ModelBackend",
]
# Login throttling (danvan/foundation/auth.py): 5 wrong passwords for one username from one address lock it for 15
# minutes; 20 from one address, whatever the usernames, lock the address (one address trying a few passwords on
# every account). Usernames are counted without case.
LOGIN_FAILURES = int(os.environ.get("DANVAN_LOGIN_FAILURES", 5))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("DANVAN_LOGIN_FAILURES_PER_ADDRESS", 20))
AXES_FAILURE_LIMIT = "danvan.foundation.auth.failure_limit"
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("DANVAN_LOCKOUT_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_USERNAME_CALLABLE = "danvan.foundation.auth.login_username"
# A success forgets only that username's failures from that address (foundation/auth.py forget_failures): axes' own
# reset would clear the whole address's count.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
# Behind nginx the client address is in X-Forwarded-For (set DANVAN_PROXY_COUNT=1 there); without a
# proxy the header is ignored, or a client could forge a new address for every guess.
PROXY_COUNT = int(os.environ.get("DANVAN_PROXY_COUNT", 0))
AXES_CLIENT_IP_CALLABLE = "danvan.foundation.clientip.client_ip"
# The "forgot password" page: requests per hour for one address entered, and from one client address.
RESET_PER_ACCOUNT = int(os.environ.get("DANVAN_RESET_PER_ACCOUNT", 3))
RESET_PER_ADDRESS = int(os.environ.get("DANVAN_RESET_PER_ADDRESS", 10))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("DANVAN_SESSION_SECONDS", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploads live outside any web root and have no URL: only permission-checked views serve them.
MEDIA_ROOT = Path(os.environ.get("DANVAN_MEDIA_ROOT", VAR_DIR / "media"))
# Submissions with at least this many exemplars get their documents built by the task worker (issue 4 §8).
DANVAN_BACKGROUND_DOCUMENT_ITEMS = int(os.environ.get("DANVAN_BACKGROUND_DOCUMENT_ITEMS", 1000))
# A running document job whose worker has sent no heartbeat for this long is dead: marked failed, built anew on the
# next request, and counted by /healthz/chi-tiet (issue 21 §5). The worker beats every quarter of it (at most 30 s).
DANVAN_DOCUMENT_JOB_STALE_SECONDS = int(os.environ.get("DANVAN_DOCUMENT_JOB_STALE_SECONDS", 300))
# Search ranks at most this many matches; past it the pages say "hơn 1.000" (issue 7 §5, danvan/search/services.py).
DANVAN_SEARCH_CAP = int(os.environ.get("DANVAN_SEARCH_CAP", 1000))
# Exemplar counts are kept per unit for this many top levels of the tree (the country, the provinces), so their
# dashboards and statistics do not scan every exemplar (issue 7 §5, danvan/reports/tally.py); 0 turns it off.
DANVAN_TALLY_DEPTH = int(os.environ.get("DANVAN_TALLY_DEPTH", 2))
# Rows per page of the exemplar list.
DANVAN_LIST_PAGE_SIZE = int(os.environ.get("DANVAN_LIST_PAGE_SIZE", 25))
# A form or JSON body (files apart). The largest is the confirm of an import's preview: 10 fields a row, up to
# 2,000 rows (intake Limits.max_exemplars), ~1.8 KB a row of text — 20,000 fields, ~3.6 MB (issue 21 §7).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DANVAN_MAX_BODY_BYTES", 8 * 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(os.environ.get("DANVAN_MAX_FORM_FIELDS", 25_000))
# Bounds before work (issue 21 §7). Every uploaded file is counted while it streams in (danvan/foundation/uploads.py
# BoundedUploadHandler): past DANVAN_UPLOAD_MAX_BYTES the file is dropped, past DANVAN_UPLOAD_MAX_TOTAL_BYTES for
# one request the rest is not read, and the door refuses the upload in Vietnamese with nothing stored.
DANVAN_UPLOAD_MAX_BYTES = int(os.environ.get("DANVAN_UPLOAD_MAX_BYTES", OFFICE_DEFAULTS["DANVAN_UPLOAD_MAX_BYTES"]))
DANVAN_UPLOAD_MAX_TOTAL_BYTES = int(os.environ.get("DANVAN_UPLOAD_MAX_TOTAL_BYTES", 100 * 1024 * 1024))
FILE_UPLOAD_HANDLERS = [
    "danvan.foundation.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# What a Word/Excel file may expand to before a reader opens it (danvan/foundation/officefile.py, shared by intake and
# onboarding): zip entries, uncompressed bytes (all parts, one XML part), compression ratio; XLSX sheets, highest
# row number, cells (written, merged, declared by <dimension>); DOCX table cells.
DANVAN_OFFICE_MAX_ENTRIES = int(os.environ.get("DANVAN_OFFICE_MAX_ENTRIES", OFFICE_DEFAULTS["DANVAN_OFFICE_MAX_ENTRIES"]))
DANVAN_OFFICE_MAX_UNCOMPRESSED = int(os.environ.get("DANVAN_OFFICE_MAX_UNCOMPRESSED", OFFICE_DEFAULTS["DANVAN_OFFICE_MAX_UNCOMPRESSED"]))
DANVAN_OFFICE_MAX_PART_BYTES = int(os.environ.get("DANVAN_OFFICE_MAX_PART_BYTES", OFFICE_DEFAULTS["DANVAN_OFFICE_MAX_PART_BYTES"]))
DANVAN_OFFICE_MAX_RATIO = int(os.environ.get("DANVAN_OFFICE_MAX_RATIO", OFFICE_DEFAULTS["DANVAN_OFFICE_MAX_RATIO"]))
DANVAN_XLSX_MAX_SHEETS = int(os.environ.get("DANVAN_XLSX_MAX_SHEETS", OFFICE_DEFAULTS["DANVAN_XLSX_MAX_SHEETS"]))
DANVAN_XLSX_MAX_ROWS = int(os.environ.get("DANVAN_XLSX_MAX_ROWS", OFFICE_DEFAULTS["DANVAN_XLSX_MAX_ROWS"]))
DANVAN_XLSX_MAX_CELLS = int(os.environ.get("DANVAN_XLSX_MAX_CELLS", OFFICE_DEFAULTS["DANVAN_XLSX_MAX_CELLS"]))
DANVAN_DOCX_MAX_CELLS = int(os.environ.get("DANVAN_DOCX_MAX_CELLS", OFFICE_DEFAULTS["DANVAN_DOCX_MAX_CELLS"]))
# A registration form is read whole by openpyxl (merged cells included): its own, smaller cell bound.
DANVAN_FORM_MAX_CELLS = int(os.environ.get("DANVAN_FORM_MAX_CELLS", OFFICE_DEFAULTS["DANVAN_FORM_MAX_CELLS"]))
# Uploads never applied (an onboarding file not applied, an intake preview not confirmed) are deleted by
# `danvan expire-uploads` after this many days.
DANVAN_UPLOAD_EXPIRY_DAYS = int(os.environ.get("DANVAN_UPLOAD_EXPIRY_DAYS", 7))
STORAGES: dict[str, dict] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("DANVAN_S3_BUCKET"):
    # Object storage (S3, MinIO, Ceph…) for uploads; still private: files go out only through the views.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["DANVAN_S3_BUCKET"],
            "endpoint_url": os.environ.get("DANVAN_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("DANVAN_S3_REGION") or None,
            "access_key": os.environ.get("DANVAN_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("DANVAN_S3_SECRET_KEY") or None,
            "location": os.environ.get("DANVAN_S3_PREFIX", ""),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }

# Cache: Redis in production (DANVAN_CACHE_URL=redis://127.0.0.1:6379/1), memory otherwise.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if cache_url := os.environ.get("DANVAN_CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": cache_url}}
    # Sessions are read from the shared cache (written through to the database): one query less per page.
    # Only with a shared cache: with one memory cache per worker, a logout would not reach the other workers.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Memberships, unread counts and dropdown lists kept between requests (danvan/foundation/sharedcache.py): only in a
# cache every worker shares.
DANVAN_SHARED_CACHE = bool(cache_url)

# /healthz reports the task worker down when a ready task has waited longer than this.
HEALTH_TASK_MAX_AGE = int(os.environ.get("DANVAN_HEALTH_TASK_MAX_AGE", 900))
# /healthz/chi-tiet counts a worker task still "running" after this long as stuck (its worker likely died).
HEALTH_TASK_MAX_RUNNING = int(os.environ.get("DANVAN_HEALTH_TASK_MAX_RUNNING", 3600))

_MAIL_BACKEND = os.environ.get(
    "DANVAN_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_MAIL_OPTIONS: dict = {}
if _MAIL_BACKEND.endswith("smtp.EmailBackend"):
    _MAIL_OPTIONS = {
        "host": os.environ.get("DANVAN_EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("DANVAN_EMAIL_PORT", 25)),
        "username": os.environ.get("DANVAN_EMAIL_USER", ""),
        "password": os.environ.get("DANVAN_EMAIL_PASSWORD", ""),
        "use_tls": env_bool("DANVAN_EMAIL_TLS", False),
        "timeout": 20,
    }
MAILERS = {"default": {"BACKEND": _MAIL_BACKEND, "OPTIONS": _MAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = os.environ.get("DANVAN_FROM_EMAIL", "danvan@localhost")
# Set by `danvan demo` when it catches the mail itself (ops/mailbox.py): the folder of the caught .eml files,
# readable by a superuser at /thu-demo/. Empty (the page is off) everywhere else.
DEMO_MAIL_DIR = os.environ.get("DANVAN_DEMO_MAIL_DIR", "")

SECURE_CONTENT_TYPE_NOSNIFF = True
# Strict CSP: everything from our own origin, no inline script or style, no framing. The pages'
# small behaviours live in core/static/danvan/app.js; Swagger UI's files are served locally.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
if env_bool("DANVAN_SECURE", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    MULTIDB_PINNING_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_SSL_REDIRECT = env_bool("DANVAN_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOG_JSON = env_bool("DANVAN_LOG_JSON", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "danvan.foundation.logjson.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", **({"formatter": "json"} if LOG_JSON else {})}},
    "root": {"handlers": ["console"], "level": os.environ.get("DANVAN_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("DANVAN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Automatic reminders: days before a round's deadline (and on the day itself).
REMINDER_DAYS_BEFORE = [int(x) for x in env_list("DANVAN_REMINDER_DAYS_BEFORE", "3")]
# The start of every link in an e-mail; `danvan demo` sets it from --addrport when it is not given.
# A mail the server refused is tried again by the worker after these many minutes, one delay per attempt.
MAIL_RETRY_MINUTES = [int(x) for x in env_list("DANVAN_MAIL_RETRY_MINUTES", "1,5,30,120")]
SITE_URL = os.environ.get("DANVAN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Exemplars per page in lists.
PAGE_SIZE = 25
