"""The export archive: a city's schema (CSV per table, by COPY) and files in one zip, with a manifest.

Layout of the zip (deflate, ZIP64):

    manifest.json            format version, exported_at, municipality, every other entry's size and SHA-256
    municipality.json        the city's public rows (name, IBGE, colours, status, domains, plan)
    database/schema.json     tables in load order, their columns with types, row counts
    database/migrations.json the schema's django_migrations rows
    database/<table>.csv     COPY ... TO STDOUT WITH (FORMAT csv, HEADER)
    files/<path>             every file of the city's storage

Everything runs on Django's own connection (never a second one), so inside a test transaction the
COPY FROM and the DDL roll back with it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from paco import clusters
from paco.errors import ApplicationError

from . import export_policy

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MUNICIPALITY = "municipality.json"
SCHEMA = "database/schema.json"
MIGRATIONS = "database/migrations.json"
DATABASE_PREFIX = "database/"
FILES_PREFIX = "files/"
MIGRATIONS_TABLE = export_policy.MIGRATIONS_TABLE
CHUNK = 1024 * 1024


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qualified(schema_name: str, table: str) -> str:
    return f"{quote_identifier(schema_name)}.{quote_identifier(table)}"


def _raw_cursor(cursor: Any) -> Any:
    """psycopg's own cursor under Django's wrapper (for COPY)."""
    return cursor.cursor


class _HashingWriter:
    """Counts and hashes what is written into a zip entry."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | memoryview) -> None:
        chunk = bytes(data)
        self.target.write(chunk)
        self.digest.update(chunk)
        self.size += len(chunk)


@dataclass
class ArchiveWriter:
    """A zip being written, remembering each entry's size and SHA-256 for the manifest."""

    zip: zipfile.ZipFile

    def __post_init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}

    def entry(self, name: str) -> _EntryContext:
        return _EntryContext(self, name)

    def write_json(self, name: str, data: Any) -> None:
        with self.entry(name) as writer:
            writer.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode())


class _EntryContext:
    def __init__(self, archive: ArchiveWriter, name: str) -> None:
        self.archive = archive
        self.name = name

    def __enter__(self) -> _HashingWriter:
        info = zipfile.ZipInfo(self.name)
        info.compress_type = zipfile.ZIP_DEFLATED
        self.stream = self.archive.zip.open(info, "w", force_zip64=True)
        self.writer = _HashingWriter(self.stream)
        return self.writer

    def __exit__(self, *exc: object) -> None:
        self.stream.close()
        self.archive.entries[self.name] = {"size": self.writer.size, "sha256": self.writer.digest.hexdigest()}


# -- reading the schema -------------------------------------------------------------------------


def schema_tables(schema_name: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
            [schema_name],
        )
        return [row[0] for row in cursor.fetchall()]


def table_columns(schema_name: str, table: str) -> list[dict[str, Any]]:
    """Columns in order, without generated ones (they cannot be copied into)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = %s AND is_generated = 'NEVER'"
            " ORDER BY ordinal_position",
            [schema_name, table],
        )
        return [
            {"name": name, "type": data_type, "udt": udt, "nullable": nullable == "YES"}
            for name, data_type, udt, nullable in cursor.fetchall()
        ]


def schema_migrations(schema_name: str) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT app, name, applied FROM {qualified(schema_name, MIGRATIONS_TABLE)} ORDER BY id"  # noqa: S608
        )
        return [{"app": app, "name": name, "applied": applied.isoformat()} for app, name, applied in cursor]


def table_row_counts(schema_name: str) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in schema_tables(schema_name):
            cursor.execute(f"SELECT count(*) FROM {qualified(schema_name, table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    return counts


# -- files --------------------------------------------------------------------------------------


def storage_walk(path: str = "") -> Iterator[str]:
    """Every file name of the current schema's storage (disk or S3), through `listdir` only."""
    try:
        directories, files = default_storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for directory in sorted(directories):
        yield from storage_walk(f"{path}/{directory}" if path else directory)


# -- export -------------------------------------------------------------------------------------


def exported_table_columns(schema_name: str, table: str) -> list[dict[str, Any]]:
    """The columns of `table` that the allow-list exports, in the table's order."""
    allowed = set(export_policy.exported_columns(table))
    return [column for column in table_columns(schema_name, table) if column["name"] in allowed]


