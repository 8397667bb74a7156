"""Everything Paço needs; `production` and `test` only adjust it. Variables: see docs/configuration.md."""

from .billing import *  # noqa: F403
from .database import *  # noqa: F403
from .env import ROOT_DIR, env
from .identity import *  # noqa: F403
from .insights import *  # noqa: F403
from .jobs import *  # noqa: F403
from .jobs import REDIS_URL
from .metering import *  # noqa: F403
from .notifications import *  # noqa: F403
from .observability import *  # noqa: F403
from .offboarding import *  # noqa: F403
from .onboarding import *  # noqa: F403
from .payments import *  # noqa: F403
from .permits import *  # noqa: F403
from .scheduling import *  # noqa: F403
from .security import *  # noqa: F403
from .signatures import *  # noqa: F403
from .storage import *  # noqa: F403
from .support import *  # noqa: F403
from .tenancy import *  # noqa: F403

DEBUG = env.bool("DEBUG", default=True)
SITE_NAME = "Paço"

MIDDLEWARE = [
    "tenants.middleware.TenantMiddleware",
    # every answer under /api/ in JSON and Portuguese, even Django's own 404/413/500 (issue 10)
    "paco.api_errors.ApiJsonErrorsMiddleware",
    # the city's last activity for the support console (at most once every few minutes)
    "shared_apps.support.middleware.LastActivityMiddleware",
    # anonymous visitors' portal home, Carta de Serviços and /verificar/ from a per-city cache
    "paco.anonymous_cache.AnonymousPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every answer (issue 10; settings.CONTENT_SECURITY_POLICY)
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # support sessions in a city: read-only, audited, ended on time (before the read-only check)
    "shared_apps.support.middleware.SupportSessionMiddleware",
    # read_only/suspended cities refuse writes (needs TenantMiddleware; runs before every view)
    "tenants.read_only.ReadOnlyTenantMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "paco.observability.TenantContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [ROOT_DIR / "src" / "paco" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.municipality",
            ],
            "builtins": ["paco.templatetags.paco_tags"],
        },
    },
]

# every form in gov.br Design System markup (paco.forms)
FORM_RENDERER = "paco.forms.GovBrFormRenderer"

WSGI_APPLICATION = "paco.wsgi.application"
ASGI_APPLICATION = "paco.asgi.application"

LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", "Português (Brasil)"), ("en", "English")]
LOCALE_PATHS = [ROOT_DIR / "src" / "paco" / "locale"]
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True

LOGIN_URL = "accounts:login"

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="paco"),
            # Every key carries the schema name of the tenant it was written in.
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }
else:
    # One process (demo, tests): a local-memory cache is shared by everything that runs, including
    # django-axes' attempt counters. Production sets REDIS_URL, shared by every process.
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "paco",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Token first, so a request without credentials (or with a bad token) gets 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenant_apps.accounts.api_auth.TenantTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "paco.errors.api_exception_handler",
    # issue 10: bodies with limits and Portuguese errors (paco.parsers)
    "DEFAULT_PARSER_CLASSES": [
        "paco.parsers.JSONParser",
        "paco.parsers.FormParser",
        "paco.parsers.MultiPartParser",
    ],
    # issue 10: rates in settings.API_THROTTLE_RATES (security.py)
    "DEFAULT_THROTTLE_CLASSES": [
        "paco.throttling.AddressRateThrottle",
        "paco.throttling.UserRateThrottle",
        "paco.throttling.TokenRateThrottle",
        "paco.throttling.WriteRateThrottle",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Paço API",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],  # public documentation: a stale token must not turn it into a 401
    # Swagger UI and Redoc from the installed drf-spectacular-sidecar: nothing from a CDN, works offline
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # every error status the server answers is documented on every /api/ operation (issue 10)
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "paco.errors.openapi_error_responses_hook",
    ],
    # one name per choice set, shared by every serializer that uses it
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "tenant_apps.cases.enums.CaseStatus",
        "CaseEventKindEnum": "tenant_apps.cases.enums.EventKind",
        "ServiceFieldKindEnum": "tenant_apps.catalog.enums.FieldKind",
        "AppointmentStatusEnum": "tenant_apps.scheduling.enums.AppointmentStatus",
        "AttendanceModeEnum": "tenant_apps.scheduling.enums.AttendanceMode",
        "DocumentKindEnum": "tenant_apps.documents.enums.DocumentKind",
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
if env.str("EMAIL_URL", default=""):
    # e.g. smtp+tls://user:password@smtp.example:587 (sets the backend, host, port, user, password, TLS)
    vars().update(env.email_url("EMAIL_URL"))
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(ROOT_DIR / ".data" / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Paço <nao-responda@paco.localhost>")

WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
WHITENOISE_AUTOREFRESH = DEBUG

from paco.observability import sentry_init  # noqa: E402

sentry_init(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)  # noqa: F405
