"""Onboarding: a city signs itself up on the control plane (/cadastro/). See docs/modules/control-plane.md."""

from .env import env
from .tenancy import PUBLIC_URL_PORT, PUBLIC_URL_SCHEME

# Absolute base URL of the control plane's host, for the links in the verification e-mail.
_default_port = {"http": "80", "https": "443"}.get(PUBLIC_URL_SCHEME)
_port_suffix = f":{PUBLIC_URL_PORT}" if PUBLIC_URL_PORT and PUBLIC_URL_PORT != _default_port else ""
CONTROL_PLANE_BASE_URL = env.str(
    "CONTROL_PLANE_BASE_URL", default=f"{PUBLIC_URL_SCHEME}://localhost{_port_suffix}"
).rstrip("/")

# The admin's e-mail must end with one of these (an official address of the city hall).
ONBOARDING_EMAIL_DOMAINS = env.list("ONBOARDING_EMAIL_DOMAINS", default=[".gov.br"])
# Hours the verification link stays valid; unverified signups then expire and free the city and address.
ONBOARDING_VERIFICATION_HOURS = env.int("ONBOARDING_VERIFICATION_HOURS", default=48)
# Signups accepted per client address per hour, and verification e-mails re-sent per signup per hour.
ONBOARDING_SIGNUPS_PER_HOUR = env.int("ONBOARDING_SIGNUPS_PER_HOUR", default=5)
ONBOARDING_RESENDS_PER_HOUR = env.int("ONBOARDING_RESENDS_PER_HOUR", default=3)
# Show the verification link on the "Confira seu e-mail" page (demo environments). Unset: shown when
# DEBUG is on and e-mails are written to files (.data/mail/) or kept in memory.
ONBOARDING_SHOW_VERIFICATION_LINK = env.bool("ONBOARDING_SHOW_VERIFICATION_LINK", default=None)

# Subdomains nobody may ask for (besides the template schema's name, always refused).
ONBOARDING_RESERVED_SLUGS = env.list(
    "ONBOARDING_RESERVED_SLUGS",
    default=[
        "www", "api", "admin", "app", "suporte", "support", "cadastro", "billing", "static", "media",
        "mail", "smtp", "status", "paco", "localhost", "template", "public", "demo", "teste",
    ],
)  # fmt: skip

# local time of the daily expiry of unconfirmed signups (shared_apps/onboarding/jobs.py)
ONBOARDING_EXPIRE_AT = env.str("ONBOARDING_EXPIRE_AT", default="03:30")
# A confirmed signup whose provisioning job never started (the web process died between the commit
# and the enqueue) is queued again by a sweep this often, once it has waited this long.
ONBOARDING_STALLED_SWEEP_MINUTES = env.int("ONBOARDING_STALLED_SWEEP_MINUTES", default=5)
