"""Cookies are host-only (no `*_COOKIE_DOMAIN`): a session from one city never reaches another."""

from datetime import timedelta

from csp.constants import NONCE

from .env import env

SECRET_KEY = env.str("SECRET_KEY", default="paco-insecure-development-key-change-me-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[".localhost", "localhost", "127.0.0.1", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): attempts counted per e-mail + IP in the tenant-scoped cache.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "email"
AXES_LOCKOUT_CALLABLE = "tenant_apps.accounts.login.login_locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "paco.client_ip.client_ip"
# Reverse proxies in front of gunicorn (nginx, the load balancer) whose X-Forwarded-For entries
# are trusted; 0 trusts none and uses the socket's address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

OTP_TOTP_ISSUER = "Paço"
OTP_TOTP_THROTTLE_FACTOR = 1

# Rate limits (issue 10), counted in the shared cache per city (paco.throttling, paco.ratelimit).
# API: per address, per person, per token, and writes (POST/PUT/PATCH/DELETE) per person or address.
API_THROTTLE_RATES = {
    "address": env.str("API_RATE_ADDRESS", default="600/min"),
    "user": env.str("API_RATE_USER", default="300/min"),
    "token": env.str("API_RATE_TOKEN", default="300/min"),
    "write": env.str("API_RATE_WRITE", default="20/min"),
}
# Forms that create or send something: POSTs per signed-in person (or per address when anonymous).
FORM_RATE_LIMITS = {
    "case_open": env.str("FORM_RATE_CASE_OPEN", default="10/h"),
    "signup": env.str("FORM_RATE_SIGNUP", default="5/h"),
}
# Failed logins from one address across any e-mails (password spraying); axes keeps e-mail + address.
LOGIN_ADDRESS_FAILURE_RATE = env.str("LOGIN_ADDRESS_FAILURE_RATE", default="20/15min")

# API bodies (paco.parsers): a JSON body larger or deeper than this is a 400.
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=1024 * 1024)
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)

# Content-Security-Policy on every page (django-csp): scripts only from our own static files and
# the few inline ones carrying the request's nonce; no inline event handlers; no plugins; framed
# by nobody. Styles allow inline `style=""` (the city's colours). Jitsi's server, when configured,
# serves its external API script and the video frame.
_JITSI = [f"https://{domain}" for domain in [env.str("JITSI_DOMAIN", default="")] if domain]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE, *_JITSI],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'", *_JITSI],
        "frame-ancestors": ["'none'"],
        # forms that answer with a redirect to Stripe Checkout or the Customer Portal (billing)
        "form-action": ["'self'", "https://checkout.stripe.com", "https://billing.stripe.com"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
