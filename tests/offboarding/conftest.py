from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django_tenants.utils import schema_context

from shared_apps.offboarding.archive import storage_delete_all
from shared_apps.offboarding.models import ExportArchive
from tests.paco.test_storage import s3_endpoint  # noqa: F401  (a local moto S3 server)


@pytest.fixture
def stored_files_cleanup(db: object) -> Iterator[list[str]]:
    """Files outlive the rolled-back test transaction: remove the exports and restored cities' files.

    A test appends the schema names whose storage it filled (restored or temporary cities).
    """
    schemas: list[str] = []
    before = set(ExportArchive.objects.values_list("file_name", flat=True))
    created: list[str] = []

    def remember() -> None:
        created.extend(
            name
            for name in ExportArchive.objects.exclude(file_name="").values_list("file_name", flat=True)
            if name not in before and "isolation-sample" not in name
        )

    yield schemas
    remember()
    with schema_context("public"):
        for name in created:
            if default_storage.exists(name):
                default_storage.delete(name)
            if isinstance(default_storage, FileSystemStorage):
                with contextlib.suppress(OSError):  # the city's exports folder, when now empty
                    os.rmdir(os.path.dirname(default_storage.path(name)))
    for schema_name in schemas:
        storage_delete_all(schema_name)
