"""comms migration 0002: the old memo simple-signature rows become signatures of
`tenant_apps.signatures` (moved, not copied) and /verificar/ shows them as valid simple signatures."""

from __future__ import annotations

import datetime as dt
import importlib

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from tenant_apps.documents.services import document_create
from tenant_apps.signatures import pades
from tenant_apps.signatures.models import Signature
from tenant_apps.signatures.selectors import signatures_verified, signed_pdf_read, trust_roots
from tenant_apps.signatures.services import signature_sign

from .conftest import Org, person

MIGRATION = importlib.import_module("tenant_apps.comms.migrations.0002_memo_signatures_to_signatures")


def test_old_memo_signatures_move_into_the_signatures_module(org: Org) -> None:
    loader = MigrationLoader(connection)
    state = loader.project_state(
        [("comms", "0001_initial"), ("signatures", "0002_signature_recorded_without_pdf")], at_end=True
    )
    old_apps = state.apps
    OldMemoSignature = old_apps.get_model("comms", "MemoSignature")
    OldMemo = old_apps.get_model("comms", "Memo")
    # the test database is at the newest migration: the old table is made again, in this transaction
    with connection.schema_editor(atomic=False) as editor:
        editor.create_model(OldMemoSignature)
    document = document_create(
        kind="MEMO",
        unit=org.root,
        title="Antigo",
        body="Para: T-FILHA\n\nTexto antigo.",
        author=org.root_staff,
    )
    version = document.versions.get()
    memo = OldMemo.objects.create(
        document_id=document.pk,
        kind="original",
        sender_unit_id=org.root.pk,
        author_id=org.root_staff.pk,
        subject="Antigo",
        body="Texto antigo.",
    )
    signed_at = timezone.now() - dt.timedelta(days=400)
    OldMemoSignature.objects.create(
        memo_id=memo.pk,
        document_version_id=version.pk,
        signer_id=org.root_staff.pk,
        signer_name="Rui Raiz",
        signed_at=signed_at,
        body_sha256=version.body_sha256,
        level="simples",
    )

    MIGRATION.forward(old_apps, None)

    assert not OldMemoSignature.objects.exists()
    signature = Signature.objects.get(document=document)
    assert (signature.signer_id, signature.signed_at, signature.level) == (
        org.root_staff.pk,
        signed_at,
        "simples",
    )
    assert signature.body_sha256 == version.body_sha256
    assert signature.sequence == 1
    assert not signature.is_embedded
    assert not signature.is_certification
    verified, intact = signatures_verified(document=document)
    assert intact
    assert [row.is_valid for row in verified] == [True]

    # when the version's PDF is next generated with a signature, the old one is embedded first (it
    # certifies the PDF, with its signer and the time it was recorded), the later one approves
    colleague = person("colega-migracao@example.test", "Colega", org.root)
    later = signature_sign(document=document, signer=colleague, level="simples")
    signature.refresh_from_db()
    assert (signature.is_embedded, signature.is_certification, signature.signed_at) == (True, True, signed_at)
    assert (later.sequence, later.is_embedded, later.is_certification) == (2, True, False)
    reports = pades.pdf_validate(pdf=signed_pdf_read(signature=later) or b"", trust_roots=trust_roots())
    assert [(report.ok, report.is_certification) for report in reports] == [(True, True), (True, False)]
    verified, intact = signatures_verified(document=document)
    assert intact
    assert [row.is_valid for row in verified] == [True, True]
