"""Kinabog settings: one module, driven by environment variables.

Nothing set gives the embedded default (SQLite in ./var, files in ./var/media, tasks in-process,
cache in memory). Production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and friends.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KINABOG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
PRODUCTION = "SECRET_KEY" in os.environ
SECRET_KEY = os.environ.get("SECRET_KEY", "kinabog-embedded-default-not-for-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "oauth2_provider",
    "csp",
    "kinabog.core",
    "kinabog.accounts",
    "kinabog.institutions",
    "kinabog.audit",
    "kinabog.notifications",
    "kinabog.messaging",
    "kinabog.posts",
    "kinabog.presence",
    "kinabog.calendar",
    "kinabog.consents",
    "kinabog.aula_api",
    "kinabog.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kinabog.accounts.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kinabog.accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kinabog.core.middleware.ContentSecurityPolicyMiddleware",
]
# Benchmarks read how many queries each request ran from a response header (docs/performance.md).
if env_bool("KINABOG_QUERY_COUNT_HEADER", False):
    MIDDLEWARE.insert(0, "kinabog.core.middleware.QueryCountHeaderMiddleware")

ROOT_URLCONF = "kinabog.urls"
WSGI_APPLICATION = "kinabog.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# LoginBackend first: sign-ins record it. ModelBackend still loads sessions that recorded it before.
AUTHENTICATION_BACKENDS = ["kinabog.accounts.backends.LoginBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "institutions:overview"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kinabog" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kinabog.core.context_processors.shell",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})
        if env_bool("DATABASE_POOL", False):
            DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 2, "max_size": 8}
        else:
            DATABASES["default"]["CONN_MAX_AGE"] = 60
            DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # Parameters travel apart from the statement, and a statement a connection runs again and again is
        # prepared once: PostgreSQL then neither parses nor plans it anew (decision 0013). Off behind a pooler
        # that cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            DATABASES["default"]["ENGINE"] = "kinabog.core.db.postgresql"
            DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
            DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)  # executions before preparing
        if os.environ.get("TEST_DATABASE_NAME"):
            DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "kinabog.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, tasks --------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "kinabog.core.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# With a cache the workers share (Redis), sessions are read from it and written through to the database
# (decision 0008): no session query on most requests. Sessions must then be ended through the session
# store, never by deleting rows. A cache in each worker's own memory would serve stale sessions: database.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if REDIS_URL else "db")
# How long a built Viewer is kept in the cache, keyed by the access version (decision 0008); 0 turns it off.
VIEWER_CACHE_SECONDS = int(os.environ.get("VIEWER_CACHE_SECONDS", 300))
SESSION_COOKIE_AGE = 60 * 60 * 12  # hard cap; the idle limit below ends most sessions sooner
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", 60 * 60))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/Copenhagen"
# Celery closes the database connection around every task unless this many tasks may reuse it; kinabog.celery
# closes it as Django does around requests instead (CONN_MAX_AGE, health checks; decision 0011).
CELERY_DB_REUSE_MAX = 2**31
# Periodic tasks (run by `celery beat` where a broker is configured).
CELERY_BEAT_SCHEDULE = {
    "daily-notification-digests": {
        "task": "kinabog.notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=17, minute=0),
    },
    # Webhook deliveries whose task was lost or that wait for a retry (komme/gå feed).
    "presence-webhook-sweep": {
        "task": "kinabog.presence.tasks.send_due_webhook_deliveries",
        "schedule": 60.0,
    },
    # Calendar reminders whose time has come (also `manage.py send_calendar_reminders` from cron).
    "calendar-reminders": {
        "task": "kinabog.calendar.tasks.send_calendar_reminders",
        "schedule": 300.0,
    },
}

# --- Passwords and login ---------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Failed logins: after this many failures for one username or one address within the window,
# further attempts are refused until the window has passed.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60))
# One address may be a whole school's network behind NAT: it gets more attempts than one username.
LOGIN_FAILURE_ADDRESS_LIMIT = int(os.environ.get("LOGIN_FAILURE_ADDRESS_LIMIT", LOGIN_FAILURE_LIMIT * 10))
STEP_UP_SECONDS = int(os.environ.get("STEP_UP_SECONDS", 30 * 60))

OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 60 * 60,
    "SCOPES": {"aula": _("Use Kinabog on your behalf"), "aula-sensitive": _("Sensitive content (level 3)")},
    "DEFAULT_SCOPES": ["aula"],
    # Native apps use loopback http redirects while developing; production accepts https only.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if PRODUCTION else ["https", "http"],
    # RFC 9700 (OAuth 2.0 security BCP): adopt every compliant behaviour but one. Aula clients send
    # access_token in the query string of the session bootstrap, so that transport stays allowed
    # (docs/decisions/0004-aula-token-in-query.md); the token only opens a cookie session.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}
SILENCED_SYSTEM_CHECKS = ["oauth2_provider.W004"]

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "kinabog_language"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Copenhagen"

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "kinabog" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- Security --------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Kalender --------------------------------------------------------------------------------
# The most people one event may invite: group members and individually chosen people together (Aula: 2000).
KINABOG_CALENDAR_MAX_INVITEES = int(os.environ.get("KINABOG_CALENDAR_MAX_INVITEES", 2000))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kinabog@localhost")
# Where people reach Kinabog: links in e-mails start with it.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
