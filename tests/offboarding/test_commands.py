"""tenant_export, tenant_restore and tenant_delete from the command line."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_exists

from shared_apps.offboarding.archive import table_row_counts
from shared_apps.offboarding.export_policy import EXPORTED_TABLES
from shared_apps.offboarding.models import ExportArchive, OffboardedMunicipality
from tenants.models import Municipality


def test_export_restore_and_delete_commands(
    aracaju, tmp_path, stored_files_cleanup, django_capture_on_commit_callbacks
):
    stored_files_cleanup.append("sao_cristovao")
    output = tmp_path / "aracaju.zip"
    printed = io.StringIO()

    call_command("tenant_export", schema="aracaju", output=str(output), stdout=printed)
    export = ExportArchive.objects.get(municipality=aracaju)
    assert hashlib.sha256(output.read_bytes()).hexdigest() == export.sha256
    assert f"sha256 {export.sha256}" in printed.getvalue()

    call_command(
        "tenant_restore", archive=str(output), slug="sao-cristovao", ibge_code="2806701", stdout=printed
    )
    restored = Municipality.objects.get(slug="sao-cristovao")
    assert restored.schema_name == "sao_cristovao"
    # every exported table whole; credentials never travel (shared_apps/offboarding/export_policy.py)
    exported = set(EXPORTED_TABLES)
    assert {t: n for t, n in table_row_counts("sao_cristovao").items() if t in exported} == {
        t: n for t, n in table_row_counts("aracaju").items() if t in exported
    }
    assert "Esqueci minha senha" in printed.getvalue()

    with pytest.raises(CommandError, match="A confirmação não confere com o esquema."):
        call_command("tenant_delete", schema="sao_cristovao", confirm="aracaju")
    with pytest.raises(CommandError, match="não tem exportação pronta"):
        call_command("tenant_delete", schema="sao_cristovao", confirm="sao_cristovao")
    assert schema_exists("sao_cristovao")

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "tenant_delete", schema="sao_cristovao", confirm="sao_cristovao", force=True, stdout=printed
        )
    assert not schema_exists("sao_cristovao")
    assert OffboardedMunicipality.objects.get().slug == "sao-cristovao"
