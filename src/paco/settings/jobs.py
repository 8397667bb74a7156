"""dramatiq: Redis broker when `REDIS_URL` is set, an in-process broker and worker otherwise."""

from .env import env

REDIS_URL = env.str("REDIS_URL", default="")

_middleware = [
    "dramatiq.middleware.AgeLimit",
    "dramatiq.middleware.TimeLimit",
    "dramatiq.middleware.Callbacks",
    "dramatiq.middleware.Retries",
    "django_dramatiq.middleware.DbConnectionsMiddleware",
    "paco.jobs.TenantMiddleware",
    "paco.scheduler.SchedulerMiddleware",
    # a job that fails in a city counts in the support console's error tally
    "shared_apps.support.job_errors.ErrorTallyMiddleware",
]

if REDIS_URL:
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.redis.RedisBroker",
        "OPTIONS": {"url": REDIS_URL, "namespace": env.str("DRAMATIQ_NAMESPACE", default="paco")},
        "MIDDLEWARE": _middleware,
    }
else:
    DRAMATIQ_BROKER = {"BROKER": "dramatiq.brokers.stub.StubBroker", "OPTIONS": {}, "MIDDLEWARE": _middleware}

# Modules django_dramatiq imports in the worker besides every app's `tasks.py` (none).
DRAMATIQ_IMPORT_MODULES: list[str] = []
# With the stub broker, start a worker thread inside the web process on the first enqueue.
JOBS_IN_PROCESS_WORKER = env.bool("JOBS_IN_PROCESS_WORKER", default=not REDIS_URL)

# Periodic jobs, ticked by every worker process and run once per period (paco.scheduler); each app
# declares its own in `<app>/jobs.py`. Tenant jobs run in the schemas this function names.
SCHEDULER_ENABLED = env.bool("SCHEDULER_ENABLED", default=True)
SCHEDULER_TICK_SECONDS = env.int("SCHEDULER_TICK_SECONDS", default=30)
SCHEDULER_TENANT_SCHEMAS = "tenants.selectors.municipality_schema_names_for_jobs"
# local times (America/Sao_Paulo) of the daily jobs of notifications and ombudsman
STAFF_DIGEST_AT = env.str("STAFF_DIGEST_AT", default="18:00")
OMBUDSMAN_ESCALATE_AT = env.str("OMBUDSMAN_ESCALATE_AT", default="07:00")
