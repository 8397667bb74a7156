"""`release_migrate`: plan once, apply to every schema, one failure reported, rerun resumes, check."""

from django.conf import settings
from django.db import connection

from tenants.release_migrate import release_migrate
from tenants.schema_pool import schema_create_from_blueprint

MIGRATION = ("notifications", "0003_notification_attachments")  # the app's last: one ADD COLUMN


def _unapply(schema: str) -> None:
    """Put `schema` back to before MIGRATION (its column dropped, its row deleted)."""
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{schema}".notifications_notification DROP COLUMN attachments')
        cursor.execute(
            f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s',  # noqa: S608
            list(MIGRATION),
        )


def _has_column(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = %s"
            " AND table_name = 'notifications_notification' AND column_name = 'attachments'",
            [schema],
        )
        return bool(cursor.fetchone()[0])


def test_release_migrates_each_schema_reports_the_broken_one_and_resumes(db):
    # given: three cities' schemas and the template one migration behind; the second one broken
    schemas = ["rm_um", "rm_dois", "rm_tres"]
    for schema in schemas:
        schema_create_from_blueprint(schema)
    for schema in [*schemas, settings.TENANT_BASE_SCHEMA]:
        _unapply(schema)
    with connection.cursor() as cursor:
        cursor.execute('DROP TABLE "rm_dois".notifications_notification CASCADE')

    # when
    report = release_migrate(workers=0, schemas=schemas)

    # then: planned once on the template, replayed as SQL; the broken schema failed alone
    assert report.plan.migrations == [MIGRATION]
    assert report.plan.replayable
    assert {outcome.schema: outcome.status for outcome in report.outcomes} == {
        "rm_um": "migrated",
        "rm_dois": "failed",
        "rm_tres": "migrated",
    }
    assert "notifications_notification" in report.failed[0].error
    assert [_has_column(schema) for schema in schemas] == [True, False, True]
    assert _has_column(settings.TENANT_BASE_SCHEMA)
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT count(*) FROM "rm_um".django_migrations WHERE app = %s AND name = %s', list(MIGRATION)
        )
        assert cursor.fetchone()[0] == 1
    # the catalogue check names the schema that differs from the template
    assert report.checked == 3
    assert report.mismatched == ["rm_dois"]

    # when it runs again (after a crash, say): the migrated ones are skipped
    again = release_migrate(workers=0, schemas=schemas)
    assert {outcome.schema: outcome.status for outcome in again.outcomes} == {
        "rm_um": "skipped",
        "rm_dois": "failed",
        "rm_tres": "skipped",
    }
    assert again.plan.migrations == []
