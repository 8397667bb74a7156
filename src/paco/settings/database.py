"""PostgreSQL, always: `DATABASE_URL` when given, the embedded server under `.data/pg` otherwise."""

from paco.embedded import embedded_database_settings

from .env import CHECKOUT_ID, env

if env.str("DATABASE_URL", default=""):
    _database = env.db_url("DATABASE_URL")
else:
    _database = embedded_database_settings()

# django-tenants' backend, whose set_tenant also moves the thread to the city's cluster (paco.clusters)
_database["ENGINE"] = "paco.postgresql_backend"
_database["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
_database["CONN_HEALTH_CHECKS"] = True
# One test database per checkout, so two clones testing against one server never collide.
_database["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default=f"test_paco_{CHECKOUT_ID}")}

DATABASES = {"default": _database}
DATABASE_ROUTERS = ("paco.clusters.ClusterRouter", "django_tenants.routers.TenantSyncRouter")


def tenant_databases(value: str) -> dict[str, str]:
    """`alias=postgres://...;alias2=postgres://...` -> {alias: url} (issue 19: cities on clusters)."""
    found: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in value.split(";"))):
        alias, separator, url = part.partition("=")
        alias = alias.strip()
        if (
            not separator
            or not alias.isidentifier()
            or alias in ("default", "controlplane")
            or not url.strip()
        ):
            raise ValueError(f"TENANT_DATABASES: expected alias=postgres://..., got {part!r}")
        found[alias] = url.strip()
    return found


# The other PostgreSQL clusters cities live on (the directory, Municipality.database, names the alias
# of each city; the control plane and the cities without one stay on `default`). Unset: one cluster.
TENANT_DATABASES = tenant_databases(env.str("TENANT_DATABASES", default=""))
for _alias, _url in TENANT_DATABASES.items():
    _cluster = env.db_url_config(_url)
    _cluster.update(
        ENGINE=_database["ENGINE"],
        CONN_MAX_AGE=_database["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=True,
        TEST={"NAME": f"{_database['TEST']['NAME']}_{_alias}"},
    )
    DATABASES[_alias] = _cluster
# Where new cities go: the cluster with the fewest cities per unit of weight (`alias=weight;...`,
# default 1 each, `default` included; weight 0 closes a cluster to new cities).
TENANT_DATABASE_WEIGHTS = {
    alias.strip(): float(weight)
    for alias, _sep, weight in (
        part.partition("=")
        for part in env.str("TENANT_DATABASE_WEIGHTS", default="").split(";")
        if part.strip()
    )
}
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
