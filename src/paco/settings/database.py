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
