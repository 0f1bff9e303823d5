"""core.sql: models read through written-out statements come back as the ORM would build them."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinabog.core.sql import marks, select
from kinabog.institutions.models import InstitutionProfile
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
