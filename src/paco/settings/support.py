"""Support: vendor support's console, actions on a city and read-only support sessions inside it."""

from . import billing as _billing
from . import offboarding as _offboarding
from .env import env

# base.py imports this module after billing and offboarding: extend the list they left
_READ_ONLY_ALLOWED_BEFORE = getattr(
    _offboarding, "READ_ONLY_ALLOWED_URL_NAMES", _billing.READ_ONLY_ALLOWED_URL_NAMES
)

# Seconds the one-time link from the control plane into a city stays valid.
SUPPORT_HANDOFF_SECONDS = env.int("SUPPORT_HANDOFF_SECONDS", default=60)
# Minutes a support session may last (asked by support within these bounds; default 30).
SUPPORT_SESSION_MINUTES_DEFAULT = 30
SUPPORT_SESSION_MINUTES_MIN = 5
SUPPORT_SESSION_MINUTES_MAX = 120
# Days support may extend a city's free trial at once.
SUPPORT_TRIAL_EXTEND_MAX_DAYS = 60
# A city's last activity is written at most once every this many seconds.
SUPPORT_ACTIVITY_THROTTLE_SECONDS = env.int("SUPPORT_ACTIVITY_THROTTLE_SECONDS", default=300)
# The e-mails of the current city's municipal admins (called inside the city's schema), named here
# because shared_apps never import tenant_apps.
SUPPORT_ADMIN_EMAILS = "tenant_apps.org.selectors.municipal_admin_emails"

# A read-only or suspended city still lets support leave its session and the admins decide on
# support access (ending a session is never blocked).
READ_ONLY_ALLOWED_URL_NAMES = [
    *_READ_ONLY_ALLOWED_BEFORE,
    "support_tenant:end",
    "support_tenant:admin_policy",
    "support_tenant:admin_approve",
    "support_tenant:admin_deny",
    "support_tenant:admin_end",
]
