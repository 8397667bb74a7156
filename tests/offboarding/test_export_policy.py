"""Issue 10, finding 1: an export carries data, never credentials (an allow-list, checked both ways).

- every table of a city's schema is classified (exported with its columns, or excluded), so a new
  table or column holding a secret fails here until someone decides;
- an export of a city whose people are signed in, hold API tokens, TOTP devices, invitations and
  Open311 tokens contains none of those values, anywhere in the zip;
- a restore says people set a new password through recovery, and no password works any more.
"""

from __future__ import annotations

import io
import zipfile
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django_tenants.utils import tenant_context
from rest_framework.authtoken.models import Token

from shared_apps.offboarding import archive, export_policy
from shared_apps.offboarding.services import export_open, tenant_export, tenant_restore
from tenant_apps.accounts.models import User
from tests.conftest import client_for

# Every column of a city's schema that holds a credential (or the hash of one): none may leave.
SECRET_COLUMNS = [
    ("django_session", "session_key"),
    ("django_session", "session_data"),
    ("authtoken_token", "key"),
    ("otp_totp_totpdevice", "key"),
    ("accounts_user", "password"),
    ("accounts_staffinvitation", "token_hash"),
    ("scheduling_calendarfeed", "token_hash"),
    ("open311_apiclient", "key_hash"),
    ("open311_clientrequest", "token"),
    ("ombudsman_manifestation", "access_code_hash"),
    ("notifications_notification", "token"),
    ("scheduling_videosession", "room_name"),
    ("govbr_govbrclient", "client_secret_encrypted"),
    ("govbr_govbrnonce", "nonce"),
    ("signatures_cityauthority", "ca_key_encrypted_pem"),
    ("signatures_cityauthority", "signing_key_encrypted_pem"),
    ("privacy_dataexport", "token_hash"),
    ("health_slotoffer", "token_hash"),
    ("payments_pixsettings", "webhook_secret_encrypted"),
]


def test_every_table_and_column_of_a_city_schema_is_classified(aracaju):
    tables = set(archive.schema_tables("aracaju"))
    exported, excluded = set(export_policy.EXPORTED_TABLES), set(export_policy.EXCLUDED_TABLES)

    assert not exported & excluded
    assert sorted(tables - exported - excluded) == [], "tables without a decision in export_policy"
    assert sorted((exported | excluded) - tables) == [], "export_policy names tables that do not exist"
    for table in sorted(exported):
        columns = {column["name"] for column in archive.table_columns("aracaju", table)}
        assert set(export_policy.EXPORTED_TABLES[table]) == columns, table
    for table, column in export_policy.REDACTED_COLUMNS:
        assert column in export_policy.EXPORTED_TABLES[table]
    # every secret column is either in an excluded table or redacted
    for table, column in SECRET_COLUMNS:
        assert table in excluded or (table, column) in export_policy.REDACTED_COLUMNS, (table, column)


def _secret_values(schema_name: str) -> dict[tuple[str, str], list[str]]:
    values: dict[tuple[str, str], list[str]] = {}
    with connection.cursor() as cursor:
        for table, column in SECRET_COLUMNS:
            cursor.execute(
                f"SELECT {archive.quote_identifier(column)} FROM {archive.qualified(schema_name, table)}"  # noqa: S608
                f" WHERE length({archive.quote_identifier(column)}) >= 12"
            )
            values[(table, column)] = [row[0] for row in cursor.fetchall()]
    return values


