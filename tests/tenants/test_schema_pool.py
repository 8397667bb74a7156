"""The schema pool: a signup renames a ready schema; no city is ever born on an old template."""

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_exists

from tenants.release_migrate import catalogue_fingerprint
from tenants.schema_pool import pool_list, schema_pool_fill, template_fingerprint
from tenants.services import municipality_provision
from tests.tenants.test_provisioning import ESTANCIA


def test_a_signup_renames_a_ready_pool_schema(db):
    # given: two ready schemas of the current template
    fill = schema_pool_fill(size=2)
    before = [schema.name for schema in pool_list()]
    assert fill.created == 2
    assert len(before) == 2

    # when
    municipality = municipality_provision(spec=ESTANCIA, method="pool")

    # then: one of them became the city (renamed), the other waits; the city is the template's twin
    after = [schema.name for schema in pool_list()]
    assert len(after) == 1
    assert after[0] in before
    assert not any(schema_exists(name) for name in before if name not in after)
    assert catalogue_fingerprint(municipality.schema_name) == catalogue_fingerprint(
        settings.TENANT_BASE_SCHEMA
    )


def test_after_a_release_the_old_pool_is_never_used_and_is_replaced(db):
    # given: a pool made from the template as it was, then a release migrates the template
    schema_pool_fill(size=2)
    old = {schema.name for schema in pool_list()}
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{settings.TENANT_BASE_SCHEMA}".django_migrations (app, name, applied)'  # noqa: S608
            " VALUES ('cases', '9999_release_under_test', now())"
        )
    current = template_fingerprint()

    # when: a city signs up before the pool job has run
    municipality = municipality_provision(spec=ESTANCIA, method="pool")

    # then: it did not take an old schema (both still there), it was built from the blueprint
    assert {schema.name for schema in pool_list()} == old
    assert municipality.schema_name not in old
    assert catalogue_fingerprint(municipality.schema_name) == catalogue_fingerprint(
        settings.TENANT_BASE_SCHEMA
    )

    # and when the pool job runs, the old schemas are dropped and replaced by current ones
    fill = schema_pool_fill(size=2)
    assert (fill.dropped, fill.created, fill.ready) == (2, 2, 2)
    assert all(schema.fingerprint == current and schema.name not in old for schema in pool_list())
    assert not any(schema_exists(name) for name in old)


def test_the_template_dump_reaches_a_server_named_only_in_the_options(db, monkeypatch):
    """`DATABASE_URL=postgres://postgres@/postgres?host=<socket folder>` (the demo's embedded server)
    leaves HOST empty and puts the folder in OPTIONS: pg_dump went to its default socket and failed,
    so the bare demo provisioned every signup by migrations ("no blueprint")."""
    from tenants.schema_pool import _pg_dump_template

    database = connection.settings_dict
    host, port = database["HOST"], database["PORT"]
    if not host:
        pytest.skip("the test database is already reached through OPTIONS")
    monkeypatch.setitem(database, "HOST", "")
    monkeypatch.setitem(database, "PORT", "")
    monkeypatch.setitem(database, "OPTIONS", {**(database.get("OPTIONS") or {}), "host": host, "port": port})

    sql = _pg_dump_template()

    assert "CREATE TABLE" in sql
