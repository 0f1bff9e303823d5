"""Helpers shared by the calendar tests: viewers of the demo people and a published samtale for 3.B."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from kinabog.calendar import actions
from kinabog.calendar.models import Event
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import Group, InstitutionProfile, Person
from kinabog.institutions.queries import build_viewer


def viewer(username: str, role: str | None = None) -> Viewer:
    return build_viewer(get_user_model().objects.get(username=username).pk, role, 2)


def group_3b() -> Group:
    return Group.objects.get(name="3.B")


def sofie() -> Person:
    return Person.objects.get(first_name="Sofie")


def classmate_with_login() -> tuple[Person, str]:
    """Another 3.B pupil, with a login given to their parent: a second family."""
    child = (
        Person.objects.filter(profiles__memberships__group=group_3b(), profiles__role="pupil")
        .exclude(pk=sofie().pk)
        .order_by("id")
        .first()
    )
    assert child is not None
    relation = child.guardian_relations.select_related("guardian").first()
    assert relation is not None
    parent = relation.guardian
    user = get_user_model().objects.create_user(username="anden-forælder", password="demo")
    parent.login = user
    parent.save(update_fields=["login"])
    return child, "anden-forælder"


@pytest.fixture
def conference() -> Event:
    """Birgitte's samtaler for 3.B next week: six 15-minute times from 14:00, booking open for three days."""
    day = timezone.localdate() + timedelta(days=7)
    return actions.publish_conference(
        viewer("birgitte"),
        actions.ConferenceInput(
            title="Skole-hjem-samtaler",
            group_id=group_3b().id,
            day=day,
            first_start=time(14, 0),
            last_end=time(15, 40),
            slot_minutes=15,
            break_minutes=10,
            meetings_between_breaks=3,
            location="Lokale 12",
            booking_deadline=timezone.now() + timedelta(days=3),
        ),
    )


def birgitte_profile() -> InstitutionProfile:
    return InstitutionProfile.objects.get(person__login__username="birgitte", role="employee")


def local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, minute), timezone.get_current_timezone())
