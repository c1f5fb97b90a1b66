"""Docket's settings: one module, driven by environment variables.

Local defaults are safe (SQLite, console email); anything malformed fails loudly with
ImproperlyConfigured rather than being silently ignored. DEBUG is off unless asked for, and
then SECRET_KEY must be set.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> None:
    """KEY=value lines from a local .env file, for variables not already in the environment."""
    if not path.is_file():
        return
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not name.strip():
            raise ImproperlyConfigured(f"{path}, line {number}: expected NAME=value")
        os.environ.setdefault(name.strip(), value.strip().strip("'\""))


if "DOCKET_NO_DOTENV" not in os.environ:
    _load_dotenv(BASE_DIR / ".env")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer; got {value!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",") if item.strip()]
    for item in items:
        if any(char.isspace() for char in item):
            raise ImproperlyConfigured(f"{name} is a comma-separated list; {item!r} contains a space")
    return items


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (set DEBUG=1 locally).")
    SECRET_KEY = "django-insecure-local-development-only"


def required_in_production(name: str) -> str:
    """A variable production cannot guess; locally (DEBUG on) it may be left out."""
    value = os.environ.get(name, "").strip()
    if not value and not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off (see .env.example).")
    return value


# The site's own address, for links in emails (sent outside any request).
SITE_URL = (required_in_production("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://; got {SITE_URL!r}")

required_in_production("ALLOWED_HOSTS")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "rest_framework",
    "drf_spectacular",
    "allauth",
    "allauth.account",
    "accounts",
    "definition",
    "comments",
    "moderation",
    "openrecord",
    "bench",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "docket.middleware.RefuseNulCharacters",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "docket.pagecache.PublicPageCache",
]

ROOT_URLCONF = "docket.urls"
WSGI_APPLICATION = "docket.wsgi.application"

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
                "docket.context_processors.roles",
            ],
            "libraries": {"docket": "docket.templatetags.docket"},
        },
    },
]

# SQLite by default; DATABASE_URL (postgres://...) switches to PostgreSQL through psycopg 3.
_database_url = required_in_production("DATABASE_URL")
if _database_url:
    try:
        _database = dj_database_url.parse(_database_url, conn_max_age=envint("CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
    if not _database.get("ENGINE"):
        raise ImproperlyConfigured(f"DATABASE_URL names an unknown database: {_database_url!r}")
else:
    _database = {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead logging: readers and a writer no longer wait for each other (several workers on
    # one file), and a commit is one write of the log instead of a journal created, synced and
    # deleted. Still durable: `synchronous` stays FULL. The mode is kept in the file itself.
    _database.setdefault("OPTIONS", {}).setdefault("init_command", "PRAGMA journal_mode=WAL")
if _database["ENGINE"] == "django.db.backends.postgresql" and envbool("DATABASE_PREPARED_STATEMENTS", True):
    # The parameters sent apart from the SQL, and a statement run five times on a connection
    # prepared there, so PostgreSQL plans it once: the clause page's comment queries are the same
    # SQL on every request (docket.prepared), and planning them took a third of their time (the
    # page's first render after a change went from 26 to 19 ms). Django leaves this off for
    # connection poolers: set DATABASE_PREPARED_STATEMENTS=0 behind PgBouncer in transaction mode
    # older than 1.21 (docs/deploy.md).
    _database.setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
DATABASES = {"default": _database}

# Redis (or any cache) through Django's own backend when REDIS_URL is set; rate limits use it.
_redis_url = os.environ.get("REDIS_URL", "")
if _redis_url:
    CACHES = {"default": {"BACKEND": "docket.redis_cache.RedisCache", "LOCATION": _redis_url}}
    # A signed-in request reads its session from Redis, not the database; writes still go to the
    # database, so a restart of Redis signs nobody out. Only with a cache that every process
    # shares: with one per process, a sign-out would be forgotten only by the process that saw it.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Per-address rate limits (allauth's login and sign-up limits, the API throttle) need the
# client's address. Behind our proxy every request comes from the proxy, which appends the
# address it saw to X-Forwarded-For: the client is the entry this many places from the right;
# anything left of it was sent by the client and may be forged. 0 ignores the header (no proxy:
# runserver, so the default with DEBUG on); production runs behind one TLS proxy.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0 if DEBUG else 1)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more; got {TRUSTED_PROXY_COUNT}")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Django's and allauth's, each reading the person's profile with their user row.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts: sign up and log in by email; posting needs a verified address.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up with a taken address and a reset for an unknown one look like any other (allauth's
# default, stated here because it matters): the owner of the address is told by email instead.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Docket] "
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

# Email: SMTP through EMAIL_HOST; EMAIL_HOST=console (the local default) prints it instead.
EMAIL_HOST = required_in_production("EMAIL_HOST") or "console"
if EMAIL_HOST != "console":
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": envint("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "docket.mail.ReadableConsoleBackend"}}
del EMAIL_HOST  # read only to build MAILERS; Django 6.1 refuses EMAIL_* beside MAILERS
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Docket <docket@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Emails (receipts, replies, follows, new versions) go through Django's tasks framework. By
# default they run in the web process as the request ends. With TASK_WORKER=1 they are queued in
# the database and `manage.py db_worker` sends them (docker-compose runs one): a post then waits
# for no mail server, and a mail server that is down fails the task (recorded, with its error), not
# the post.
TASK_WORKER = envbool("TASK_WORKER", False)
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if TASK_WORKER
        else "django.tasks.backends.immediate.ImmediateBackend"
    }
}

# Spam defence: hold each new person's first N comments for a moderator's approval (0: off).
HOLD_FIRST_COMMENTS = envint("HOLD_FIRST_COMMENTS", 0)

# Reading pages as anonymous visitors see them are cached this long at most (every change to
# what they show forgets them at once; see docket/pagecache.py). 0 turns the page cache off.
# On by default only with a shared cache: with each worker's own memory, a change would be
# forgotten by the worker that made it alone, and the others would serve the old page.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 60 if _redis_url else 0)

# The read-only API: public data, cacheable (ETag from ConditionalGetMiddleware), throttled.
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_RATE", "600/minute")},
    "UNAUTHENTICATED_USER": None,
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Docket API",
    "DESCRIPTION": "Read-only access to published definitions, versions, clauses, comments, dispositions "
    "and the moderation log. Nothing private: no drafts, no email addresses, no hidden text.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Behind a TLS-terminating proxy in production. Read (and checked) always, applied without DEBUG.
_ssl_redirect = envbool("SECURE_SSL_REDIRECT", True)
_session_cookie_secure = envbool("SESSION_COOKIE_SECURE", True)
_csrf_cookie_secure = envbool("CSRF_COOKIE_SECURE", True)
# HSTS for a year, subdomains and preload included: what `check --deploy` asks for. A site
# that cannot promise https for every subdomain sets these lower (see docs/deploy.md).
_hsts_seconds = envint("SECURE_HSTS_SECONDS", 31_536_000)
_hsts_subdomains = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
_hsts_preload = envbool("SECURE_HSTS_PRELOAD", True)
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _ssl_redirect
    # The health check is asked over plain http by the load balancer or Docker itself.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    SESSION_COOKIE_SECURE = _session_cookie_secure
    CSRF_COOKIE_SECURE = _csrf_cookie_secure
    SECURE_HSTS_SECONDS = _hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _hsts_subdomains
    SECURE_HSTS_PRELOAD = _hsts_preload
# Content Security Policy (Django's own): our pages have no inline script or style at all.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # One line per task state change is noise; failures still show.
    "loggers": {"django.tasks": {"level": "WARNING"}},
}