def _dump_database(archive: ArchiveWriter, schema_name: str) -> dict[str, Any]:
    """The allow-listed tables and columns only (export_policy), redacted columns as their expression."""
    tables = []
    with connection.cursor() as cursor:
        raw = _raw_cursor(cursor)
        for table in schema_tables(schema_name):
            if not export_policy.is_exported(table):
                continue
            columns = exported_table_columns(schema_name, table)
            select_list = ", ".join(
                export_policy.column_expression(table, column["name"]) for column in columns
            )
            cursor.execute(f"SELECT count(*) FROM {qualified(schema_name, table)}")  # noqa: S608
            rows = int(cursor.fetchone()[0])
            statement = (
                f"COPY (SELECT {select_list} FROM {qualified(schema_name, table)})"  # noqa: S608
                " TO STDOUT WITH (FORMAT csv, HEADER)"
            )
            with archive.entry(f"{DATABASE_PREFIX}{table}.csv") as writer, raw.copy(statement) as copy:
                for data in copy:
                    writer.write(data)
            tables.append({"name": table, "columns": columns, "rows": rows})
    return {"schema_name": schema_name, "tables": tables}


def _dump_in_snapshot(
    archive: ArchiveWriter, schema_name: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Every table from one snapshot: REPEATABLE READ READ ONLY when we own the transaction.

    Inside an outer transaction (a test, a caller's atomic block) the isolation level can no longer be
    chosen; the dump then reads within that transaction.
    """
    if connection.in_atomic_block:
        with transaction.atomic():
            return _dump_database(archive, schema_name), schema_migrations(schema_name)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _dump_database(archive, schema_name), schema_migrations(schema_name)


def archive_write(
    *, target: IO[bytes], schema_name: str, municipality_data: dict[str, Any], exported_at: str
) -> dict[str, Any]:
    """Write the archive of `schema_name` into `target` (a seekable binary file); returns the manifest."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zip_file:
        archive = ArchiveWriter(zip_file)
        # on the cluster holding the city's schema (paco.clusters; `default` with one cluster)
        with clusters.cluster_use(clusters.directory_alias(schema_name) or clusters.current_cluster()):
            schema, migrations = _dump_in_snapshot(archive, schema_name)
        archive.write_json(SCHEMA, schema)
        archive.write_json(MIGRATIONS, migrations)
        with schema_context(schema_name):
            for name in storage_walk():
                with (
                    default_storage.open(name, "rb") as source,
                    archive.entry(f"{FILES_PREFIX}{name}") as writer,
                ):
                    for chunk in _chunks(source):
                        writer.write(chunk)
        archive.write_json(MUNICIPALITY, municipality_data)
        manifest = {
            "format_version": FORMAT_VERSION,
            "exported_at": exported_at,
            "municipality": {
                "slug": municipality_data["slug"],
                "name": municipality_data["name"],
                "ibge_code": municipality_data["ibge_code"],
                "schema_name": schema_name,
            },
            "entries": dict(sorted(archive.entries.items())),
        }
        zip_file.writestr(
            MANIFEST,
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return manifest


# -- verification and restore -------------------------------------------------------------------


def _refused(detail: str) -> ApplicationError:
    return ApplicationError(
        _("Arquivo de exportação recusado: %(detail)s Nada foi criado.") % {"detail": detail}
    )


def archive_verify(zip_file: zipfile.ZipFile) -> dict[str, Any]:
    """Check every entry against the manifest (presence, size, SHA-256); returns the manifest."""
    names = set(zip_file.namelist())
    if MANIFEST not in names:
        raise _refused(_("o manifesto (manifest.json) não existe."))
    try:
        manifest = json.loads(zip_file.read(MANIFEST))
        entries: dict[str, dict[str, Any]] = manifest["entries"]
    except (ValueError, KeyError, TypeError) as error:
        raise _refused(_("o manifesto (manifest.json) é ilegível.")) from error
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _refused(
            _("versão de formato %(version)s desconhecida.") % {"version": manifest.get("format_version")}
        )
    unlisted = sorted(names - set(entries) - {MANIFEST})
    if unlisted:
        raise _refused(
            _("o arquivo contém itens fora do manifesto: %(names)s.") % {"names": ", ".join(unlisted)}
        )
    for name, expected in entries.items():
        if name not in names:
            raise _refused(_("o item %(name)s listado no manifesto não está no arquivo.") % {"name": name})
        digest = hashlib.sha256()
        size = 0
        try:
            with zip_file.open(name) as stream:
                for chunk in _chunks(stream):
                    digest.update(chunk)
                    size += len(chunk)
        except (zipfile.BadZipFile, OSError) as error:
            raise _refused(_("o item %(name)s está corrompido.") % {"name": name}) from error
        if size != expected.get("size") or digest.hexdigest() != expected.get("sha256"):
            raise _refused(
                _("o conteúdo de %(name)s não confere com o hash SHA-256 do manifesto (arquivo adulterado).")
                % {"name": name}
            )
    for required in (MUNICIPALITY, SCHEMA, MIGRATIONS):
        if required not in entries:
            raise _refused(_("o item %(name)s está faltando.") % {"name": required})
    return manifest


def archive_read_json(zip_file: zipfile.ZipFile, name: str) -> Any:
    return json.loads(zip_file.read(name))


def _csv_header(stream: IO[bytes]) -> list[str]:
    line = stream.readline().decode()
    return next(csv.reader(io.StringIO(line)))


def database_load(*, zip_file: zipfile.ZipFile, schema_name: str, schema: dict[str, Any]) -> dict[str, int]:
    """Replace every table of `schema_name` (but django_migrations) by the archive's CSVs.

    The caller holds the transaction: TRUNCATE, deferred foreign keys, COPY FROM, sequences.
    Returns the rows loaded per table.
    """
    present = set(schema_tables(schema_name))
    exported = [table["name"] for table in schema["tables"]]
    missing = sorted(set(exported) - present)
    if missing:
        raise ApplicationError(
            _("As tabelas %(tables)s do arquivo não existem nesta versão do Paço.")
            % {"tables": ", ".join(missing)}
        )
    targets = sorted(present - {MIGRATIONS_TABLE})
    loaded: dict[str, int] = {}
    with connection.cursor() as cursor:
        raw = _raw_cursor(cursor)
        if targets:
            cursor.execute("TRUNCATE " + ", ".join(qualified(schema_name, table) for table in targets))
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in exported:
            if not export_policy.is_exported(table):
                continue  # an older archive's credential tables are never loaded
            with zip_file.open(f"{DATABASE_PREFIX}{table}.csv") as header_stream:
                columns = _csv_header(header_stream)
            column_list = ", ".join(quote_identifier(column) for column in columns)
            statement = (
                f"COPY {qualified(schema_name, table)} ({column_list}) FROM STDIN WITH (FORMAT csv, HEADER)"
            )
            with zip_file.open(f"{DATABASE_PREFIX}{table}.csv") as stream, raw.copy(statement) as copy:
                for chunk in _chunks(stream):
                    copy.write(chunk)
            loaded[table] = raw.rowcount
        credentials_clear(schema_name)
        sequences_reset(schema_name)
        # the deferred foreign keys are checked now, so a broken archive fails here and not at commit
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return loaded


def credentials_clear(schema_name: str) -> None:
    """No credential survives a restore: excluded tables emptied, redacted columns recomputed."""
    with connection.cursor() as cursor:
        present = set(schema_tables(schema_name))
        for table in sorted(export_policy.EXCLUDED_TABLES):
            if table in present and table != MIGRATIONS_TABLE:
                cursor.execute(f"DELETE FROM {qualified(schema_name, table)}")  # noqa: S608
        for (table, column), redacted in sorted(export_policy.REDACTED_COLUMNS.items()):
            if table in present:
                cursor.execute(
                    f"UPDATE {qualified(schema_name, table)}"  # noqa: S608
                    f" SET {quote_identifier(column)} = {redacted.expression}"
                )


def sequences_reset(schema_name: str) -> None:
    """Every serial or identity column's sequence restarts after the largest value loaded."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname,"
            " pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " JOIN pg_attribute a ON a.attrelid = c.oid"
            " WHERE n.nspname = %s AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped",
            [schema_name],
        )
        owned = [(table, column, sequence) for table, column, sequence in cursor.fetchall() if sequence]
        for table, column, sequence in owned:
            largest = f"MAX({quote_identifier(column)})"
            cursor.execute(
                f"SELECT setval(%s, COALESCE({largest}, 1), {largest} IS NOT NULL)"  # noqa: S608
                f" FROM {qualified(schema_name, table)}",
                [sequence],
            )


def files_restore(*, zip_file: zipfile.ZipFile, schema_name: str) -> list[str]:
    """Copy the archive's files into `schema_name`'s storage under their own names; returns them."""
    written: list[str] = []
    with schema_context(schema_name):
        try:
            for entry in zip_file.namelist():
                if not entry.startswith(FILES_PREFIX) or entry.endswith("/"):
                    continue
                name = entry[len(FILES_PREFIX) :]
                if default_storage.exists(name):
                    default_storage.delete(name)
                with zip_file.open(entry) as stream:
                    stored = default_storage.save(name, File(stream, name=name))
                written.append(stored)
                if stored != name:
                    raise ApplicationError(
                        _("O arquivo %(name)s não pôde ser restaurado com o mesmo nome.") % {"name": name}
                    )
        except BaseException:
            for name in written:
                default_storage.delete(name)
            raise
    return written


def storage_delete_all(schema_name: str) -> int:
    """Delete every file of `schema_name`'s storage (and, on disk, its emptied folders)."""
    with schema_context(schema_name):
        names = list(storage_walk())
        for name in names:
            default_storage.delete(name)
        if isinstance(default_storage, FileSystemStorage) and os.path.isdir(default_storage.location):
            shutil.rmtree(default_storage.location, ignore_errors=True)
    return len(names)
