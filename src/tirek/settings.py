"""Settings read from the environment, with safe defaults for a newcomer's machine.

Every secret may also come from a file (``TIREK_SECRET_KEY_FILE`` …) so containers can
mount secrets. Production refuses to start with the development secret.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("TIREK_VAR_DIR", Path.cwd() / "var")).resolve()
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")


def env(name: str, default: str = "") -> str:
    """A setting from the environment, or from the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name, "1" if default else "0").strip().lower()
    return value in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("TIREK_DEBUG")
# Demo mode: demo accounts may skip MFA and a banner says so. Never on a public host.
DEMO_MODE = env_bool("TIREK_DEMO")

_DEV_SECRET = "tirek-development-secret-not-for-production"  # noqa: S105
SECRET_KEY = env("TIREK_SECRET_KEY") or _DEV_SECRET
if SECRET_KEY == _DEV_SECRET and not (DEBUG or DEMO_MODE or TESTING):
    raise ImproperlyConfigured(
        "TIREK_SECRET_KEY must be set in production (or set TIREK_DEBUG=1 / TIREK_DEMO=1)."
    )
# The audit log is sealed with its own key so that a leaked session secret cannot
# be used to forge audit entries, and vice versa.
AUDIT_KEY = env("TIREK_AUDIT_KEY") or f"audit:{SECRET_KEY}"
# Keys for encryption at rest: comma separated Fernet keys, newest first.
ENCRYPTION_KEYS = env_list("TIREK_ENCRYPTION_KEYS")

ALLOWED_HOSTS = env_list("TIREK_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("TIREK_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before allauth so that our templates (sign-in, two-factor pages) replace allauth's.
    "tirek.core",
    "tirek.organisations",
    "tirek.accounts",
    "tirek.audit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "ninja",
    # Domain apps add themselves below, one line each.
    "tirek.people",
    "tirek.cases",
    "tirek.access",
    "tirek.privacy",
    "tirek.referrals",
    "tirek.conferences",
    "tirek.interviews",
    "tirek.assessments",
    "tirek.plans",
    "tirek.families",
    "tirek.training",
    "tirek.reports",
    "tirek.justice",
    "tirek.incidents",
    "tirek.transfers",
    # Background work: django-tasks with its database backend; `tirek worker` runs it.
    "django_tasks",
    "django_tasks_db",
    "tirek.ops",
    "tirek.retention",
    "tirek.documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tirek.accounts.middleware.IdleTimeoutMiddleware",
    "tirek.core.middleware.LanguageMiddleware",
    "tirek.core.middleware.ApiProblemMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tirek.accounts.middleware.LoginRateLimitMiddleware",
    "tirek.accounts.middleware.RequireOwnPasswordMiddleware",
    "tirek.accounts.middleware.RequireMfaMiddleware",
    "tirek.core.middleware.SecurityHeadersMiddleware",
    "tirek.ops.logs.RequestLogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tirek.urls"
WSGI_APPLICATION = "tirek.wsgi.application"

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
                "django.template.context_processors.i18n",
                "tirek.core.context_processors.tirek",
            ],
        },
    },
]

