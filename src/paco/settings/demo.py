"""`make demo`: production's code path on one machine (DEBUG off: the product's error pages).

`DEBUG=1 make demo` turns Django's debug pages back on for developers.
"""

from .base import *  # noqa: F403
from .env import DATA_DIR, env

DEBUG = env.bool("DEBUG", default=False)
# collected, compressed static files, as in production (`make demo` runs collectstatic first)
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# the signup page still shows the confirmation link (the demo's e-mails stay in .data/mail/)
ONBOARDING_SHOW_VERIFICATION_LINK = env.bool("ONBOARDING_SHOW_VERIFICATION_LINK", default=True)
# a 404 is a line of the access log already; errors (5xx) are still logged
LOGGING["loggers"]["django.request"] = {"level": "ERROR"}  # type: ignore[index]  # noqa: F405
# "Entrar com gov.br" against the demo's own stand-in provider (/demo-govbr/, clearly labelled)
GOVBR_DEMO_PROVIDER = env.bool("GOVBR_DEMO_PROVIDER", default=True)
# the stand-in bank that pays a Pix guide by calling our webhook (/demo-banco/, clearly labelled)
PAYMENTS_DEMO_BANK = env.bool("PAYMENTS_DEMO_BANK", default=True)
# "Assinar com gov.br" against the demo's own stand-in of gov.br assinatura (/demo-govbr-assinatura/,
# clearly labelled; its certificates come from a demo chain made under DATA_DIR, no legal value)
GOVBR_SIGN_DEMO_STANDIN = env.bool("GOVBR_SIGN_DEMO_STANDIN", default=True)
if GOVBR_SIGN_DEMO_STANDIN:
    # the stand-in's public demo client (paco_demo.govbr_sign.DEMO_SIGN_CLIENT_ID / _SECRET)
    GOVBR_SIGN_CLIENT_ID = "paco-demo-assinatura"
    GOVBR_SIGN_CLIENT_SECRET = "segredo-de-demonstracao-assinatura"  # noqa: S105 - public demo secret
    GOVBR_SIGN_OAUTH_URL = f"{CONTROL_PLANE_BASE_URL}/demo-govbr-assinatura/oauth2.0"  # noqa: F405
    GOVBR_SIGN_API_URL = f"{CONTROL_PLANE_BASE_URL}/demo-govbr-assinatura/externo/v2"  # noqa: F405
    GOVBR_SIGN_DEMO_DIR = str(DATA_DIR / "demo-govbr-assinatura")
    GOVBR_SIGN_ROOTS = [f"{GOVBR_SIGN_DEMO_DIR}/raiz.pem"]
