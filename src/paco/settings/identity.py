"""gov.br Login Único (tenant_apps.govbr) and secrets at rest (issue 18)."""

from .env import env

# The deployment's issuer, used by every city that does not set its own (gov.br production:
# https://sso.acesso.gov.br; staging: https://sso.staging.acesso.gov.br). Each city registers its
# own client with gov.br: client id and secret are per city (encrypted at rest).
GOVBR_ISSUER = env.str("GOVBR_ISSUER", default="https://sso.staging.acesso.gov.br")
# The reliability-levels API's base URL when it cannot be derived from the issuer.
GOVBR_RELIABILITY_API = env.str("GOVBR_RELIABILITY_API", default="")
# Serve the demo stand-in provider under /demo-govbr/ (never in production).
GOVBR_DEMO_PROVIDER = env.bool("GOVBR_DEMO_PROVIDER", default=False)
# Fernet keys (newest first) for secrets at rest; unset: derived from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# The privacy module's consents, read by the notifications module before it queues a message.
NOTIFICATION_CONSENT_REFUSALS = "tenant_apps.privacy.selectors.consent_refusals"
