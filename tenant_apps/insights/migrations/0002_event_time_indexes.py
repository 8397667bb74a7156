"""Indexes on the moment of each event the incremental aggregation reads (cases opened, closed,
moved; requests for information answered; documents and notifications created), so a run over the
last day reads that day's rows only. They live on other apps' tables but serve only this module's
queries; `IF NOT EXISTS` keeps them harmless if an app adds the same index later."""

from django.db import migrations

INDEXES = (
    ("insights_case_opened_at_idx", "cases_case", "opened_at"),
    ("insights_case_closed_at_idx", "cases_case", "closed_at"),
    ("insights_casemove_created_idx", "cases_casemove", "created_at"),
    ("insights_casemove_case_idx", "cases_casemove", "case_id, created_at, id"),
    ("insights_inforeq_answered_idx", "cases_informationrequest", "answered_at"),
    ("insights_manifest_rated_idx", "ombudsman_manifestation", "rated_at"),
    ("insights_manifest_extended_idx", "ombudsman_manifestation", "extended_at"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_initial"),
        ("cases", "0006_appointment_event_kinds"),
        ("documents", "0001_initial"),
        ("notifications", "0003_notification_attachments"),
        ("comms", "0001_initial"),
        ("ombudsman", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, columns in INDEXES
    ]
