"""Make the audit log append-only in the database itself, not only in Python.

On PostgreSQL and SQLite a trigger aborts any UPDATE or DELETE of an audit row (and of a
membership-log row), whatever code or SQL console issues it.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLES = ["audit_auditevent", "membership_membershiprecord"]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION coopgov_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'coopgov: % is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION coopgov_refuse_change();"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'coopgov: {table} is append-only: {op} refused'); END;"
                )


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        elif vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op};")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("membership", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
