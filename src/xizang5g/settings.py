"""Settings, all from the environment (12-factor).

Defaults give a self-contained development platform: SQLite under var/, the embedded MQTT broker.
Production sets DATABASE_URL (PostgreSQL), MQTT_URL, SECRET_KEY, XZ5G_DEBUG=0, XZ5G_ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("XZ5G_HOME", PACKAGE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("XZ5G_VAR_DIR", BASE_DIR / "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("XZ5G_DEBUG", True)
_DEV_SECRET = "dev-only-insecure-key-change-me-in-production-xizang5g-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise RuntimeError("SECRET_KEY must be set in the environment when XZ5G_DEBUG=0")
ALLOWED_HOSTS = env_list("XZ5G_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("XZ5G_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "xizang5g.core",
    "xizang5g.plan",
    "xizang5g.network",
    "xizang5g.iot",
    "xizang5g.security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "xizang5g.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "xizang5g.core.middleware.BodySizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "xizang5g.core.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xizang5g.urls"
WSGI_APPLICATION = "xizang5g.wsgi.application"
ASGI_APPLICATION = "xizang5g.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xizang5g.core.context_processors.platform",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
_SQLITE_URL = f"sqlite:///{VAR_DIR / 'xizang5g.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _SQLITE_URL))}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the job worker and the ingest worker share one file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("XZ5G_CONN_MAX_AGE", "60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security (等保 level 3: GB/T 22239-2019 8.1.4.1 identification/authentication) ---
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "xizang5g.core.passwords.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "plan:dashboard"
LOGOUT_REDIRECT_URL = "login"
# Login throttling: lock an account+IP after 5 failures for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("XZ5G_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("XZ5G_LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Idle session timeout (等保: automatic logout after inactivity).
SESSION_COOKIE_AGE = int(os.environ.get("XZ5G_SESSION_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("XZ5G_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("XZ5G_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Language and time -----------------------------------------------------------------------
LANG_INFO.setdefault("bo", {"bidi": False, "code": "bo", "name": "Tibetan", "name_local": "བོད་ཡིག"})
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("bo", "བོད་ཡིག"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("XZ5G_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"  # nothing is served here (core.files)
MEDIA_ROOT = Path(os.environ.get("XZ5G_MEDIA_ROOT", VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
STORAGES = {
    # Uploaded files are never served at a URL: views that apply the access rule send them.
    "default": {"BACKEND": "xizang5g.core.files.PrivateStorage"},
    # Uploads waiting for a background import: outside MEDIA_ROOT, never served under a URL.
    "imports": {
        "BACKEND": "xizang5g.core.files.PrivateStorage",
        "OPTIONS": {
            "location": os.environ.get("XZ5G_IMPORTS_ROOT", str(VAR_DIR / "private" / "imports")),
            "base_url": None,
        },
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Cache: failure counters and throttles shared by every process when on Redis -----------
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if (_cache_url := os.environ.get("XZ5G_CACHE_URL", ""))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# --- Input bounds (core.limits): uploads, tables, JSON bodies --------------------------------
XZ5G_UPLOAD_MAX_BYTES = int(os.environ.get("XZ5G_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
XZ5G_IMPORT_MAX_ROWS = int(os.environ.get("XZ5G_IMPORT_MAX_ROWS", "50000"))
XZ5G_IMPORT_MAX_COLUMNS = int(os.environ.get("XZ5G_IMPORT_MAX_COLUMNS", "200"))
# Imports of more rows than this run as background jobs with a progress bar.
XZ5G_IMPORT_BACKGROUND_ROWS = int(os.environ.get("XZ5G_IMPORT_BACKGROUND_ROWS", "1000"))
XZ5G_JSON_MAX_BYTES = int(os.environ.get("XZ5G_JSON_MAX_BYTES", str(5 * 1024 * 1024)))
XZ5G_JSON_MAX_DEPTH = int(os.environ.get("XZ5G_JSON_MAX_DEPTH", "32"))

# --- Jobs (django-tasks, database backend: workers scale out over a shared PostgreSQL) -------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("XZ5G_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- MQTT ------------------------------------------------------------------------------------
MQTT_URL = os.environ.get("MQTT_URL", "")
XZ5G_EMBEDDED_MQTT_PORT = int(os.environ.get("XZ5G_EMBEDDED_MQTT_PORT", "1884"))

# --- E-mail (alert notifications) ------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "XZ5G_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("XZ5G_SMTP_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("XZ5G_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("XZ5G_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("XZ5G_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("XZ5G_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("XZ5G_SMTP_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("XZ5G_MAIL_FROM", "xizang5g@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XZ5G_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The MQTT libraries log every connection and subscription at INFO.
        "gmqtt": {"level": "WARNING"},
        "amqtt": {"level": "WARNING"},
        "transitions": {"level": "WARNING"},
        # django-axes reports every login and logout at INFO.
        "axes": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

# --- IoT hub (iot/) --------------------------------------------------------------------------
XZ5G_IOT_RETENTION_DAYS = int(os.environ.get("XZ5G_IOT_RETENTION_DAYS", "180"))
XZ5G_IOT_OFFLINE_SECONDS = int(os.environ.get("XZ5G_IOT_OFFLINE_SECONDS", "180"))
XZ5G_IOT_BATCH_SIZE = int(os.environ.get("XZ5G_IOT_BATCH_SIZE", "1000"))
XZ5G_IOT_BATCH_MS = int(os.environ.get("XZ5G_IOT_BATCH_MS", "50"))
XZ5G_IOT_LATEST_SECONDS = float(os.environ.get("XZ5G_IOT_LATEST_SECONDS", "1.0"))
XZ5G_IOT_RULE_CHECK_SECONDS = int(os.environ.get("XZ5G_IOT_RULE_CHECK_SECONDS", "5"))
# How often each ingest worker computes the rollups that are due (storage.rollups_refresh).
XZ5G_IOT_ROLLUP_SECONDS = int(os.environ.get("XZ5G_IOT_ROLLUP_SECONDS", "10"))

# --- Security app: record every 403 as a platform security event ---------------------------
MIDDLEWARE += ["xizang5g.security.middleware.PermissionDeniedEventMiddleware"]
# The broker's HTTP auth hook (POST /api/v1/iot/mqtt/auth) requires this token when set.
XZ5G_IOT_BROKER_HOOK_TOKEN = os.environ.get("XZ5G_IOT_BROKER_HOOK_TOKEN", "")
# Alert webhooks may not call internal addresses unless the host (name or network) is listed here.
XZ5G_WEBHOOK_ALLOWED_HOSTS = env_list("XZ5G_WEBHOOK_ALLOWED_HOSTS", "")