# SQLite under ./var/ by default so a newcomer needs no set-up.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tirek.sqlite3'}",
        conn_max_age=env_int("TIREK_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed while one request writes; IMMEDIATE avoids
        # "database is locked" upgrades inside write transactions.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Tirek's queries are short reads of one user's cases. PostgreSQL compiles (JIT) any
    # query whose estimated cost passes jit_above_cost, and its estimates for the access
    # subqueries pass it easily: 40-50 ms of compiling for a query that then ran in 1 ms
    # (docs/performance.md, "The referral lists").
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
    # Parameters travel apart from the query, and a query run more than five times on a
    # connection is prepared: PostgreSQL parses and plans it once. "My work" sends the same
    # dozen queries on every load; planning them was a quarter of a supervisor's page
    # (docs/performance.md, "Prepared statements"). 0 turns preparing off, as a pooler in
    # transaction mode (PgBouncer without max_prepared_statements) needs.
    _options["server_side_binding"] = True
    _prepare_after = env_int("TIREK_DB_PREPARE_THRESHOLD", 5)
    _options["prepare_threshold"] = _prepare_after if _prepare_after > 0 else None
if env("TIREK_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env("TIREK_TEST_DB_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

PASSWORD_HASHERS = [
    "tirek.accounts.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after 15 idle minutes: requests push the expiry forward, at most once a
# minute (tirek.accounts.middleware.IdleTimeoutMiddleware), not with a write per page.
IDLE_TIMEOUT_SECONDS = env_int("TIREK_IDLE_TIMEOUT", 15 * 60)
SESSION_COOKIE_AGE = IDLE_TIMEOUT_SECONDS
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("TIREK_SECURE_COOKIES", default=not (DEBUG or DEMO_MODE))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("TIREK_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS: once a browser has reached Tirek over HTTPS it never falls back to plain HTTP.
# TIREK_TLS says the deployment is served over TLS; it defaults to TIREK_SECURE_COOKIES
# (on in production, off with TIREK_DEBUG/TIREK_DEMO). The header is only ever sent on
# secure requests. TIREK_HSTS_SECONDS (default one year) and, only when every subdomain
# is on HTTPS too, TIREK_HSTS_INCLUDE_SUBDOMAINS=1.
TLS = env_bool("TIREK_TLS", default=SECURE_COOKIES)
SECURE_HSTS_SECONDS = env_int("TIREK_HSTS_SECONDS", 365 * 24 * 3600) if TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TIREK_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = False

# Lockout after repeated failures (django-axes keeps the count in the database, so it
# holds across several app servers); see tirek.accounts.lockout for the three layers.
AXES_FAILURE_LIMIT = env_int("TIREK_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TIREK_LOCKOUT_MINUTES", 15))
# Lock the account from the address that failed, not from everywhere: otherwise five wrong
# passwords from anywhere would lock anyone out. Offices sit behind one NAT address, so the
# address alone is never locked either; address-level abuse is rate limited separately.
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_HANDLER = "tirek.accounts.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "tirek.accounts.lockout.client_address"
# The account from every address: failures per day (each address counting at most
# AXES_FAILURE_LIMIT) from which attempts are progressively delayed, and at which the
# account is locked everywhere until the day ends or an administrator unlocks it.
LOCKOUT_ACCOUNT_SLOWDOWN = env_int("TIREK_LOCKOUT_ACCOUNT_SLOWDOWN", 15)
LOCKOUT_ACCOUNT_FAILURES = env_int("TIREK_LOCKOUT_ACCOUNT_FAILURES", 50)
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_CALLABLE = "tirek.accounts.lockout.attempted_username"
AXES_LOCKOUT_CALLABLE = "tirek.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Sign-in attempts per client address per minute (web form and API token), whoever they name.
LOGIN_RATE_PER_MINUTE = env_int("TIREK_LOGIN_RATE", 30)

# allauth: username login only, no self sign-up, TOTP with recovery codes.
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "tirek.accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_RATE_LIMITS = {"login_failed": None}  # django-axes does the lockout
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Tirek"
MFA_ADAPTER = "tirek.accounts.adapters.MfaAdapter"
MFA_FORMS = {"authenticate": "tirek.accounts.forms.MfaAuthenticateForm"}

API_TOKEN_LIFETIME = timedelta(hours=env_int("TIREK_API_TOKEN_HOURS", 8))

LANGUAGE_CODE = "ru"
# Uzbek in Cyrillic: its catalogues are generated from the Latin (official) ones by
# `tirek uz_cyrillic`; it is named in its own script, and Django ships no info for it.
UZ_CYRL = {
    "bidi": False,
    "code": "uz-cyrl",
    "name": "Uzbek (Cyrillic)",
    "name_local": "ўзбек тили (кирилл)",
}
LANG_INFO.setdefault("uz-cyrl", UZ_CYRL)
LANGUAGES = [
    ("ru", _("Russian")),
    ("kk", _("Kazakh")),
    ("uz", _("Uzbek")),
    ("uz-cyrl", UZ_CYRL["name_local"]),
    ("tg", _("Tajik")),
    ("en", _("English")),
]
LANGUAGE_COOKIE_NAME = "tirek_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
# Day.month.year, 24-hour time and a decimal comma for kk, uz and tg (tirek/formats).
FORMAT_MODULE_PATH = ["tirek.formats"]
TIME_ZONE = env("TIREK_TIME_ZONE", "Asia/Almaty")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# `tirek worker` writes the daily audit anchor here; ship the folder off this machine.
AUDIT_ANCHOR_DIR = Path(env("TIREK_AUDIT_ANCHOR_DIR") or VAR_DIR / "audit-anchors")
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ATTACHMENT_MAX_BYTES = env_int("TIREK_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)

# The cache holds rate-limit and lockout counters and "code already used" marks, so it must
# be shared by every worker process and every app server: a table in the database by
# default (created by a migration of tirek.core, and by `tirek serve`), Redis when
# TIREK_REDIS_URL is set (e.g. redis://127.0.0.1:6379/0). Never a per-process memory cache.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("TIREK_REDIS_URL"),
        }
        if env("TIREK_REDIS_URL")
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tirek_cache",
            # Counters expire within a day; culling only ever drops expired or surplus rows.
            "OPTIONS": {"MAX_ENTRIES": 200_000, "CULL_FREQUENCY": 4},
        }
    )
}

