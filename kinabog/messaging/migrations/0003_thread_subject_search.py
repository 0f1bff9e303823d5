"""A GIN index for Danish full-text search in thread subjects, on PostgreSQL only.

Message search counts every message of a thread whose subject matches. With this index the matching
threads are found without computing a document per subject; `messaging.queries` then joins their ids
with the message text's own index (migration 0002). Built CONCURRENTLY, like that one.
"""

from django.db import migrations

INDEX = "messaging_thread_subject_danish"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("messaging", "Thread")._meta.db_table
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON {table} "
        "USING GIN (to_tsvector('danish'::regconfig, subject))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("messaging", "0002_message_text_search"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
