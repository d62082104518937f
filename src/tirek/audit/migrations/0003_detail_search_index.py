"""A GIN index on the entries' detail, on PostgreSQL: the data protection officer's filter
by case asks which entries' detail contains the case (``audit.selectors._detail_is``);
without it PostgreSQL reads every entry of the log, and the log grows with every read.

PostgreSQL only: SQLite has no index over JSON contents (there the filter reads the log).
Built concurrently, so a large log stays writable while it is built."""

from django.db import migrations

INDEX = "audit_detail_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
            "ON audit_auditentry USING gin (detail jsonb_path_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("audit", "0002_action_disclosure")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
