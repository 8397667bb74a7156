"""PostgreSQL, always: `DATABASE_URL` when given, the embedded server under `.data/pg` otherwise."""

from paco.embedded import embedded_database_settings

from .env import CHECKOUT_ID, env

if env.str("DATABASE_URL", default=""):
    _database = env.db_url("DATABASE_URL")
else:
    _database = embedded_database_settings()

_database["ENGINE"] = "django_tenants.postgresql_backend"
_database["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
_database["CONN_HEALTH_CHECKS"] = True
# One test database per checkout, so two clones testing against one server never collide.
_database["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default=f"test_paco_{CHECKOUT_ID}")}

DATABASES = {"default": _database}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The deployment's shape, for the connection arithmetic of `check --deploy` (paco.checks): every
# process that holds a connection at once must fit in PostgreSQL's max_connections. Defaults follow
# the Procfile (gunicorn sync workers: one thread each; dramatiq threads plus its scheduler thread).
DEPLOY_CONNECTIONS = {
    "max_connections": env.int("DATABASE_MAX_CONNECTIONS", default=100),
    "reserved": env.int("DATABASE_RESERVED_CONNECTIONS", default=10),  # release, shell, backups, superuser
    "web_instances": env.int("WEB_INSTANCES", default=1),
    "web_workers": env.int("WEB_CONCURRENCY", default=3),
    "web_threads": env.int("WEB_THREADS", default=1),
    "worker_instances": env.int("WORKER_INSTANCES", default=1),
    "worker_processes": env.int("WORKER_PROCESSES", default=2),
    "worker_threads": env.int("WORKER_THREADS", default=4),
}
