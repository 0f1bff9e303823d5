"""core.sql: models read through written-out statements come back as the ORM would build them."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.db import connection
from django.db.models import Model, signals
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinabog.core.sql import Columns, Read, any_of, insert, load_row, loaded, marks, select, select_each, table
from kinabog.institutions.models import InstitutionProfile, Person
from kinabog.presence.models import PresenceDay, PresenceTemplate, Status, VacationRegistration

pytestmark = pytest.mark.usefixtures("demo")


def emil() -> InstitutionProfile:
    return InstitutionProfile.objects.get(person__first_name="Emil", role="child", institution__kind="daycare")


def values(row: Model) -> dict[str, object]:
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}


def test_select_reads_dates_times_and_booleans_as_the_orm_does():
    child = emil()
    today = timezone.localdate()
    PresenceTemplate.objects.create(child=child, by_date=today, entry_time=time(7, 45), exit_time=time(15, 30))
    PresenceTemplate.objects.create(child=child, by_date=today - timedelta(days=7), exit_with="Mormor")
    PresenceDay.objects.create(
        child=child, date=today, status=Status.PRESENT, check_in_at=timezone.now(), comment="Glad i dag"
    )
    VacationRegistration.objects.create(
        child_id=child.person_id, start_date=today + timedelta(days=3), end_date=today + timedelta(days=5)
    )

    templates = select(PresenceTemplate, "child_id = %s ORDER BY by_date DESC", [child.id])
    assert [values(t) for t in templates] == [
        values(t) for t in PresenceTemplate.objects.filter(child=child).order_by("-by_date")
    ]
    assert templates[0].entry_time == time(7, 45) and templates[0].by_date == today
    day = select(PresenceDay, "child_id = %s AND date = %s", [child.id, connection.ops.adapt_datefield_value(today)])
    assert [values(d) for d in day] == [values(PresenceDay.objects.get(child=child, date=today))]
    vacations = select(VacationRegistration, f"child_id IN ({marks([child.person_id])})", [child.person_id])
    expected = VacationRegistration.objects.filter(child_id=child.person_id)
    assert [values(v) for v in vacations] == [values(v) for v in expected]
    (profile,) = select(InstitutionProfile, "id = %s", [child.id])
    assert values(profile) == values(child) and profile.is_active is True


def test_select_is_one_statement_and_loads_no_relation():
    child = emil()
    PresenceTemplate.objects.create(child=child, by_date=timezone.localdate())
    with CaptureQueriesContext(connection) as queries:
        (template,) = select(PresenceTemplate, "child_id = %s", [child.id])
        assert template.child_id == child.id and template.pk is not None
    assert len(queries.captured_queries) == 1
    assert select(PresenceTemplate, "child_id = %s", [-1]) == []


def test_select_each_answers_what_select_answers_for_each_read_in_order(monkeypatch):
    child = emil()
    today = timezone.localdate()
    PresenceTemplate.objects.create(child=child, by_date=today, entry_time=time(7, 45))
    PresenceDay.objects.create(child=child, date=today, status=Status.PRESENT, check_in_at=timezone.now())
    day = connection.ops.adapt_datefield_value(today)
    reads = [
        Read(PresenceDay, "child_id = %s AND date = %s", [child.id, day]),
        Read(PresenceTemplate, "child_id = %s ORDER BY id", [child.id]),
        Read(VacationRegistration, "child_id = %s", [child.person_id]),
        Read(InstitutionProfile, "id = %s", [child.id]),
    ]
    pipelines = []
    if connection.vendor == "postgresql":  # the statements go to the server together, in one pipeline
        connection.ensure_connection()
        raw = type(connection.connection)
        original = raw.pipeline
        monkeypatch.setattr(raw, "pipeline", lambda self: pipelines.append(1) or original(self))
    with CaptureQueriesContext(connection) as queries:
        answers = select_each(*reads)
    assert len(queries.captured_queries) == len(reads)
    assert len(pipelines) == (1 if connection.vendor == "postgresql" else 0)
    assert [[values(row) for row in answer] for answer in answers] == [
        [values(row) for row in select(*read)] for read in reads
    ]
    assert [len(answer) for answer in answers] == [1, 1, 0, 1]
    assert select_each() == []


def test_any_of_finds_the_rows_of_any_number_of_values_in_one_statement_text():
    profiles = list(InstitutionProfile.objects.order_by("id").values_list("id", flat=True)[:5])
    texts = set()
    for chosen in ([], profiles[:1], profiles[:3], [*profiles, -1], [-1]):
        condition, params = any_of("id", chosen)
        found = select(InstitutionProfile, f"{condition} ORDER BY id", params)
        assert [p.id for p in found] == sorted(set(chosen) - {-1})
        if len(chosen) > 1:
            texts.add(condition)
    assert any_of("id", [7]) == ("id = %s", [7])
    # PostgreSQL is sent one text for every number of values above one (prepared once); SQLite one per number.
    assert len(texts) == (1 if connection.vendor == "postgresql" else 2)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="plans of prepared statements: PostgreSQL's")
def test_any_of_lets_postgresql_keep_one_plan_for_any_values():
    """With `= ANY(%s)` a plan for the values at hand (two children) looked cheaper than one for any values, and
    PostgreSQL planned the statement on every call (decision 0021): now it keeps the plan once it is prepared."""
    if "prepare_threshold" not in connection.settings_dict.get("OPTIONS", {}):
        pytest.skip("prepared statements are off (DATABASE_PREPARED_STATEMENTS=false)")
    profiles = list(InstitutionProfile.objects.order_by("id").values_list("id", flat=True)[:2])
    condition, params = any_of("p.id", profiles)
    marker = "kinabog any_of plan test"
    sql = f"SELECT p.id FROM {table(InstitutionProfile)} p WHERE {condition} AND p.is_active /* {marker} */"  # noqa: S608
    for _ in range(20):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            assert sorted(row[0] for row in cursor.fetchall()) == profiles
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{marker}%"]
        )
        (generic, custom), *others = cursor.fetchall()
    assert others == []
    assert generic >= 10, (generic, custom)


def test_columns_load_a_joined_row_share_by_share():
    child = emil()
    profile_columns = Columns(InstitutionProfile, "p", ["is_active", "id", "person_id"])
    person_columns = Columns(Person, "pe", ["id", "first_name"])
    sql = (
        f"SELECT {profile_columns.sql}, {person_columns.sql} FROM {table(InstitutionProfile)} p "  # noqa: S608 - from the models
        f"LEFT JOIN {table(Person)} pe ON pe.id = p.person_id AND pe.first_name = %s WHERE p.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ["Emil", child.id])
        (found,) = cursor.fetchall()
        cursor.execute(sql, ["Nobody", child.id])
        (missed,) = cursor.fetchall()
    profile, person = load_row(found, [profile_columns, person_columns])
    assert profile is not None and person is not None
    assert (profile.id, profile.person_id, profile.is_active) == (child.id, child.person_id, True)
    assert profile.get_deferred_fields() >= {"role", "institution_id"} and person.first_name == "Emil"
    assert person_columns.load(missed, profile_columns.width) is None  # the outer join found no person
    with CaptureQueriesContext(connection) as queries:
        assert profile.role == "child"  # a column not read loads when asked for, as after .only()
    assert len(queries.captured_queries) == 1
    with pytest.raises(ValueError, match="no columns"):
        Columns(Person, "pe", ["id", "shoe_size"])


def test_loaded_instances_behave_as_the_orms_and_init_listeners_are_still_called():
    child = emil()
    columns = Columns(InstitutionProfile, "p", ["id", "person_id", "role"])
    sql = f"SELECT {columns.sql} FROM {table(InstitutionProfile)} p WHERE p.id = %s"  # noqa: S608 - from the model
    with connection.cursor() as cursor:
        cursor.execute(sql, [child.id])
        (row,) = cursor.fetchall()
    profile = columns.load(row)
    assert profile is not None and profile == child and profile._state.adding is False
    assert profile._state.db == connection.alias
    assert (
        profile.get_deferred_fields()
        == InstitutionProfile.objects.only("id", "person_id", "role").get(id=child.id).get_deferred_fields()
    )
    profile.role = "child"
    profile.save(update_fields=["role"])  # an instance from the database saves as an update
    assert InstitutionProfile.objects.filter(id=child.id).count() == 1
    assert profile.person.first_name == "Emil"  # a relation loads as from any instance

    initialised: list[object] = []

    def listener(sender: type[Model], instance: Model, **kwargs: object) -> None:
        initialised.append(instance)

    signals.post_init.connect(listener, sender=InstitutionProfile)
    try:
        listened = Columns(InstitutionProfile, "p", ["id", "person_id", "role"])
        again = listened.load(row)
    finally:
        signals.post_init.disconnect(listener, sender=InstitutionProfile)
    assert initialised == [again] and (again.id, again.person_id, again.role) == (child.id, child.person_id, "child")


def test_an_instance_loaded_from_written_values_is_the_orms_and_init_listeners_are_still_called():
    child = emil()
    values = {"id": child.id, "person_id": child.person_id, "role": "child", "not_a_column": 1}
    profile = loaded(InstitutionProfile, values)
    assert profile == child and profile._state.adding is False and profile._state.db == connection.alias
    deferred = InstitutionProfile.objects.only("id", "person_id", "role").get(id=child.id).get_deferred_fields()
    assert profile.get_deferred_fields() == deferred
    assert not hasattr(profile, "not_a_column")
    with CaptureQueriesContext(connection) as queries:
        assert profile.institution_id == child.institution_id  # a column not given loads when asked for
    assert len(queries.captured_queries) == 1
    profile.role = "child"
    profile.save(update_fields=["role"])  # saved as an update of the row it came from
    assert InstitutionProfile.objects.filter(id=child.id).count() == 1

    initialised: list[object] = []

    def listener(sender: type[Model], instance: Model, **kwargs: object) -> None:
        initialised.append(instance)

    signals.post_init.connect(listener, sender=InstitutionProfile)
    try:
        again = loaded(InstitutionProfile, values)
    finally:
        signals.post_init.disconnect(listener, sender=InstitutionProfile)
    assert initialised == [again] and again.role == "child" and again.get_deferred_fields() == deferred


def test_insert_writes_one_row_as_the_orm_would_and_answers_it_with_its_id():
    child = emil()
    today = timezone.localdate()
    moment = timezone.now()
    written = {
        "child_id": child.id,
        "date": today,
        "status": Status.PRESENT,
        "check_in_at": moment,
        "check_out_at": None,
        "comment": "Glad i dag",
    }
    columns = {f.attname for f in PresenceDay._meta.concrete_fields if not f.primary_key}
    stamps = {name: moment for name in ("created_at", "updated_at") if name in columns}  # the caller writes them
    written |= stamps | {name: getattr(PresenceDay(), name) for name in columns - set(written) - set(stamps)}
    with CaptureQueriesContext(connection) as queries:
        day = insert(PresenceDay, written)
    assert len(queries.captured_queries) == 1 and day.pk is not None and not day._state.adding
    stored = PresenceDay.objects.get(pk=day.pk)
    assert values(stored) == values(day)  # dates, moments and booleans as the ORM reads them back
    assert stored.check_in_at == moment and stored.date == today and stored.child == child
    again = insert(PresenceDay, {**written, "date": today + timedelta(days=1)})  # the statement, built once
    assert again.pk != day.pk and PresenceDay.objects.filter(child=child).count() == 2
