"""Isolation-harness entries of one module (merged by tests/isolation/test_isolation.py).

TENANT_MATRIX / PUBLIC_MATRIX: route name -> method -> role -> status, as in test_isolation.py.
PARAMETER_FACTORIES: route parameter -> (municipality B) -> value, for the city's routes.
PUBLIC_PARAMETER_FACTORIES: route parameter -> (municipality) -> value, for the control plane's
routes (the municipality is Aracaju for the matrix, Gravataí for the cross-tenant checks).
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.conftest import ROLES

OK, REDIRECT, BAD, NOT_FOUND, NOT_ALLOWED = 200, 302, 400, 404, 405
SAMPLE_EXPORT_BYTES = b"PK\x05\x06" + b"\x00" * 18  # an empty zip


def export_sample(municipality) -> object:
    """A ready export of `municipality` whose stored file is a tiny zip (no real dump: fast)."""
    import hashlib

    from shared_apps.offboarding.enums import ExportStatus
    from shared_apps.offboarding.models import ExportArchive

    name = f"offboarding/exports/{municipality.slug}/isolation-sample.zip"
    with schema_context("public"):
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(SAMPLE_EXPORT_BYTES))
        return ExportArchive.objects.create(
            municipality=municipality,
            municipality_slug=municipality.slug,
            municipality_name=municipality.name,
            status=ExportStatus.READY,
            file_name=name,
            sha256=hashlib.sha256(SAMPLE_EXPORT_BYTES).hexdigest(),
            size=len(SAMPLE_EXPORT_BYTES),
            requested_by="amostra@isolamento",
            requested_by_support=True,  # consented by the city: support may download it
            finished_at=timezone.now(),
        )


def export_id_of(municipality) -> int:
    return export_sample(municipality).pk  # type: ignore[attr-defined]


_admin_nobody = {
    "anonymous": REDIRECT,
    "citizen": REDIRECT,
    "staff": NOT_FOUND,
    "manager": NOT_FOUND,
    "support": REDIRECT,
}
_nobody_may = dict.fromkeys(ROLES, NOT_ALLOWED)

# City host: the admin's page and download (GET), the export (an empty POST is a valid request:
# 302), the offboarding request (empty form: 400) and its cancellation (nothing pending: 400).
TENANT_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "offboarding_tenant:page": {"GET": {**_admin_nobody, "admin": OK}, "POST": _nobody_may},
    "offboarding_tenant:download": {"GET": {**_admin_nobody, "admin": OK}, "POST": _nobody_may},
    "offboarding_tenant:export": {"GET": _nobody_may, "POST": {**_admin_nobody, "admin": REDIRECT}},
    "offboarding_tenant:request": {"GET": _nobody_may, "POST": {**_admin_nobody, "admin": BAD}},
    # the sample export is ready, not awaiting a decision: 400
    "offboarding_tenant:approve": {"GET": _nobody_may, "POST": {**_admin_nobody, "admin": BAD}},
    "offboarding_tenant:deny": {"GET": _nobody_may, "POST": {**_admin_nobody, "admin": BAD}},
    "offboarding_tenant:cancel": {"GET": _nobody_may, "POST": {**_admin_nobody, "admin": BAD}},
}
_support_only = {**dict.fromkeys(ROLES, REDIRECT), "support": OK}
PUBLIC_MATRIX: dict[str, dict[str, dict[str, int]]] = {
    "offboarding:list": {"GET": _support_only, "POST": _nobody_may},
    "offboarding:download": {"GET": _support_only, "POST": _nobody_may},
    # an empty form names no city: 400
    "offboarding:export": {"GET": _nobody_may, "POST": {**dict.fromkeys(ROLES, REDIRECT), "support": BAD}},
}
PARAMETER_FACTORIES: dict[str, object] = {"export_id": export_id_of}
PUBLIC_PARAMETER_FACTORIES: dict[str, object] = {"export_id": export_id_of}
