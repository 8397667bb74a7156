"""`make demo`: production's code path on one machine (DEBUG off: the product's error pages).

`DEBUG=1 make demo` turns Django's debug pages back on for developers.
"""

from .base import *  # noqa: F403
from .env import env

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
