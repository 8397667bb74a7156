"""Bench-only settings: the test settings plus the throwaway tenant app the migrate500 bench writes.

`tests/bench/run.py` selects this module (DJANGO_SETTINGS_MODULE) when the migrate500 section runs,
because INSTALLED_APPS is fixed once `django.setup()` has run. The app's package lives in a
temporary directory named by BENCH_MIGRATION_APP_DIR (the bench creates it and sets the variable,
for itself and for the `manage.py migrate_schemas` subprocesses it times); the directory is put on
sys.path here. The app is a tenant app only: one small table in every municipality's schema.
"""

import os
import sys

from django.core.exceptions import ImproperlyConfigured

from paco.settings.test import *  # noqa: F403

BENCH_MIGRATION_APP = "bench_migration"

_app_dir = os.environ.get("BENCH_MIGRATION_APP_DIR", "")
if not _app_dir or not os.path.isdir(os.path.join(_app_dir, BENCH_MIGRATION_APP)):
    raise ImproperlyConfigured(
        "BENCH_MIGRATION_APP_DIR must name the directory holding the bench's throwaway app"
        " (tests/bench/run.py writes it when the migrate500 section runs)."
    )
if _app_dir not in sys.path:
    sys.path.insert(0, _app_dir)

TENANT_APPS = [*TENANT_APPS, BENCH_MIGRATION_APP]  # noqa: F405
INSTALLED_APPS = [*INSTALLED_APPS, BENCH_MIGRATION_APP]  # noqa: F405
