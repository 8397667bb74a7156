"""Production: the same code as the demo; differences come only from the environment."""

from .env import env

if not env.str("DATABASE_URL", default=""):
    raise RuntimeError("DATABASE_URL is required in production (the embedded PostgreSQL is for development)")

from .base import *  # noqa: E402, F403

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # type: ignore[index]  # noqa: F405
if not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
if USE_SES:  # noqa: F405
    EMAIL_BACKEND = "anymail.backends.amazon_ses.EmailBackend"
SMS_BACKEND = env.str("SMS_BACKEND", default="sns")
WHITENOISE_USE_FINDERS = False

# Database under load (issue 10): persistent connections (one per gunicorn worker or job thread,
# kept DATABASE_CONN_MAX_AGE seconds), a statement timeout (the worker's is longer: exports), and
# the connection arithmetic checked by `check --deploy` (paco.checks).
for _settings in DATABASES.values():  # noqa: F405 - the control plane and every city cluster
    _settings["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    _settings.setdefault("OPTIONS", {})
    _settings["OPTIONS"]["options"] = (
        f"-c statement_timeout={env.int('DATABASE_STATEMENT_TIMEOUT_MS', default=30_000)}"
    )
