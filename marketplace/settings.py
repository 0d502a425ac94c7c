"""Fengshou settings: one module, configured from the environment (12-factor).

Development needs nothing configured: SQLite, a local-memory cache and Celery tasks run
in-process. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis;
``DJANGO_ENV=production`` switches on the secure settings and makes the secrets mandatory.
The README's configuration table lists every variable read here.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development', 'production' or 'test', not {DJANGO_ENV!r}."
    )
PRODUCTION = DJANGO_ENV == "production"


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"Set the {name} environment variable (required when DJANGO_ENV=production)."
        )
    return value


# --- Core ---------------------------------------------------------------------------------------

if PRODUCTION:
    SECRET_KEY = _required("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = [h.strip() for h in _required("DJANGO_ALLOWED_HOSTS").split(",") if h.strip()]
    DEBUG = False
else:
    # A fixed key is fine for a local demo; production refuses to start without its own.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-fengshou-not-for-production")
    ALLOWED_HOSTS = env.list(
        "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"]
    )
    DEBUG = env.bool("DJANGO_DEBUG", default=DJANGO_ENV == "development")

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # Fengshou, from the bottom layer up (docs/architecture.md)
    "core",
    "accounts",
    "regions",
    "buyers",
    "suppliers",
    "catalog",
    "pricing",
    "orders",
    # Programmes that read every domain above: spot checks (and next, campaigns).
    "inspections",
    # Demo data and the bulk generators (seed_demo, bench); above every domain app.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy and its per-request script nonce (settings below, "Security").
    "marketplace.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "marketplace.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.access.AccessPolicyMiddleware",
    # Last, as django-axes asks, so it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
ASGI_APPLICATION = "marketplace.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "orders.context_processors.cart",
                "inspections.context_processors.checks_waiting",
                "marketplace.middleware.csp_nonce",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------

if PRODUCTION:
    _required("DATABASE_URL")
DATABASE_URL = env.str("DATABASE_URL", default="")
if DATABASE_URL:
    _SCHEMES = ("postgres://", "postgresql://", "sqlite:///")
    if not DATABASE_URL.startswith(_SCHEMES):
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with one of {', '.join(_SCHEMES)} (e.g. postgres://user@host:5432/name), "
            f"not {DATABASE_URL!r}."
        )
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ------------------------------------------------------------------------------

if PRODUCTION:
    _required("REDIS_URL")
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"REDIS_URL must start with redis://, rediss:// or unix://, not {REDIS_URL!r}."
    )

if REDIS_URL:
    # Redis unreachable = no cache (core/cache.py): pages and throttles go on without it, logged once.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="fengshou"),
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
                "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=1.0),
                "RETRY_AFTER": env.float("CACHE_RETRY_AFTER", default=5.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fengshou"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Without a broker the tasks run eagerly in-process, so the demo needs no worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that does not answer fails a send quickly (core/background.py logs it; the beat catches up).
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
# With acks_late, a task whose worker died is delivered again once it has been unacknowledged this many
# seconds (Redis transport; Celery's default, an hour, when unset). Tests that kill a worker shorten it.
if env.str("CELERY_VISIBILITY_TIMEOUT", default=""):
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env.int("CELERY_VISIBILITY_TIMEOUT")
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TIMEZONE = "Asia/Shanghai"
# The periodic schedule lives here, in code; later issues add their nightly jobs.
CELERY_BEAT_SCHEDULE = {
    "catalog-refresh-search-index": {
        "task": "catalog.tasks.refresh_search_index",
        "schedule": crontab(hour=2, minute=15),
    },
    "suppliers-watch-qualification-expiry": {
        "task": "suppliers.tasks.watch_qualification_expiry",
        "schedule": crontab(hour=1, minute=30),
    },
    "pricing-refresh-verdicts": {
        "task": "pricing.tasks.refresh_all_verdicts",
        "schedule": crontab(hour=2, minute=45),
    },
    "pricing-build-index": {
        "task": "pricing.tasks.build_price_index",
        "schedule": crontab(hour=4, minute=0),
    },
    "orders-auto-receive": {
        "task": "orders.tasks.auto_receive_orders",
        "schedule": crontab(minute=20),  # hourly: an order is received within the hour it falls due
    },
    "accounts-clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=30),
    },
    "inspections-nightly-sweep": {
        "task": "inspections.tasks.nightly_sweep",
        # After the verdicts (02:45) and the expiry watch (01:30), so it judges tonight's facts.
        "schedule": crontab(hour=3, minute=15),
    },
    "inspections-watch-check-deadlines": {
        "task": "inspections.tasks.watch_check_deadlines",
        # Rectifications past their deadline are closed with the ladder's sanction; sanctions whose appeal
        # window passed become final. After midnight, so "past the deadline" means the whole day is over.
        "schedule": crontab(hour=0, minute=20),
    },
    "core-drain-outbox": {
        "task": "core.tasks.drain_outbox",
        "schedule": crontab(),  # every minute: tasks the broker could not take at commit (core/background.py)
    },
    "accounts-email-unsent-notifications": {
        "task": "accounts.tasks.email_unsent_notifications",
        "schedule": crontab(minute="*/5"),  # what the broker could not take when it was down
    },
}
# The transactional outbox (core/background.py): the drain sends rows unsent for RETRY_AFTER_SECONDS
# (younger ones are still being sent after their commit), gives up on rows older than GIVE_UP_AFTER_HOURS,
# takes BATCH a run, and deletes sent rows after KEEP_SENT_DAYS.
OUTBOX = {"RETRY_AFTER_SECONDS": 60, "GIVE_UP_AFTER_HOURS": 48, "BATCH": 500, "KEEP_SENT_DAYS": 7}
# The catch-up of notification emails: rows unsent for AFTER_MINUTES (younger ones may still be queued),
# no older than WITHIN_DAYS (a month-old notice is not emailed out of the blue), BATCH a run.
NOTIFICATION_EMAIL_CATCH_UP = {"AFTER_MINUTES": 5, "WITHIN_DAYS": 2, "BATCH": 500}

# --- Auth ----------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The client's address (core.client_ip): REMOTE_ADDR, or, when the request comes from one of these
# proxies (addresses or CIDR networks), the right-most X-Forwarded-For hop that is not one of them.
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"DJANGO_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network."
        ) from None

# django-axes: lock a username+address pair out after repeated failures, and refuse an address that
# failed too often over every username (accounts.login_limits).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_HANDLER = "accounts.login_limits.LoginLimitHandler"
AXES_USERNAME_CALLABLE = "accounts.login_limits.login_username"
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# --- Internationalisation -------------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
# Private uploads (qualification scans): outside MEDIA_ROOT, served only through permission checks.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private")
# Outside production WhiteNoise serves straight from the app and project static folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
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

# --- REST API ------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens that end (django-rest-knox): stored hashed, expire, revocable (accounts.services).
        # First, so that a missing, expired or revoked token answers 401 with WWW-Authenticate.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: every API view names who may use it.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
    # A service's ValidationError answers 400 with its messages per field (core.errors).
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
}
# An API token lasts as long as a browser session (Django's SESSION_COOKIE_AGE, two weeks): an
# integration signs in again fortnightly, and a forgotten or leaked token dies on its own.
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=24 * 14)
if API_TOKEN_TTL_HOURS < 1:
    raise ImproperlyConfigured("API_TOKEN_TTL_HOURS must be at least 1.")
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",  # the header clients already send
    "AUTO_REFRESH": False,  # a token ends at its expiry, however much it is used
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fengshou API",
    "DESCRIPTION": "Fengshou (丰收) procurement marketplace: the REST API for buyers and suppliers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SupplierStatusEnum": "suppliers.models.SupplierStatus",
        "QualificationStatusEnum": "suppliers.models.QualificationStatus",
    },
}

# --- Email -------------------------------------------------------------------------------------

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
if EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Absolute links in emails point here.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="丰收采购平台 <noreply@fengshou.example>")

# --- Security ------------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Every HTML page (the admin and the API docs too): scripts only from our own origin, or inline with
# this request's nonce ('nonce' becomes 'nonce-<value>', marketplace.middleware); no eval, so htmx runs
# with allowEval off (base.html). Styles keep 'unsafe-inline': the admin, Swagger UI and a few of our
# templates set style attributes, which a nonce cannot cover. No page may be framed.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'nonce'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /healthz is probed over plain HTTP by the load balancer inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Logging -------------------------------------------------------------------------------------

# The audit log (core.audit): one JSON line per login, failed login, logout, permission denial, export
# and state change, on its own logger and handler (stdout, for the log shipper), at any LOG_LEVEL.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.audit.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "audit": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        "fengshou.audit": {"handlers": ["audit"], "level": "INFO", "propagate": False},
    },
}

# --- Fengshou rules (visible to ops in one place) ---------------------------------------------------

# Warn suppliers this many days before a qualification lapses.
SUPPLIER_EXPIRY_WARNING_DAYS = env.int("SUPPLIER_EXPIRY_WARNING_DAYS", default=30)
# Price evidence older than this no longer counts as a reference (days).
PRICE_EVIDENCE_MAX_AGE_DAYS = env.int("PRICE_EVIDENCE_MAX_AGE_DAYS", default=30)
# The price comparison model (pricing/verdicts.py). Ratios are our unit price over the other one;
# z is the modified z-score 0.6745·(ln x − median)/MAD over comparable listings' log unit prices.
# Ops see these values on the price review queue and on the public price index page.
PRICE_MODEL = {
    "EVIDENCE_HIGH_RATIO": env.float("PRICE_EVIDENCE_HIGH_RATIO", default=1.10),
    "EVIDENCE_VERY_HIGH_RATIO": env.float("PRICE_EVIDENCE_VERY_HIGH_RATIO", default=1.30),
    "EVIDENCE_LOW_RATIO": env.float("PRICE_EVIDENCE_LOW_RATIO", default=0.50),
    "PEER_MIN_COUNT": env.int("PRICE_PEER_MIN_COUNT", default=5),
    "PEER_HIGH_Z": env.float("PRICE_PEER_HIGH_Z", default=2.0),
    "PEER_OUTLIER_Z": env.float("PRICE_PEER_OUTLIER_Z", default=3.5),
    "PEER_MAD_FLOOR": env.float("PRICE_PEER_MAD_FLOOR", default=0.05),
    "HISTORY_DAYS": env.int("PRICE_HISTORY_DAYS", default=90),
    "HISTORY_JUMP_RATIO": env.float("PRICE_HISTORY_JUMP_RATIO", default=1.30),
}
# A published index cell rests on at least this many matched items.
# Spot checks (inspections). The sweep checks BATCH listings per task; a test report older than a
# category's own limit (or TEST_REPORT_MAX_AGE_MONTHS) is a finding.
INSPECTIONS = {
    "SWEEP_BATCH_SIZE": env.int("INSPECTIONS_SWEEP_BATCH_SIZE", default=1000),
    "TEST_REPORT_MAX_AGE_MONTHS": env.int("INSPECTIONS_TEST_REPORT_MAX_AGE_MONTHS", default=12),
    # A supplier may appeal a confirmed violation within this many days of the decision.
    "APPEAL_DAYS": env.int("INSPECTIONS_APPEAL_DAYS", default=7),
    # The sanction ladder (inspections.sanctions) counts confirmed violations within this window...
    "SANCTION_WINDOW_DAYS": env.int("INSPECTIONS_SANCTION_WINDOW_DAYS", default=365),
    # ...and its third rung takes this many credit points.
    "PENALTY_POINTS": env.int("INSPECTIONS_PENALTY_POINTS", default=10),
    # Reports (举报): photos per report, and reports per hour per client address (anonymous) or per
    # signed-in buyer, counted in the cache (no captcha).
    "REPORT_MAX_PHOTOS": env.int("INSPECTIONS_REPORT_MAX_PHOTOS", default=4),
    "REPORTS_PER_HOUR": env.int("INSPECTIONS_REPORTS_PER_HOUR", default=5),
    "REPORTS_PER_HOUR_SIGNED_IN": env.int("INSPECTIONS_REPORTS_PER_HOUR_SIGNED_IN", default=20),
}

PRICE_INDEX_MIN_MATCHED = env.int("PRICE_INDEX_MIN_MATCHED", default=5)
# A shipped order counts as received this many days after shipping if the buyer has not said so.
ORDER_AUTO_RECEIPT_DAYS = env.int("ORDER_AUTO_RECEIPT_DAYS", default=10)
# Buyers may ask for a refund or return up to this many days after receiving an order.
ORDER_AFTER_SALES_DAYS = env.int("ORDER_AFTER_SALES_DAYS", default=7)
# Which orders.payments provider records payments; "sandbox" moves no money.
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="sandbox")
# The shared secret payment notifications are signed with (HMAC-SHA256). A real provider in production
# refuses to start without it; with none set in production every notification is refused.
if PRODUCTION and PAYMENT_PROVIDER != "sandbox":
    PAYMENT_WEBHOOK_SECRET = _required("PAYMENT_WEBHOOK_SECRET")
else:
    PAYMENT_WEBHOOK_SECRET = env.str(
        "PAYMENT_WEBHOOK_SECRET", default="" if PRODUCTION else "dev-only-payment-webhook-secret"
    )
# Reserved share (预留份额, 财库〔2021〕19号): each budget unit reserves at least 10 % of its yearly
# canteen food budget for products of the 832 counties (15 % encouraged), and files the figure by a
# deadline ("MM-DD" of the year it is for).
RESERVED_SHARE_MIN_RATIO = env.float("RESERVED_SHARE_MIN_RATIO", default=0.10)
RESERVED_SHARE_ENCOURAGED_RATIO = env.float("RESERVED_SHARE_ENCOURAGED_RATIO", default=0.15)
RESERVED_SHARE_FILING_DEADLINE = env.str("RESERVED_SHARE_FILING_DEADLINE", default="03-31")
# Every supplier starts with this credit score; spot checks and reports add ledger entries.
SUPPLIER_INITIAL_CREDIT = 100
