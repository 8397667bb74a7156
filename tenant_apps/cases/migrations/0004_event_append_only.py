from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION cases_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'cases_caseevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_event_append_only
    BEFORE UPDATE OR DELETE ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION cases_event_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS cases_event_append_only ON cases_caseevent;
DROP FUNCTION IF EXISTS cases_event_append_only();
"""


class Migration(migrations.Migration):
    """The case history can only grow: the database itself refuses UPDATE and DELETE."""

    dependencies = [("cases", "0003_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
