"""Fixtures borrowed from other test packages (a real worker process, a media folder per test)."""

from tests.documents.conftest import media_root  # noqa: F401
from tests.jobs.test_tenant_jobs import redis_worker, worker_namespace  # noqa: F401
