"""The access version: one row whose token database triggers replace on every write a Viewer depends on."""

from django.db import migrations, models

TABLE = "institutions_accessversion"
# table → the statement kinds that change what a Viewer holds (people: only which login they have).
WATCHED = {
    "institutions_person": "INSERT OR DELETE OR UPDATE OF login_id",
    "institutions_institutionprofile": "INSERT OR DELETE OR UPDATE",
    "institutions_institution": "INSERT OR DELETE OR UPDATE",
    "institutions_municipality": "INSERT OR DELETE OR UPDATE",
    "institutions_municipaladministrator": "INSERT OR DELETE OR UPDATE",
    "institutions_rolepermission": "INSERT OR DELETE OR UPDATE",
    "institutions_membership": "INSERT OR DELETE OR UPDATE",
    "institutions_relation": "INSERT OR DELETE OR UPDATE",
    "institutions_grouppart": "INSERT OR DELETE OR UPDATE",
}


def create_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    run = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        run(f"INSERT INTO {TABLE} (id, token) VALUES (1, md5(random()::text || clock_timestamp()::text))")
        run(
            f"""CREATE OR REPLACE FUNCTION kinabog_bump_access_version() RETURNS trigger AS $$
            BEGIN
              UPDATE {TABLE} SET token = md5(random()::text || clock_timestamp()::text) WHERE id = 1;
              RETURN NULL;
            END $$ LANGUAGE plpgsql"""
        )
        for table, events in WATCHED.items():
            run(
                f"CREATE TRIGGER kinabog_access_version AFTER {events} OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION kinabog_bump_access_version()"
            )
    elif vendor == "sqlite":
        run(f"INSERT INTO {TABLE} (id, token) VALUES (1, lower(hex(randomblob(16))))")
        bump = f"UPDATE {TABLE} SET token = lower(hex(randomblob(16))) WHERE id = 1;"
        for table, events in WATCHED.items():
            for event in events.split(" OR "):
                name = f"kinabog_access_version_{table}_{event.split()[0].lower()}"
                run(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {bump} END")
    # Other databases get no triggers and no row: the Viewer is then built on every request, never cached.


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    run = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in WATCHED:
            run(f"DROP TRIGGER IF EXISTS kinabog_access_version ON {table}")
        run("DROP FUNCTION IF EXISTS kinabog_bump_access_version()")
    elif vendor == "sqlite":
        for table, events in WATCHED.items():
            for event in events.split(" OR "):
                run(f"DROP TRIGGER IF EXISTS kinabog_access_version_{table}_{event.split()[0].lower()}")
    run(f"DELETE FROM {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("institutions", "0003_message_read_status"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccessVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=40)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