if env("TIREK_REDIS_URL"):
    # Several servers: sessions read from Redis, written through to the database.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

EMAIL_BACKEND = env("TIREK_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("TIREK_FROM_EMAIL", "tirek@localhost")

# Multi-agency coordination: days to answer / complete a referral by urgency, the number of
# interviews of one child above which the case manager and psychologist are alerted, and
# whether notifications also go by e-mail (generic text and a link, never case data).
REFERRAL_RESPONSE_DAYS = {"urgent": 1, "priority": 3, "routine": 10}
REFERRAL_COMPLETION_DAYS = {"urgent": 14, "priority": 30, "routine": 60}
INTERVIEW_ALERT_THRESHOLD = env_int("TIREK_INTERVIEW_ALERT_THRESHOLD", 2)
NOTIFICATION_EMAILS = env_bool("TIREK_NOTIFICATION_EMAILS", default=True)
# The address users reach Tirek at, for links in e-mails.
BASE_URL = env("TIREK_BASE_URL", "http://127.0.0.1:8000")

# The country this installation serves (one installation per country).
COUNTRY_CODE = env("TIREK_COUNTRY", "KZ")

# Background jobs: the database queue (no other server); `tirek worker` runs queue and
# schedule. Tests run jobs at once in the calling thread unless a test asks otherwise.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING and not env_bool("TIREK_TASKS_DATABASE")
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}
# Where `tirek backup` finds its key (a file outside the archive and apart from the
# encryption keys): TIREK_BACKUP_KEY or TIREK_BACKUP_KEY_FILE.
BACKUP_KEY = env("TIREK_BACKUP_KEY")

# JSON lines with a request id and a user id, never a name or case content
# (TIREK_LOG_FORMAT=text for plain lines on a developer's terminal).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "tirek.ops.logs.JsonLinesFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({} if env("TIREK_LOG_FORMAT") == "text" else {"formatter": "json"}),
        }
    },
    "root": {"handlers": ["console"], "level": env("TIREK_LOG_LEVEL", "WARNING")},
    "loggers": {
        "tirek.requests": {
            "level": "WARNING" if TESTING else env("TIREK_REQUEST_LOG_LEVEL", "INFO"),
        },
        "tirek.ops": {"level": "INFO"},
    },
}