def test_an_export_holds_no_session_token_otp_seed_password_hash_or_request_token(
    aracaju, stored_files_cleanup
):
    # given: a signed-in staff member (session past the second factor) and an API token
    client_for("staff", aracaju)
    client_for("admin", aracaju)
    with tenant_context(aracaju):
        Token.objects.get_or_create(user=User.objects.get(email="cidadao@exemplo.com.br"))
    secrets = _secret_values("aracaju")
    for required in [
        ("django_session", "session_key"),
        ("authtoken_token", "key"),
        ("otp_totp_totpdevice", "key"),
        ("accounts_user", "password"),
    ]:
        assert secrets[required], required

    # when
    export = tenant_export(municipality=aracaju, requested_by="admin@aracaju.se.gov.br")

    # then: no secret value is anywhere in the zip, and no excluded table has an entry
    with export_open(export=export) as stream, zipfile.ZipFile(io.BytesIO(stream.read())) as zip_file:
        names = zip_file.namelist()
        contents = {name: zip_file.read(name) for name in names if not name.startswith("files/")}
    for table in export_policy.EXCLUDED_TABLES:
        assert f"database/{table}.csv" not in names, table
    leaks = [
        (table, column, name)
        for (table, column), found in secrets.items()
        for value in found
        for name, content in contents.items()
        if value.encode() in content
    ]
    assert leaks == []
    users = contents["database/accounts_user.csv"].decode().splitlines()
    assert all(",!" in line for line in users[1:])  # every password exported unusable


def test_a_restored_city_has_no_working_password_and_the_command_says_how_to_recover(
    aracaju, stored_files_cleanup, tmp_path
):
    stored_files_cleanup.append("restaurada")
    output = tmp_path / "aracaju.zip"
    call_command("tenant_export", schema="aracaju", output=str(output), stdout=StringIO())
    printed = StringIO()

    call_command(
        "tenant_restore", archive=str(output), slug="restaurada", ibge_code="2802106", stdout=printed
    )

    assert "define uma nova senha pela recuperação de senha (“Esqueci minha senha”)" in printed.getvalue()
    with connection.cursor() as cursor:
        for table in ("django_session", "authtoken_token", "otp_totp_totpdevice"):
            cursor.execute(f"SELECT count(*) FROM {archive.qualified('restaurada', table)}")  # noqa: S608
            assert cursor.fetchone()[0] == 0, table
    from tenants.models import Municipality

    with tenant_context(Municipality.objects.get(slug="restaurada")):
        assert User.objects.count() > 0
        assert not any(user.has_usable_password() for user in User.objects.all())


def test_an_older_archive_with_credentials_is_restored_without_them(aracaju, stored_files_cleanup):
    # an archive written before the allow-list (every table, every column) loads without secrets
    stored_files_cleanup.append("legada")
    client_for("staff", aracaju)
    buffer = io.BytesIO()
    saved = dict(export_policy.EXPORTED_TABLES)
    everything = {
        table: tuple(column["name"] for column in archive.table_columns("aracaju", table))
        for table in archive.schema_tables("aracaju")
        if table != export_policy.MIGRATIONS_TABLE
    }
    redacted = dict(export_policy.REDACTED_COLUMNS)
    try:
        export_policy.EXPORTED_TABLES.clear()
        export_policy.EXPORTED_TABLES.update(everything)
        export_policy.REDACTED_COLUMNS.clear()
        archive.archive_write(
            target=buffer,
            schema_name="aracaju",
            municipality_data=_municipality_data(aracaju),
            exported_at="2026-01-01T00:00:00+00:00",
        )
    finally:
        export_policy.EXPORTED_TABLES.clear()
        export_policy.EXPORTED_TABLES.update(saved)
        export_policy.REDACTED_COLUMNS.update(redacted)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zip_file:
        assert "database/django_session.csv" in zip_file.namelist()
    buffer.seek(0)

    restored = tenant_restore(archive_file=buffer, slug="legada", ibge_code="2802106")

    assert _secret_values("legada")[("django_session", "session_key")] == []
    assert _secret_values("legada")[("otp_totp_totpdevice", "key")] == []
    with tenant_context(restored):
        assert not any(user.has_usable_password() for user in User.objects.all())


def _municipality_data(municipality):
    from shared_apps.offboarding.services import municipality_data

    return municipality_data(municipality=municipality)
