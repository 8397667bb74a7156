"""Billing: Stripe (subscriptions, Checkout, Customer Portal, webhooks) and the plans by population tier."""

from .env import env

# Secret API key (sk_...). Empty: the subscription pages explain that payments are not configured.
STRIPE_API_KEY = env.str("STRIPE_API_KEY", default="")
# Signing secret of the webhook endpoint /billing/webhooks/stripe/ (whsec_...).
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Where the Stripe library sends its requests; tests point it at a local HTTP server.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
# Seconds a webhook signature's timestamp may lag (replay protection, Stripe's default).
STRIPE_WEBHOOK_TOLERANCE_SECONDS = env.int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", default=300)

# Days of free trial for a new municipality, and of tolerance after a failed payment before the
# city becomes read-only (Stripe's own retries usually end earlier, with the subscription `unpaid`).
BILLING_TRIAL_DAYS = env.int("BILLING_TRIAL_DAYS", default=30)
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=15)
# Days a boleto invoice (collection by invoice) stays payable.
BILLING_INVOICE_DAYS_UNTIL_DUE = env.int("BILLING_INVOICE_DAYS_UNTIL_DUE", default=10)

# Metered components of every plan (usage reported by metering to Stripe Billing meters).
BILLING_METERED_ITEMS = ["cases", "documents", "storage_gb", "sms", "emails", "video_minutes"]

# Plans by population tier (IBGE population), smallest first; a city gets the first tier whose
# `max_population` is at least its population (None: no ceiling). Fees in centavos, for display;
# Stripe bills the prices whose ids are in STRIPE_PRICE_IDS.
BILLING_PLANS = [
    {"code": "pequeno", "name": "Pequeno porte", "max_population": 20_000, "monthly_fee_cents": 190_000},
    {"code": "medio", "name": "Médio porte", "max_population": 100_000, "monthly_fee_cents": 490_000},
    {"code": "grande", "name": "Grande porte", "max_population": 500_000, "monthly_fee_cents": 1_290_000},
    {"code": "metropole", "name": "Metrópole", "max_population": None, "monthly_fee_cents": 2_990_000},
]
# Stripe price ids, keyed "<plan>:<item>" with item "monthly" or one of BILLING_METERED_ITEMS, as
# JSON in the environment. The defaults are placeholders that only the test server knows.
STRIPE_PRICE_IDS = env.json(
    "STRIPE_PRICE_IDS",
    default={
        f"{plan}:{item}": f"price_{plan}_{item}"
        for plan in ("pequeno", "medio", "grande", "metropole")
        for item in ["monthly", "cases", "documents", "storage_gb", "sms", "emails", "video_minutes"]
    },
)

# Who is a municipal admin (paco.decorators.municipal_admin_required: the city's admin pages, the
# subscription): named here so the kernel and shared_apps never import tenant_apps.
MUNICIPAL_ADMIN_CHECK = "tenant_apps.org.selectors.user_is_municipal_admin"

# A read-only city (status read_only or suspended) refuses every POST/PUT/PATCH/DELETE except these
# routes (URL names of the city's URLconf): signing in and out, delivery webhooks, and the
# subscription pages through which the admin pays and lifts the restriction.
READ_ONLY_ALLOWED_URL_NAMES = [
    "accounts:login",
    "accounts:logout",
    "accounts:staff_login",
    "accounts:staff_token",
    "accounts:staff_enroll",
    "accounts:invitation_accept",
    "notifications:ses_webhook",
    "subscription:checkout",
    "subscription:boleto",
    "subscription:portal",
]

# local times of the daily grace-period check and billing letters (shared_apps/billing/jobs.py)
BILLING_GRACE_CHECK_AT = env.str("BILLING_GRACE_CHECK_AT", default="06:00")
BILLING_REMINDERS_AT = env.str("BILLING_REMINDERS_AT", default="09:00")
# Days after a failed payment on which a past-due city gets a reminder (the first letter goes with
# the failure), and days before the end of a trial without a subscription on which the admin is told.
BILLING_DUNNING_DAYS = env.list("BILLING_DUNNING_DAYS", cast=int, default=[3, 7, 12])
BILLING_TRIAL_NOTICE_DAYS = env.list("BILLING_TRIAL_NOTICE_DAYS", cast=int, default=[7, 1])
