"""django-tenants: one PostgreSQL schema per municipality, the control plane in `public`.

Apps listed in both lists (auth, sessions, accounts, otp) get tables in every schema: a tenant's
own table shadows the public one, so a city's users and sessions never leave its schema and
vendor-support users (public) cannot log into a city.
"""

from .env import env

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "tenant_apps.accounts",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_dramatiq",
    "paco",
    "shared_apps.controlplane",
    "shared_apps.billing",
    "shared_apps.onboarding",
    "shared_apps.metering",
    "shared_apps.support",
    "shared_apps.offboarding",
    # the demo cities and every module's demo data (`make demo`, the test session); no tables
    "paco_demo",
]

TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "tenant_apps.accounts",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "tenant_apps.org",
    "tenant_apps.govbr",
    "tenant_apps.workdays",
    "tenant_apps.payments",
    "tenant_apps.catalog",
    "tenant_apps.documents",
    "tenant_apps.notifications",
    "tenant_apps.cases",
    "tenant_apps.comms",
    "tenant_apps.portal",
    "tenant_apps.open311",
    "tenant_apps.ombudsman",
    "tenant_apps.scheduling",
    "tenant_apps.signatures",
    "tenant_apps.doctemplates",
    "tenant_apps.health",
    "tenant_apps.insights",
    "tenant_apps.privacy",
    "tenant_apps.permits",
    # API tokens live in each city's schema: an Aracaju token means nothing on Gravataí's host.
    "rest_framework.authtoken",
]

INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Municipality"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "paco.urls_public"
ROOT_URLCONF = "paco.urls_tenant"

# New tenants are cloned from a migrated template schema and their migrations faked.
TENANT_CREATION_FAKES_MIGRATIONS = True
TENANT_BASE_SCHEMA = "paco_template"
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("TENANT_MIGRATION_PROCESSES", default=2)
# Ready, migrated, empty schemas kept for signups (tenants.schema_pool): topped up by a periodic
# job every TENANT_SCHEMA_POOL_MINUTES and by the release; a signup renames one (flat cost).
TENANT_SCHEMA_POOL_SIZE = env.int("TENANT_SCHEMA_POOL_SIZE", default=10)
TENANT_SCHEMA_POOL_MINUTES = env.int("TENANT_SCHEMA_POOL_MINUTES", default=5)

# Hosts that serve the control plane (public schema) rather than a municipality.
CONTROL_PLANE_HOSTS = env.list("CONTROL_PLANE_HOSTS", default=["localhost", "127.0.0.1", "testserver"])
# The parent domain under which each municipality gets `<slug>.<TENANT_DOMAIN_SUFFIX>`.
TENANT_DOMAIN_SUFFIX = env.str("TENANT_DOMAIN_SUFFIX", default="localhost")
# Seconds a resolved host -> tenant lookup stays cached (invalidated explicitly on change).
TENANT_DOMAIN_CACHE_SECONDS = env.int("TENANT_DOMAIN_CACHE_SECONDS", default=300)

# Seeding steps run inside a new tenant's schema by `tenants.services.municipality_provision`,
# named here so the tenants app never imports tenant apps.
TENANT_PROVISIONING_STEPS = [
    ("org_chart", "tenant_apps.org.provisioning.org_chart_seed"),
    ("admin", "tenant_apps.accounts.provisioning.municipal_admin_seed"),
    ("admin_invite", "tenant_apps.accounts.provisioning.municipal_admin_invite"),
    ("signatures_ca", "tenant_apps.signatures.provisioning.authority_seed"),
]

# Vendor support re-sends a self-onboarded city's pending admin invitation through this function
# (run inside the city's schema; returns whether an e-mail went out).
SUPPORT_INVITE_RESEND = "tenant_apps.accounts.services.admin_invitation_resend"

# How links in e-mails and SMS reach a municipality: <scheme>://<primary domain>[:<port>].
PUBLIC_URL_SCHEME = env.str("PUBLIC_URL_SCHEME", default="http")
PUBLIC_URL_PORT = env.str("PUBLIC_URL_PORT", default=env.str("PORT", default="8000"))

# Issue `SET search_path` once per connection and schema, not before every query (django-tenants
# re-issues it after a tenant switch or a rollback). Halves the statements of a request.
TENANT_LIMIT_SET_CALLS = True

# Pages anonymous visitors see, cached whole per city, language and host (paco.anonymous_cache);
# a save or delete of these models (an app label: all its models) replaces the city's version.
ANONYMOUS_CACHE_PATHS = {"/", "/servicos/", "/verificar/"}
ANONYMOUS_CACHE_MODELS = ["catalog", "org", "tenants.Municipality", "tenants.Domain"]
ANONYMOUS_CACHE_SECONDS = env.int("ANONYMOUS_CACHE_SECONDS", default=300)

# The connection pooler in front of PostgreSQL: none, session (PgBouncer pool_mode = session).
# `transaction` is refused by a system check (tenants.checks): search_path is per connection.
DATABASE_POOL_MODE = env.str("DATABASE_POOL_MODE", default="none")

# A city's own domain (issue 18, tenants.services.custom_domain_*): the admin adds it, proves control
# with a DNS TXT record `_paco-verificacao.<domain>` = `paco-verificacao=<token>`, and it becomes the
# city's primary host. Only names ending in CUSTOM_DOMAIN_REQUIRED_SUFFIX are accepted (gov.br issues
# production credentials only to systems on an official government domain; empty: any domain).
CUSTOM_DOMAIN_REQUIRED_SUFFIX = env.str("CUSTOM_DOMAIN_REQUIRED_SUFFIX", default=".gov.br")
# The resolvers asked for the TXT record (empty: the system's), their port and the time allowed.
CUSTOM_DOMAIN_DNS_SERVERS = env.list("CUSTOM_DOMAIN_DNS_SERVERS", default=[])
CUSTOM_DOMAIN_DNS_PORT = env.int("CUSTOM_DOMAIN_DNS_PORT", default=53)
CUSTOM_DOMAIN_DNS_TIMEOUT_SECONDS = env.float("CUSTOM_DOMAIN_DNS_TIMEOUT_SECONDS", default=5.0)
# How often pending domains are checked again by the periodic job, and for how many days after
# being added (later, only "Verificar agora" checks them).
CUSTOM_DOMAIN_CHECK_MINUTES = env.int("CUSTOM_DOMAIN_CHECK_MINUTES", default=10)
CUSTOM_DOMAIN_PENDING_DAYS = env.int("CUSTOM_DOMAIN_PENDING_DAYS", default=14)
# Called in the city's schema when one of its domains passes the DNS check: the e-mail to its admins
# (a tenant app; `tenants` names it here instead of importing it, docs/architecture.md).
CUSTOM_DOMAIN_VERIFIED_NOTIFY = "tenant_apps.notifications.services.custom_domain_verified_notify"
# Before a verified domain becomes the primary host, Paço asks it for /healthz and expects its own
# answer for that city (DNS, ingress and certificate in place). CONNECT_TO ("host:port") sends the
# probe to another address with the domain's Host and TLS name (e.g. the ingress Service).
CUSTOM_DOMAIN_PROBE_SCHEME = env.str("CUSTOM_DOMAIN_PROBE_SCHEME", default="https")
CUSTOM_DOMAIN_PROBE_CONNECT_TO = env.str("CUSTOM_DOMAIN_PROBE_CONNECT_TO", default="")
