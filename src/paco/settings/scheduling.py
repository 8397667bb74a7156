"""Scheduling (tenant_apps.scheduling) and the video rooms (Jitsi Meet, token authentication)."""

from .env import env

# Jitsi Meet: the city's or the vendor's own server. Unset JITSI_DOMAIN: room pages say that video
# is not configured (everything else works). The app id and secret are the ones of the server's
# token authentication (prosody `app_id`/`app_secret`, HS256).
JITSI_DOMAIN = env.str("JITSI_DOMAIN", default="")
JITSI_APP_ID = env.str("JITSI_APP_ID", default="")
JITSI_APP_SECRET = env.str("JITSI_APP_SECRET", default="")
# the token's `aud` and `sub` (the Jitsi tenant; `*`-less, one server per deployment by default)
JITSI_AUDIENCE = env.str("JITSI_AUDIENCE", default="jitsi")
JITSI_TENANT = env.str("JITSI_TENANT", default="") or JITSI_DOMAIN
# `https` in production; the browser test serves a stand-in IFrame API script over http
JITSI_SCHEME = env.str("JITSI_SCHEME", default="https")
# how long before the slot the room opens (the token's nbf)
JITSI_OPENS_MINUTES_BEFORE = env.int("JITSI_OPENS_MINUTES_BEFORE", default=10)

# "Who may book" hooks: Agenda.booking_policy names one of these (a callable raising
# ApplicationError to refuse). The health module registers its own here.
SCHEDULING_BOOKING_POLICIES = {
    "default": "tenant_apps.scheduling.policies.default_policy",
    "saude": "tenant_apps.health.policies.health_policy",
}
# How often due reminders (24 h and 1 h before) are looked for.
SCHEDULING_REMINDER_SWEEP_MINUTES = env.int("SCHEDULING_REMINDER_SWEEP_MINUTES", default=5)
