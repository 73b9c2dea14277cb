"""billpay settings: one module, every value from the environment, with embedded defaults.

The defaults run everything on one machine with no servers: SQLite, media on local disk, Celery on
kombu's filesystem transport and the sandbox ledger in-process. Environment variables switch each
part to its production counterpart (see the README's configuration table).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from codat import platforms

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name} must be a comma-separated list with no empty items.")
    return items


def env_url(name: str, default: str, *, schemes: tuple[str, ...] = ("http", "https")) -> str:
    raw = os.environ.get(name, default)
    if raw == "":
        return raw
    parts = urlsplit(raw)
    if parts.scheme not in schemes or not parts.netloc:
        allowed = " or ".join(f"{s}://" for s in schemes)
        raise ImproperlyConfigured(f"{name} must be a {allowed} URL, not {raw!r}.")
    return raw.rstrip("/")


def env_platforms(name: str, default: list[str]) -> list[str]:
    """Codat platform keys (codat.platforms' table, or one of Codat's aliases of them)."""
    keys = [key.lower() for key in env_list(name, default)]
    unknown = [key for key in keys if platforms.name_for(key) is None]
    if unknown:
        known = ", ".join(
            f"{key} ({platforms.name_for(key)})"
            for key in [*platforms.BY_KEY, *platforms.ALIAS_NAMES]
        )
        raise ImproperlyConfigured(
            f"{name} names {', '.join(repr(key) for key in unknown)}, which is no platform "
            f"billpay knows. Use keys from: {known}."
        )
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ImproperlyConfigured(f"{name} names {', '.join(repeated)} more than once.")
    return keys


def env_database(name: str, default: str) -> dict[str, object]:
    raw = os.environ.get(name) or default
    try:
        config = dj_database_url.parse(raw, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    except Exception as exc:  # dj-database-url raises plain ValueError/KeyError on junk.
        raise ImproperlyConfigured(f"{name} is not a database URL we understand: {exc}") from None
    if config.get("ENGINE") not in {
        "django.db.backends.sqlite3",
        "django.db.backends.postgresql",
    }:
        raise ImproperlyConfigured(f"{name} must point at SQLite or PostgreSQL, not {raw!r}.")
    return dict(config)


_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}


def env_email(name: str, raw: str, *, file_default: Path) -> dict[str, object]:
    """An e-mail URL as Django's EMAIL_* settings (hand-parsed: the one library for it,
    dj-email-url, has had no release since 2022, and the format is a few lines)."""
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in _EMAIL_BACKENDS:
        raise ImproperlyConfigured(
            f"{name} must start with smtp://, smtps://, console: or file:, not {raw!r}."
        )
    config: dict[str, object] = {"BACKEND": _EMAIL_BACKENDS[scheme]}
    query = parse_qs(parts.query, keep_blank_values=True)
    if scheme == "file":
        config["FILE_PATH"] = unquote(parts.path) if parts.path not in {"", "/"} else file_default
    if scheme not in {"smtp", "smtps"}:
        if query or parts.netloc:
            raise ImproperlyConfigured(f"{name}: {scheme}: takes no host or options, not {raw!r}.")
        return config
    unknown = sorted(set(query) - {"tls", "ssl"})
    if unknown:
        raise ImproperlyConfigured(
            f"{name} has unknown options {', '.join(unknown)}; smtp:// takes tls=1 or ssl=1."
        )
    flags: dict[str, bool] = {}
    for option in ("tls", "ssl"):
        value = (query.get(option) or ["0"])[-1].strip().lower()
        if value not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
            raise ImproperlyConfigured(f"{name}: {option} must be 1 or 0, not {value!r}.")
        flags[option] = value in {"1", "true", "yes", "on"}
    use_ssl = scheme == "smtps" or flags["ssl"]
    if use_ssl and flags["tls"]:
        raise ImproperlyConfigured(
            f"{name} asks for both STARTTLS (tls=1) and TLS from the start (smtps:// or ssl=1); "
            "choose one."
        )
    if not parts.hostname:
        raise ImproperlyConfigured(f"{name} must name the SMTP server's host, not {raw!r}.")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port that is not a number: {raw!r}.") from None
    config |= {
        "HOST": parts.hostname,
        "PORT": port or (465 if use_ssl else 587 if flags["tls"] else 25),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "USE_TLS": flags["tls"],
        "USE_SSL": use_ssl,
    }
    return config


VAR_DIR = Path(env_str("BILLPAY_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production-billpay"  # noqa: S105 - DEBUG only, production refuses to start without one  # nosec B105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    "accounts",
    "payables",
    "sandbox",
    "csp",
    "axes",
    # `manage.py benchmark`, where the benchmarks/ folder sits beside the source: it is never in
    # the wheel (pyproject.toml), so a deployment has neither the command nor the code.
    *(["benchmarks"] if importlib.util.find_spec("benchmarks") is not None else []),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.audit.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "billpay.urls"
WSGI_APPLICATION = "billpay.wsgi.application"

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
                "accounts.context_processors.permissions",
            ],
        },
    },
]

# --- Databases ----------------------------------------------------------------------------------
# The sandbox ledger keeps its state in a database of its own, so that billpay's transactions can
# never roll back what the "remote" ledger recorded.
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'billpay.sqlite3'}")}
if "SANDBOX_DATABASE_URL" in os.environ:
    DATABASES["sandbox"] = env_database("SANDBOX_DATABASE_URL", "")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["sandbox"] = {
        **DATABASES["default"],
        "NAME": f"{DATABASES['default']['NAME']}_sandbox",
    }
else:
    DATABASES["sandbox"] = env_database(
        "SANDBOX_DATABASE_URL", f"sqlite:///{VAR_DIR / 'sandbox.sqlite3'}"
    )
for _alias, _db in DATABASES.items():
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        if _db["NAME"] and str(_db["NAME"]) != ":memory:":
            # A fresh checkout has no var/ yet; SQLite cannot create the file's folder itself.
            Path(str(_db["NAME"])).parent.mkdir(parents=True, exist_ok=True)
        # SQLite serialises writers; wait for the lock instead of failing at once, and use WAL so
        # that the web process, the worker and beat can read while one of them writes.
        _db["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        _db["CONN_MAX_AGE"] = 0
DATABASE_ROUTERS = ["sandbox.routers.SandboxRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Cache ----------------------------------------------------------------------------------------
# Per-process memory is enough: what is cached (the inbox's totals and supplier filter) is keyed
# by the company's payables version read from the database on every request, so no process can
# serve figures another process has made stale.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "billpay",
        "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 2000)},
    }
}

# --- Static files and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the app folders when collectstatic has not run (development, tests).
WHITENOISE_USE_FINDERS = True
# Files browsers ask for at the site's root (/favicon.ico, which the admin's pages do not link).
WHITENOISE_ROOT = BASE_DIR / "public"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    if len(AWS_STORAGE_BUCKET_NAME) < 3:
        raise ImproperlyConfigured("AWS_STORAGE_BUCKET_NAME must have at least 3 characters.")
    _default_storage: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_url("AWS_S3_ENDPOINT_URL", "") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,
            # Attachments are private: every download goes through a view that checks the company.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Security (manage.py check --deploy is clean with DEBUG=0 and a real SECRET_KEY) ------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- E-mail -------------------------------------------------------------------------------------
# EMAIL_URL picks the backend: smtp://user:password@host:587?tls=1 (STARTTLS), smtps://...:465
# (TLS from the start), console: (printed by the process that sends), or file: / file:///path.
# The embedded default writes each message to a file under var/mail/ for a person to read.
EMAIL_URL = env_str("EMAIL_URL", "file:")
_email = env_email("EMAIL_URL", EMAIL_URL, file_default=VAR_DIR / "mail")
EMAIL_BACKEND = str(_email["BACKEND"])
EMAIL_HOST = str(_email.get("HOST", "localhost"))
EMAIL_PORT = int(str(_email.get("PORT", 25)))
EMAIL_HOST_USER = str(_email.get("USER", ""))
EMAIL_HOST_PASSWORD = str(_email.get("PASSWORD", ""))
EMAIL_USE_TLS = bool(_email.get("USE_TLS", False))
EMAIL_USE_SSL = bool(_email.get("USE_SSL", False))
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT_SECONDS", 10, minimum=1)
if "FILE_PATH" in _email:
    EMAIL_FILE_PATH = str(_email["FILE_PATH"])
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "billpay <noreply@billpay.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if urlsplit(CELERY_BROKER_URL).scheme not in {"filesystem", "redis", "rediss", "amqp"}:
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL must be filesystem://, redis://, rediss:// or amqp://, "
        f"not {CELERY_BROKER_URL!r}."
    )
if CELERY_BROKER_URL.startswith("filesystem"):
    _broker_dir = VAR_DIR / "celery" / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # kombu keeps fanout exchange state here; left unset it writes ./control in the cwd.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    # The web process may enqueue before any worker has started; the transport needs the folders.
    for _folder in ("broker", "processed", "control"):
        (VAR_DIR / "celery" / _folder).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360, minimum=1)
CELERY_BEAT_SCHEDULER = "billpay.beat:Scheduler"  # DatabaseScheduler keeping staff edits
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Every hour at minute 17: forget sandbox idempotency responses past Codat's 90-minute window.
    "sandbox-purge-idempotency": {
        "task": "sandbox.tasks.sandbox_purge_idempotency",
        "schedule": crontab(minute="17"),
    },
    # Every day at 05:40: re-read each linked company's accounts and tax rates (bill form options).
    "payables-mapping-options-refresh": {
        "task": "payables.tasks.mapping_options_refresh_all",
        "schedule": crontab(hour="5", minute="40"),
    },
    # Every day at 03:20: forget documents dropped for a bill that was never saved (2 days old).
    "payables-bill-documents-purge": {
        "task": "payables.tasks.bill_documents_purge",
        "schedule": crontab(hour="3", minute="20"),
    },
    # Every 10 minutes (minute 0, 10, 20...): settle bill payments left pending past the retry window.
    "payments-reconcile": {
        "task": "payables.tasks.payments_reconcile",
        "schedule": crontab(minute="*/10"),
    },
    # Every 15 minutes (minute 5, 20, 35, 50): send again attachments stuck in pending.
    "attachments-resend": {
        "task": "payables.tasks.attachments_resend",
        "schedule": crontab(minute="5,20,35,50"),
    },
    # Every 15 minutes: queue one refresh task per linked connection (staff can pause or change it
    # in the admin's Periodic tasks; the DatabaseScheduler installs this default on migrate).
    "payables-refresh-all": {
        "task": "payables.tasks.payables_refresh_all",
        "schedule": crontab(minute="*/15"),
    },
    # Every minute: resume (or, past IMPORT_STALL_MAX_RESUMES, fail) imports and refreshes whose
    # worker died.
    "payables-import-runs-resume-stalled": {
        "task": "payables.tasks.import_runs_resume_stalled",
        "schedule": crontab(minute="*"),
    },
}
CELERY_TIMEZONE = TIME_ZONE

# --- The ledger (Codat Bill Pay API, or the sandbox ledger that emulates it) --------------------
# No CODAT_API_KEY and no CODAT_BASE_URL: the sandbox ledger answers in-process.
# CODAT_BASE_URL alone: the sandbox (or any emulator) over HTTP, authenticated with SANDBOX_API_KEY.
# CODAT_API_KEY: real Codat at https://api.codat.io unless CODAT_BASE_URL says otherwise.
CODAT_API_KEY = env_str("CODAT_API_KEY")
CODAT_BASE_URL = env_url("CODAT_BASE_URL", "")
CODAT_TIMEOUT_SECONDS = float(env_int("CODAT_TIMEOUT_SECONDS", 10, minimum=1))
# The accounting platforms onboarding offers, by Codat key, in this order: by default the six of
# the Bill Pay API. One left out is not offered at all; Codat's own Sandbox (mqjo) may be added.
BILLPAY_PLATFORMS = env_platforms("BILLPAY_PLATFORMS", [rules.key for rules in platforms.PLATFORMS])
# The published demo key: refused below when DEBUG is off.
SANDBOX_DEFAULT_API_KEY = "billpay-sandbox-key"
SANDBOX_API_KEY = env_str("SANDBOX_API_KEY", SANDBOX_DEFAULT_API_KEY)
# Whether this deployment serves the sandbox ledger at /sandbox/ (its API, consent pages and hosted
# link). By default only while billpay itself uses a sandbox (no real CODAT_API_KEY): a deployment
# on real Codat never exposes an emulator that anyone with the documented key could read.
SANDBOX_ENABLED = env_bool("SANDBOX_ENABLED", not CODAT_API_KEY)
if (
    SANDBOX_ENABLED
    and not DEBUG
    and SANDBOX_API_KEY == SANDBOX_DEFAULT_API_KEY
    and not env_bool("SANDBOX_ALLOW_DEFAULT_KEY", False)
):
    raise ImproperlyConfigured(
        "SANDBOX_API_KEY must be set to a secret of your own when DEBUG is off and the sandbox "
        "ledger is served (the default key is published in the README). Set "
        "SANDBOX_ALLOW_DEFAULT_KEY=1 to accept it anyway, or SANDBOX_ENABLED=0."
    )
# Where the sandbox's consent pages are served, as seen by the user's browser.
SANDBOX_LINK_BASE_URL = env_url("SANDBOX_LINK_BASE_URL", f"{SITE_URL}/sandbox")
# The "redirect URL configured in the Codat Portal": where the consent page sends the user back.
SANDBOX_REDIRECT_URL = env_str(
    "SANDBOX_REDIRECT_URL",
    f"{SITE_URL}/onboarding/callback?companyId={{companyId}}&connectionId={{connectionId}}"
    "&statusCode={statusCode}&errorMessage={errorMessage}",
)
# Bills and suppliers a newly linked sandbox connection finds in its "accounting platform".
SANDBOX_LINK_SEED_BILLS = env_int("SANDBOX_LINK_SEED_BILLS", 60)
SANDBOX_LINK_SEED_SUPPLIERS = env_int("SANDBOX_LINK_SEED_SUPPLIERS", 15)
# Seconds a newly linked connection spends on its initial read (list calls answer 409 meanwhile).
SANDBOX_INITIAL_SYNC_SECONDS = env_int("SANDBOX_INITIAL_SYNC_SECONDS", 0)
# Dotted path of a callable(request, response) run on every sandbox answer; the test suite sets it
# to check each response against the official spec.
SANDBOX_RESPONSE_VALIDATOR: str | None = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}

# --- Keeping in step: stuck and stalled runs, sync health, webhooks -----------------------------
# A pending or running import/refresh older than this has lost its task: it is failed so the
# company is never blocked. Above the broker's visibility timeout (3600 s), after which a task
# lost by a dead worker would have been redelivered, and above a run's retries with backoff.
IMPORT_RUN_STUCK_SECONDS = env_int("IMPORT_RUN_STUCK_SECONDS", 2 * 3600, minimum=60)
# The heartbeat: an import or refresh that stored no page for this long is stalled (its worker
# died; the filesystem broker never redelivers, Redis only after its visibility timeout). Above
# the longest wait between two writes of a live run: one ledger call (CODAT_TIMEOUT_SECONDS, a few
# tries) or a retry's backoff (at most 60 s; the note written before it counts as progress).
IMPORT_STALL_SECONDS = env_int("IMPORT_STALL_SECONDS", 120, minimum=10)
# How many times the sweeper resumes a stalled run by itself before failing it for a person.
IMPORT_STALL_MAX_RESUMES = env_int("IMPORT_STALL_MAX_RESUMES", 3)
# The sync-health page flags unpaid bills and suppliers not read from the ledger for this long.
SYNC_STALE_SECONDS = env_int("SYNC_STALE_SECONDS", 24 * 3600, minimum=60)
# Codat webhooks are verified with this Svix endpoint secret ("whsec_" + base64).
CODAT_WEBHOOK_SECRET = env_str("CODAT_WEBHOOK_SECRET")
# Seconds a webhook's timestamp may be away from now (Svix's default tolerance is 5 minutes).
CODAT_WEBHOOK_TOLERANCE_SECONDS = env_int("CODAT_WEBHOOK_TOLERANCE_SECONDS", 300, minimum=1)
# Where the sandbox ledger POSTs its signed webhooks (empty: it sends none). Delivery is always
# over real HTTP from a Celery task, never back into this process's WSGI handler (toolchain.md).
SANDBOX_WEBHOOK_URL = env_url("SANDBOX_WEBHOOK_URL", "")

# --- Hardening: login throttling (django-axes) and a Content-Security-Policy (django-csp) --------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Five wrong passwords for one e-mail address from one IP address lock that pair out for 15 minutes:
# a guesser is stopped, and nobody can lock a user out from everywhere by guessing from elsewhere.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login forms post the e-mail address as "username" (axes would look for USERNAME_FIELD, "email").
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
# Lockouts are logged as warnings; the per-request "AXES: ..." chatter is not.
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Behind the TLS-terminating proxy the client's address is the last one it appended.
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# Only this site's own scripts, styles, images and fonts: no inline <script>, no style="", no
# on*= handlers (static/js/app.js hooks behaviour to data-* attributes instead), no eval.
# Forms post to this site only, but the ones that start a connection are answered by a redirect to
# the ledger's consent page, which form-action also governs: Codat's Link hosts (or the sandbox's).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": sorted(
            {
                SELF,
                _origin(SITE_URL),
                _origin(SANDBOX_LINK_BASE_URL),
                "https://link-api.codat.io",
                "https://link.codat.io",
            }
        ),
    }
}
