"""Tenant-aware file storage: every name is stored under the current schema's folder or prefix.

The schema is read at each call, so one storage instance serves every tenant and a file written
while serving Aracaju can only be read back while serving Aracaju.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage

from paco.schemas import current_schema_name


def storage_prefix() -> str:
    """The current schema's name, refused when it could escape its folder."""
    schema_name = current_schema_name()
    if not schema_name or "/" in schema_name or schema_name.startswith("."):
        raise ValueError("no valid schema selected for file storage")
    return str(schema_name)


class TenantFileSystemStorage(FileSystemStorage):
    """`MEDIA_ROOT/<schema>/...` on disk."""

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return os.path.join(str(settings.MEDIA_ROOT), storage_prefix())

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property  # type: ignore[override]
    def base_url(self) -> str:
        return f"{settings.MEDIA_URL}{storage_prefix()}/"


class TenantS3Storage(S3Storage):
    """`s3://<bucket>/<schema>/...` with SigV4 and private objects."""

    @property  # type: ignore[override]
    def location(self) -> str:
        return storage_prefix()

    @location.setter
    def location(self, value: str) -> None:
        # S3Storage assigns its configured location at init; the schema always wins.
        pass
