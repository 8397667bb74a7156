"""Metering: billable usage recorded per municipality, aggregated per day and reported to Stripe
Billing meters (see docs/configuration.md for the variables)."""

from .env import env

# Where paco.usage sends what tenant apps record (dotted paths: tenant apps never import shared_apps).
METERING_RECORDER = "shared_apps.metering.services.usage_event_record"
METERING_GAUGE_RECORDER = "shared_apps.metering.services.usage_gauge_set"
# What the city's subscription page shows of the current period (paco.usage.usage_period_summary)
METERING_PERIOD_SUMMARY = "shared_apps.metering.selectors.usage_current_period"

# Stripe meter `event_name` per metric (each meter: customer key `stripe_customer_id`, value key
# `value`; formula "sum", except storage_gb: "last"). JSON in the environment.
STRIPE_METER_EVENT_NAMES = env.json(
    "STRIPE_METER_EVENT_NAMES",
    default={
        "cases": "paco_cases",
        "documents": "paco_documents",
        "emails": "paco_emails",
        "sms": "paco_sms",
        "video_minutes": "paco_video_minutes",
        "storage_gb": "paco_storage_gb",
    },
)
# Stripe accepts meter events up to 35 days old: older days are no longer reported.
METERING_REPORT_WINDOW_DAYS = env.int("METERING_REPORT_WINDOW_DAYS", default=35)

# Unit prices of the metered items, in centavos, keyed "<plan>:<item>", for display (the admin's
# projected bill); they should match the Stripe prices of STRIPE_PRICE_IDS. JSON in the environment.
_DEFAULT_UNIT_PRICES = {
    "cases": 50,
    "documents": 10,
    "emails": 1,
    "sms": 12,
    "video_minutes": 15,
    "storage_gb": 150,
}
BILLING_METERED_PRICES_CENTS = env.json(
    "BILLING_METERED_PRICES_CENTS",
    default={
        f"{plan}:{item}": cents
        for plan in ("pequeno", "medio", "grande", "metropole")
        for item, cents in _DEFAULT_UNIT_PRICES.items()
    },
)

# local time of the daily storage measurement in each city (tenant_apps/documents/jobs.py)
METERING_STORAGE_MEASURE_AT = env.str("METERING_STORAGE_MEASURE_AT", default="22:00")
