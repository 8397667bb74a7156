"""The same export, restore and deletion with the files in S3 (a local moto server)."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import tenant_context

from shared_apps.offboarding.services import export_open, municipality_delete, tenant_export, tenant_restore
from tests.paco.test_storage import BUCKET, REGION, _bucket_keys


def test_export_restore_and_delete_with_s3_storage(
    settings: Any, s3_endpoint, aracaju, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "paco.storage.TenantS3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": REGION,
            },
        },
    }
    with tenant_context(aracaju):
        default_storage.save("anexos/2026/planta.pdf", ContentFile(b"%PDF-1.4 planta"))
        default_storage.save("brasao.svg", ContentFile(b"<svg/>"))

    export = tenant_export(municipality=aracaju, requested_by="suporte")
    with export_open(export=export) as stream:
        data = stream.read()
    restored = tenant_restore(archive_file=io.BytesIO(data), slug="estancia", ibge_code="2802106")

    assert hashlib.sha256(data).hexdigest() == export.sha256
    assert export.file_name.startswith("offboarding/exports/aracaju/")
    keys = _bucket_keys(s3_endpoint)
    assert "estancia/anexos/2026/planta.pdf" in keys
    assert f"public/{export.file_name}" in keys
    with tenant_context(restored), default_storage.open("anexos/2026/planta.pdf", "rb") as stored:
        assert stored.read() == b"%PDF-1.4 planta"

    with django_capture_on_commit_callbacks(execute=True):
        municipality_delete(municipality=restored, requested_by="suporte", force=True)

    assert [key for key in _bucket_keys(s3_endpoint) if key.startswith("estancia/")] == []
    assert "aracaju/anexos/2026/planta.pdf" in _bucket_keys(s3_endpoint)
