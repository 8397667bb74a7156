"""Permits (tenant_apps.permits)."""

from .env import env

# Days before a permit's expiry when its holder is reminded to renew (once per permit).
PERMITS_RENEWAL_REMINDER_DAYS = env.int("PERMITS_RENEWAL_REMINDER_DAYS", default=30)
# Local times of the daily jobs: tacit approvals (Lei 13.874/2019, art. 3º, IX) and renewal reminders.
PERMITS_TACIT_APPROVAL_AT = env.str("PERMITS_TACIT_APPROVAL_AT", default="00:30")
PERMITS_RENEWAL_REMINDER_AT = env.str("PERMITS_RENEWAL_REMINDER_AT", default="08:00")
# Minutes a request may stay in pre-analysis before the sweep (every so many minutes; a divisor of 60)
# queues its pre-analysis job again: the job was lost (broker down at the commit, retries spent).
PERMITS_PREANALYSIS_STALLED_MINUTES = env.int("PERMITS_PREANALYSIS_STALLED_MINUTES", default=10)
# The demo's permit requests (tenant_apps/permits/demo_requests.py) when `make demo` seeds the cities;
# off in the test session, whose tests make and count their own requests.
PERMITS_DEMO_REQUESTS = env.bool("PERMITS_DEMO_REQUESTS", default=True)
