"""A GIN index for Danish full-text search in message text, on PostgreSQL only.

The expression is the one `messaging.queries.DanishDocument` filters on, so the planner can use it.
It is built CONCURRENTLY so a large message table stays writable while it is created; SQLite has no
full-text index here (search falls back to substring matching there).
"""

from django.db import migrations

INDEX = "messaging_message_text_danish"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("messaging", "Message")._meta.db_table
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON {table} "
        "USING GIN (to_tsvector('danish'::regconfig, text))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("messaging", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
