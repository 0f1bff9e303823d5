"""Komme/gå through the actions: check-in races, bad input, guardians, kiosk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kinabog.core.errors import InvalidInput, NotFound
from kinabog.institutions.models import InstitutionProfile, Person
from kinabog.institutions.queries import build_viewer
from kinabog.presence import actions, queries
from kinabog.presence.models import PresenceDay, PresenceEvent, Status

pytestmark = pytest.mark.django_db


def viewer(username: str, role: str | None = None, level: int = 2):
    person = Person.objects.get(login__username=username)
    return build_viewer(person.login_id, role, level)


def child(first: str) -> InstitutionProfile:
    return InstitutionProfile.objects.get(
        person__first_name=first,
        role__in=["child", "pupil"],
        institution__kind__in=["daycare", "family_daycare", "sfo", "club"],
    )


def test_karin_checks_emil_in_and_mette_sees_it():
    emil = child("Emil")
    actions.check_in(viewer("karin"), emil.id)
    rows = {r.profile.id: r for r in queries.guardian_children(viewer("mette"), timezone.localdate())}
    assert rows[emil.id].status == Status.PRESENT
    assert rows[emil.id].day.checked_in_by.first_name == "Karin"


def test_a_day_is_indexed_through_its_child_and_date_and_no_index_begins_with_the_date():
    """Decision 0019: every statement names a day by its child and date. An index beginning with the date took the
    check-out's lookup whenever the statistics knew none of today's days, and read every child's day of the date."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, PresenceDay._meta.db_table)
    indexed = {name: c["columns"] for name, c in constraints.items() if c["index"] or c["unique"]}
    assert ["child_id", "date"] in indexed.values()
    assert [columns for columns in indexed.values() if columns[0] == "date"] == []


def test_checking_in_twice_gives_one_day_and_one_event():
    emil = child("Emil")
    actions.check_in(viewer("karin"), emil.id)
    actions.check_in(viewer("anders"), emil.id)
    assert PresenceEvent.objects.filter(day__child=emil, action="check_in").count() == 1


def test_check_out_before_check_in_is_refused_and_changes_nothing():
    emil = child("Emil")
    with pytest.raises(InvalidInput):
        actions.check_out(viewer("karin"), emil.id)
    assert not PresenceEvent.objects.filter(day__child=emil).exists()


@pytest.mark.parametrize("username", ["mette", "birgitte", "ole", "hanne", "thomas", "lars"])
def test_others_cannot_check_emil_in(username):
    with pytest.raises(NotFound):
        actions.check_in(viewer(username), child("Emil").id)


def test_guardian_reports_sick_today_only_before_check_in():
    emil = child("Emil")
    actions.report_sick(viewer("mette", "guardian"), emil.id)
    with pytest.raises(InvalidInput):
        actions.check_in(viewer("karin"), emil.id)
    actions.report_sick(viewer("mette", "guardian"), emil.id, sick=False)
    actions.check_in(viewer("karin"), emil.id)
    with pytest.raises(InvalidInput):
        actions.report_sick(viewer("jonas", "guardian"), emil.id)
    with pytest.raises(NotFound):
        actions.report_sick(viewer("peter", "guardian"), child("Sofie").id)


def test_overlapping_vacation_is_refused():
    emil = child("Emil")
    mette = viewer("mette", "guardian")
    start = timezone.localdate() + timedelta(days=7)
    actions.register_vacation(mette, emil.id, start, start + timedelta(days=4))
    with pytest.raises(InvalidInput):
        actions.register_vacation(
            viewer("jonas", "guardian"), emil.id, start + timedelta(days=2), start + timedelta(days=9)
        )


def test_kiosk_pairs_checks_out_and_stops_when_revoked():
    emil = child("Emil")
    anders = viewer("anders")
    device, code = actions.create_kiosk(anders, emil.institution_id, "Entré", [])
    with pytest.raises(InvalidInput):
        actions.pair_kiosk("00000000" if code != "00000000" else "11111111")
    device, token = actions.pair_kiosk(code)
    with pytest.raises(InvalidInput):
        actions.pair_kiosk(code)  # one time only
    paired = actions.kiosk_device(token)
    actions.kiosk_check(paired, emil.id, check_in_child=True)
    actions.kiosk_check(paired, emil.id, check_in_child=False, picked_up_by="Mormor")
    event = PresenceEvent.objects.get(day__child=emil, action="check_out")
    assert event.device_id == device.id and event.actor_id is None
    actions.revoke_kiosk(anders, device.id)
    assert actions.kiosk_device(token) is None
    # A kiosk at Katamaranen cannot touch a child at Kahytten.
    _other, other_code = actions.create_kiosk(anders, emil.institution_id, "Stue", [])
    _d, other_token = actions.pair_kiosk(other_code)
    with pytest.raises(NotFound):
        actions.kiosk_check(actions.kiosk_device(other_token), child("Noah").id, check_in_child=True)


def test_karin_cannot_create_a_kiosk():
    with pytest.raises(NotFound):
        actions.create_kiosk(viewer("karin"), child("Emil").institution_id, "Entré", [])
