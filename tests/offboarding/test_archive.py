"""Export and restore: the round trip Aracaju -> a new city, the manifest, tampered archives."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
import zipfile

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.storage import default_storage
from django.test import Client
from django_tenants.utils import schema_context, schema_exists, tenant_context
from rest_framework.authtoken.models import Token

from paco.errors import ApplicationError
from shared_apps.offboarding import archive, export_policy
from shared_apps.offboarding.enums import ExportStatus
from shared_apps.offboarding.services import export_open, tenant_export, tenant_restore
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.cases.history import history_verify
from tenant_apps.cases.models import Case
from tenant_apps.cases.services import case_open
from tenant_apps.catalog.models import Service
from tenant_apps.documents.enums import DocumentKind
from tenant_apps.documents.models import Attachment, Document
from tenant_apps.documents.services import document_create
from tenant_apps.documents.uploads import Upload
from tenant_apps.org.models import OrgUnit
from tenants.models import Domain, Municipality

PASSWORD = "Senha-Conhecida-2026"
PHOTO = b"\x89PNG\r\n\x1a\n" + hashlib.sha256(b"foto da arvore").digest() * 8


def _seed_aracaju(aracaju: Municipality) -> dict[str, str]:
    with tenant_context(aracaju):
        citizen = User.objects.get(email="cidadao@exemplo.com.br")
        case = case_open(
            service=Service.objects.get(code="poda-de-arvore"),
            opened_by=citizen,
            form_data={"endereco": "Rua da Exportação, 10", "motivo": "Outro"},
            subject="Poda antes do encerramento",
            uploads=[Upload(name="arvore.png", file=io.BytesIO(PHOTO), label="Foto da árvore")],
        )
        document = document_create(
            kind=DocumentKind.OTHER,
            unit=OrgUnit.objects.order_by("code").first(),
            title="Ofício exportado",
            body="Conteúdo que precisa sobreviver à exportação.",
        )
        person = User.objects.create_user(
            "exportado@aracaju.se.gov.br", PASSWORD, full_name="Pessoa Exportada", kind=UserKind.STAFF
        )
        # credentials bound to Aracaju's host: a signed-in session and an API token
        SessionStore().create()
        Token.objects.create(user=person)
        attachment = Attachment.objects.get(sha256=hashlib.sha256(PHOTO).hexdigest())
        return {"nup": case.nup, "document": document.title, "attachment": attachment.storage_name}


def test_round_trip_restores_every_row_and_file_in_a_new_city(aracaju, stored_files_cleanup):
    # given: Aracaju with a case (and its attachment), a document and a user with a known password
    seeded = _seed_aracaju(aracaju)
    counts_before = archive.table_row_counts("aracaju")

    # when: exported, then restored as Estância
    started = time.perf_counter()
    export = tenant_export(municipality=aracaju, requested_by="suporte@paco.app")
    elapsed = time.perf_counter() - started
    print(f"\nexport of aracaju: {export.size} bytes in {elapsed:.2f} s")  # noqa: T201
    stored_files_cleanup.append("estancia")
    with export_open(export=export) as stream:
        restored = tenant_restore(archive_file=stream, slug="estancia", ibge_code="2802106")

    # then
    assert export.status == ExportStatus.READY
    assert restored.schema_name == "estancia"
    assert restored.ibge_code == "2802106"
    assert (restored.display_name, restored.primary_color) == (aracaju.display_name, aracaju.primary_color)
    assert list(Domain.objects.filter(tenant=restored).values_list("domain", flat=True)) == [
        "estancia.localhost"
    ]
    restored_counts = archive.table_row_counts("estancia")
    credentials = {"django_session", "authtoken_token", "otp_totp_totpdevice", "accounts_staffinvitation"}
    assert {table: restored_counts[table] for table in credentials} == dict.fromkeys(credentials, 0)
    # every other table left out of exports (see export_policy) is empty after a restore too
    credentials |= set(export_policy.EXCLUDED_TABLES)
    assert all(
        counts_before[table] >= 1 for table in ("django_session", "authtoken_token", "otp_totp_totpdevice")
    )
    assert {t: n for t, n in restored_counts.items() if t not in credentials} == {
        t: n for t, n in counts_before.items() if t not in credentials
    }
    with tenant_context(restored):
        case = Case.objects.get(nup=seeded["nup"])
        report = history_verify(case)
        assert (report.is_valid, report.events) == (True, case.events.count())
        assert Document.objects.filter(title=seeded["document"]).count() == 1
        with default_storage.open(seeded["attachment"], "rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == hashlib.sha256(PHOTO).hexdigest()
        # no password travels (issue 10): people set a new one through "Esqueci minha senha"
        assert User.objects.get(email="exportado@aracaju.se.gov.br").has_usable_password() is False
        # the sequences continue after the restored rows
        newer = User.objects.create_user("depois@estancia.se.gov.br", PASSWORD, kind=UserKind.CITIZEN)
        assert newer.pk > User.objects.exclude(pk=newer.pk).order_by("-pk").first().pk
    response = Client().get("/", HTTP_HOST="estancia.localhost")
    assert response.status_code == 200


def test_the_manifest_lists_every_entry_with_its_size_and_hash(aracaju, stored_files_cleanup):
    export = tenant_export(municipality=aracaju, requested_by="suporte@paco.app")

    with export_open(export=export) as stream:
        data = stream.read()
    assert hashlib.sha256(data).hexdigest() == export.sha256
    assert len(data) == export.size
    with zipfile.ZipFile(io.BytesIO(data)) as zip_file:
        manifest = json.loads(zip_file.read("manifest.json"))
        names = set(zip_file.namelist()) - {"manifest.json"}
        assert set(manifest["entries"]) == names
        for name, entry in manifest["entries"].items():
            content = zip_file.read(name)
            assert (len(content), hashlib.sha256(content).hexdigest()) == (entry["size"], entry["sha256"])
        schema = json.loads(zip_file.read("database/schema.json"))
        municipality = json.loads(zip_file.read("municipality.json"))
        with schema_context("aracaju"):
            files = {f"files/{name}" for name in archive.storage_walk()}
    tables = [table for table in archive.schema_tables("aracaju") if table in archive_policy_tables()]
    assert [table["name"] for table in schema["tables"]] == tables
    assert {f"database/{table}.csv" for table in tables} <= names
    assert files <= names
    assert "files/brasao.svg" in names or any(name.startswith("files/") for name in names)
    assert manifest["format_version"] == 1
    assert manifest["municipality"] == {
        "slug": "aracaju",
        "name": aracaju.name,
        "ibge_code": aracaju.ibge_code,
        "schema_name": "aracaju",
    }
    assert (municipality["ibge_code"], municipality["state"]) == (aracaju.ibge_code, aracaju.state)
    assert municipality["domains"] == [{"domain": "aracaju.localhost", "is_primary": True}]


def _rezip(data: bytes, *, changes: dict[str, bytes], fix_manifest: bool) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(source.read("manifest.json"))
    target_bytes = io.BytesIO()
    with zipfile.ZipFile(target_bytes, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name == "manifest.json":
                continue
            content = changes.get(name, source.read(name))
            if fix_manifest:
                manifest["entries"][name] = {
                    "size": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
            target.writestr(name, content)
        target.writestr("manifest.json", json.dumps(manifest))
    return target_bytes.getvalue()


@pytest.fixture
def aracaju_export_bytes(aracaju, stored_files_cleanup) -> bytes:
    export = tenant_export(municipality=aracaju, requested_by="suporte@paco.app")
    with export_open(export=export) as stream:
        return stream.read()


def test_a_tampered_archive_is_refused_and_creates_nothing(aracaju_export_bytes, stored_files_cleanup):
    stored_files_cleanup.append("adulterada")
    with zipfile.ZipFile(io.BytesIO(aracaju_export_bytes)) as zip_file:
        users = zip_file.read("database/accounts_user.csv")
    changed = users.replace(b"cidadao@exemplo.com.br", b"invasor@exemplo.com.br")
    assert changed != users
    tampered = _rezip(
        aracaju_export_bytes, changes={"database/accounts_user.csv": changed}, fix_manifest=False
    )
    municipalities = Municipality.objects.count()

    with pytest.raises(ApplicationError) as refused:
        tenant_restore(archive_file=io.BytesIO(tampered), slug="adulterada", ibge_code="2802106")

    assert refused.value.message == (
        "Arquivo de exportação recusado: o conteúdo de database/accounts_user.csv não confere com o hash"
        " SHA-256 do manifesto (arquivo adulterado). Nada foi criado."
    )
    assert Municipality.objects.count() == municipalities
    assert not schema_exists("adulterada")


def test_an_archive_of_a_newer_release_is_refused(aracaju_export_bytes, stored_files_cleanup):
    stored_files_cleanup.append("futura")
    with zipfile.ZipFile(io.BytesIO(aracaju_export_bytes)) as zip_file:
        migrations = json.loads(zip_file.read("database/migrations.json"))
    newer = [*migrations, {"app": "cases", "name": "9999_futuro", "applied": "2030-01-01T00:00:00+00:00"}]
    archive_bytes = _rezip(
        aracaju_export_bytes,
        changes={"database/migrations.json": json.dumps(newer).encode()},
        fix_manifest=True,
    )
    municipalities = Municipality.objects.count()

    with pytest.raises(ApplicationError) as refused:
        tenant_restore(archive_file=io.BytesIO(archive_bytes), slug="futura", ibge_code="2802106")

    assert refused.value.message == (
        "O arquivo foi exportado por uma versão mais nova do Paço (1 migrações desconhecidas). Atualize o"
        " sistema antes de restaurar."
    )
    assert Municipality.objects.count() == municipalities
    assert not schema_exists("futura")


def _without_columns(csv_bytes: bytes, dropped: set[str]) -> bytes:
    rows = list(csv.reader(io.StringIO(csv_bytes.decode())))
    keep = [index for index, name in enumerate(rows[0]) if name not in dropped]
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    for row in rows:
        writer.writerow([row[index] for index in keep])
    return output.getvalue().encode()


def test_an_archive_of_an_older_release_is_loaded_at_its_state_then_migrated_forward(
    aracaju, aracaju_export_bytes, stored_files_cleanup
):
    # given: the export as the release before otp_totp 0003 (two columns of totpdevice) wrote it
    stored_files_cleanup.append("antiga")
    added = {"created_at", "last_used_at"}
    with zipfile.ZipFile(io.BytesIO(aracaju_export_bytes)) as zip_file:
        migrations = json.loads(zip_file.read("database/migrations.json"))
        schema = json.loads(zip_file.read("database/schema.json"))
        assert "database/otp_totp_totpdevice.csv" not in zip_file.namelist()  # never exported
    older = [row for row in migrations if (row["app"], row["name"]) != ("otp_totp", "0003_add_timestamps")]
    assert len(older) == len(migrations) - 1
    for table in schema["tables"]:
        if table["name"] == "otp_totp_totpdevice":
            table["columns"] = [column for column in table["columns"] if column["name"] not in added]
    archive_bytes = _rezip(
        aracaju_export_bytes,
        changes={
            "database/migrations.json": json.dumps(older).encode(),
            "database/schema.json": json.dumps(schema).encode(),
        },
        fix_manifest=True,
    )

    # when
    restored = tenant_restore(archive_file=io.BytesIO(archive_bytes), slug="antiga", ibge_code="2802106")

    # then: every exported row is there and the schema is at the code's state again
    exported = set(archive_policy_tables())
    assert {t: n for t, n in archive.table_row_counts("antiga").items() if t in exported} == {
        t: n for t, n in archive.table_row_counts("aracaju").items() if t in exported
    }
    assert {(row["app"], row["name"]) for row in archive.schema_migrations("antiga")} == {
        (row["app"], row["name"]) for row in archive.schema_migrations("aracaju")
    }
    assert [column["name"] for column in archive.table_columns("antiga", "otp_totp_totpdevice")] == [
        column["name"] for column in archive.table_columns("aracaju", "otp_totp_totpdevice")
    ]
    with tenant_context(restored):
        assert User.objects.filter(kind=UserKind.STAFF).count() > 0
    assert Client().get("/", HTTP_HOST="antiga.localhost").status_code == 200


def archive_policy_tables() -> list[str]:
    from shared_apps.offboarding.export_policy import EXPORTED_TABLES

    return list(EXPORTED_TABLES)


def test_a_file_that_is_not_a_zip_is_refused(db):
    with pytest.raises(ApplicationError) as refused:
        tenant_restore(archive_file=io.BytesIO(b"not a zip"), slug="quebrada")
    assert (
        refused.value.message
        == "Arquivo de exportação recusado: não é um arquivo zip válido. Nada foi criado."
    )
