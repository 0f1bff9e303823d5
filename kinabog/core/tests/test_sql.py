"""core.sql: models read through written-out statements come back as the ORM would build them."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinabog.core.sql import Columns, load_row, marks, select, table
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
