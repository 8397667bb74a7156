"""Offboarding: a city's export (zip of its schema and files) and its deletion after a grace period."""

from .billing import READ_ONLY_ALLOWED_URL_NAMES as _BILLING_READ_ONLY_ALLOWED
from .env import env

# Days between a city's offboarding request and the deletion of its schema and files.
OFFBOARDING_GRACE_DAYS = env.int("OFFBOARDING_GRACE_DAYS", default=30)
# Folder (in the control plane's storage, public schema) holding the export archives.
OFFBOARDING_EXPORT_PREFIX = env.str("OFFBOARDING_EXPORT_PREFIX", default="offboarding/exports")

# A cancelled (read-only) city can still export its data, request and cancel its offboarding.
READ_ONLY_ALLOWED_URL_NAMES = [
    *_BILLING_READ_ONLY_ALLOWED,
    "offboarding_tenant:export",
    "offboarding_tenant:request",
    "offboarding_tenant:cancel",
]

# local time of the daily deletion of the cities whose grace period ended (shared_apps/offboarding/jobs.py)
OFFBOARDING_DELETION_AT = env.str("OFFBOARDING_DELETION_AT", default="03:00")
