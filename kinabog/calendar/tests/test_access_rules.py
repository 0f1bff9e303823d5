"""Who manages an event, and inputs at the edge of the calendar: found in review, kept fixed by these tests."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinabog.calendar import notify, occurrence_actions
from kinabog.calendar.models import Event, Resource, TimeSlot
from kinabog.calendar.tests.test_resources import book, room, weekly_series
from kinabog.consents.models import Consent
from kinabog.core.errors import InvalidInput
from kinabog.core.testing import sign_in
from kinabog.institutions.models import Group, InstitutionProfile, Person
from kinabog.notifications.models import Notification

from .conftest import local, sofie, viewer

pytestmark = pytest.mark.django_db


def signed_in(username: str, role: str | None = None) -> Client:
    client = Client()
    sign_in(client, username, role=role)
    return client


def tomorrow_at(hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def event_for(group_name: str, creator: str) -> Event:
    """An event of a group, made by a colleague of the institution (as an import or an earlier role would)."""
    group = Group.objects.get(name=group_name)
    profile = InstitutionProfile.objects.get(
        person__login__username=creator, institution_id=group.institution_id, role="employee"
    )
    event = Event.objects.create(
        institution_id=group.institution_id,
        creator=profile,
        title="Forældrekaffe",
        starts_at=tomorrow_at(8),
        ends_at=tomorrow_at(9),
    )
    event.groups.add(group)
    return event


def test_staff_manage_only_events_of_their_groups_unless_they_lead_the_institution() -> None:
    event = event_for("Grøn stue", "anders")  # anders leads Katamaranen; karin works in Blå stue
    karin = signed_in("karin", "employee")
    for name in ("calendar:edit_event", "calendar:delete_event"):
        assert karin.get(reverse(name, args=[event.id])).status_code == 404
    assert karin.post(reverse("calendar:delete_event", args=[event.id])).status_code == 404
    assert Event.objects.filter(pk=event.id).exists()
    assert "Forældrekaffe" not in karin.get(reverse("calendar:week")).content.decode()
    # Her own group's event she manages; the leader manages both.
    own = event_for("Blå stue", "anders")
    assert karin.get(reverse("calendar:edit_event", args=[own.id])).status_code == 200
    anders = signed_in("anders", "employee")
    assert anders.get(reverse("calendar:edit_event", args=[event.id])).status_code == 200


def test_birthdays_of_a_group_whose_members_do_not_see_each_other_are_for_its_staff_only() -> None:
    emil = Person.objects.get(first_name="Emil")
    mette = Person.objects.get(first_name="Mette")
    Consent.objects.update_or_create(
        child=emil,
        kind="birthday_in_group",
        defaults={"given": True, "answered_by": mette, "answered_at": timezone.now()},
    )
    blaa = Group.objects.get(name="Blå stue")
    assert emil.birth_date is not None
    month = f"?maaned={timezone.localdate().year:04d}-{emil.birth_date.month:02d}"
    url = reverse("calendar:birthdays", args=[blaa.id]) + month
    assert "Emil" in signed_in("mette", "guardian").get(url).content.decode()
    Group.objects.filter(pk=blaa.pk).update(members_see_members=False)
    assert "Emil" not in signed_in("mette", "guardian").get(url).content.decode()
    assert "Emil" in signed_in("karin", "employee").get(url).content.decode()


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("calendar:birthdays", "?maaned=9999-12"),
        ("calendar:resource", None),
        ("calendar:day", "?dato=9999-12-31"),
        ("calendar:month", "?maaned=0001-01"),
    ],
)
def test_dates_at_the_edge_of_the_calendar_answer_without_an_error(name: str, query: str | None) -> None:
    client = signed_in("anders", "employee")
    if name == "calendar:birthdays":
        url = reverse(name, args=[Group.objects.get(name="Blå stue").id]) + (query or "")
    elif name == "calendar:resource":
        room = Resource.objects.filter(institution_id=Group.objects.get(name="Blå stue").institution_id).first()
        assert room is not None
        url = reverse(name, args=[room.id]) + "?uge=9999-12-31"
    else:
        url = reverse(name) + (query or "")
    assert client.get(url).status_code in (200, 400)


def test_a_cancelled_booking_does_not_swallow_the_cancellation_of_the_event(conference: Event) -> None:
    slot = TimeSlot.objects.filter(event=conference).order_by("id").first()
    assert slot is not None
    child = sofie()
    birgitte = Person.objects.get(login__username="birgitte")
    mette = Person.objects.get(login__username="mette")
    # A booking id equal to the child's id once made both notifications share a key.
    notify.booking_changed(conference.id, slot.id, child.id, birgitte.id, child.id, by_staff=True, cancelled=True)
    notify.cancelled(conference, birgitte.id)
    assert Notification.objects.filter(person=mette, event_type=notify.CANCELLED).count() == 1


def test_moving_the_last_time_past_midnight_is_checked_for_room_clashes() -> None:
    resource = room()
    book(resource, day=11, start=10, end=11, title="Anden booking")
    series = weekly_series(resource, day=3, start=9, end=10, weeks=2)
    last = series.repeat_until
    assert last == local(10, 9).date()
    with pytest.raises(InvalidInput):
        occurrence_actions.move_occurrence(viewer("karin"), series.id, last, local(10, 23), local(11, 20))
