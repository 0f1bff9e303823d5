"""Samtaler through HTTP: publishing, booking, both custody parents, no custody, races, deadlines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kinabog.calendar import actions
from kinabog.calendar.models import Booking, Event, TimeSlot
from kinabog.core.errors import InvalidInput, NotFound
from kinabog.core.testing import assert_max_queries, sign_in
from kinabog.institutions.models import Person

from .conftest import classmate_with_login, group_3b, sofie, viewer

pytestmark = pytest.mark.django_db


def test_birgitte_publishes_slots_through_the_form(client: Client) -> None:
    sign_in(client, "birgitte", role="employee")
    day = timezone.localdate() + timedelta(days=10)
    response = client.post(
        reverse("calendar:create_conference"),
        {
            "title": "Skole-hjem-samtaler 3.B",
            "group": group_3b().id,
            "day": day.isoformat(),
            "first_start": "14:00",
            "last_end": "16:00",
            "slot_minutes": "20",
            "meetings_between_breaks": "2",
            "break_minutes": "10",
            "location": "Lokale 12",
            "booking_deadline": f"{(day - timedelta(days=2)).isoformat()}T12:00",
        },
    )
    event = Event.objects.get(title="Skole-hjem-samtaler 3.B")
    assert response.status_code == 302 and response["Location"] == reverse("calendar:slots", args=[event.id])
    starts = [timezone.localtime(s.starts_at).strftime("%H:%M") for s in TimeSlot.objects.filter(event=event)]
    assert starts == ["14:00", "14:20", "14:50", "15:10", "15:40"]
    page = client.get(reverse("calendar:slots", args=[event.id])).content.decode()
    assert "Sofie" in page and "Ikke booket endnu" in page


def test_a_guardian_cannot_publish_slots(client: Client) -> None:
    sign_in(client, "mette", role="guardian")
    assert client.get(reverse("calendar:create_conference")).status_code == 404


def test_mette_books_and_jonas_sees_it_peter_does_not(client: Client, conference: Event) -> None:
    slot = TimeSlot.objects.filter(event=conference).order_by("starts_at")[1]
    sign_in(client, "mette", role="guardian")
    book_url = reverse("calendar:book", args=[conference.id])
    assert client.get(book_url).status_code == 200
    response = client.post(book_url, {"child": sofie().id, "slot": slot.id, "action": "book"})
    assert response.status_code == 302
    booking = Booking.objects.get(event=conference, child=sofie())
    assert booking.slot_id == slot.id

    jonas = Client()
    sign_in(jonas, "jonas", role="guardian")
    page = jonas.get(book_url).content.decode()
    assert "Booket:" in page and "14:15" in page
    week = jonas.get(reverse("calendar:week"), {"uge": conference.starts_at.date().isoformat()}).content.decode()
    assert "Skole-hjem-samtaler: Sofie" in week

    peter = Client()
    sign_in(peter, "peter", role="guardian")
    assert peter.get(book_url).status_code == 404
    assert peter.post(book_url, {"child": sofie().id, "slot": slot.id}).status_code == 404
    week = peter.get(reverse("calendar:week"), {"uge": conference.starts_at.date().isoformat()}).content.decode()
    assert "Skole-hjem-samtaler" not in week


def test_moving_a_booking_keeps_one_per_child(conference: Event) -> None:
    first, second = TimeSlot.objects.filter(event=conference).order_by("starts_at")[:2]
    actions.book(viewer("mette", "guardian"), conference.id, first.id, sofie().id)
    actions.book(viewer("jonas", "guardian"), conference.id, second.id, sofie().id)
    assert list(Booking.objects.filter(event=conference).values_list("slot_id", flat=True)) == [second.id]
    actions.cancel_booking(viewer("mette", "guardian"), conference.id, sofie().id)
    assert not Booking.objects.filter(event=conference).exists()


def test_a_second_family_cannot_take_the_same_slot(client: Client, conference: Event) -> None:
    slot = TimeSlot.objects.filter(event=conference).first()
    assert slot is not None
    actions.book(viewer("mette", "guardian"), conference.id, slot.id, sofie().id)
    child, username = classmate_with_login()
    sign_in(client, username, role="guardian")
    url = reverse("calendar:book", args=[conference.id])
    response = client.post(url, {"child": child.id, "slot": slot.id, "action": "book"}, follow=True)
    assert "Nogen har lige booket denne tid" in response.content.decode()
    assert Booking.objects.get(slot=slot).child_id == sofie().id
    with pytest.raises(InvalidInput):
        actions.book(viewer(username, "guardian"), conference.id, slot.id, child.id)


def test_the_unique_constraint_settles_a_race_the_lock_missed(conference: Event) -> None:
    """The other family's row arrived between our check and our insert: the database refuses the second one."""
    slot = TimeSlot.objects.filter(event=conference).first()
    assert slot is not None
    child, _username = classmate_with_login()
    Booking.objects.create(event=conference, slot=slot, child=child, booked_at=timezone.now())
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(event=conference, slot=slot, child=sofie(), booked_at=timezone.now())


def test_booking_after_the_deadline_is_refused(client: Client, conference: Event) -> None:
    Event.objects.filter(pk=conference.pk).update(booking_deadline=timezone.now() - timedelta(minutes=1))
    slot = TimeSlot.objects.filter(event=conference).first()
    assert slot is not None
    sign_in(client, "mette", role="guardian")
    url = reverse("calendar:book", args=[conference.id])
    response = client.post(url, {"child": sofie().id, "slot": slot.id, "action": "book"}, follow=True)
    assert "Fristen for at booke er overskredet" in response.content.decode()
    assert not Booking.objects.filter(event=conference).exists()


def test_staff_see_who_has_not_booked_and_book_on_behalf(client: Client, conference: Event) -> None:
    slot = TimeSlot.objects.filter(event=conference).order_by("starts_at").last()
    assert slot is not None
    sign_in(client, "birgitte", role="employee")
    url = reverse("calendar:slots", args=[conference.id])
    assert "Sofie Hansen" in client.get(url).content.decode()
    client.post(url, {"child": sofie().id, "slot": slot.id})
    assert Booking.objects.get(event=conference, child=sofie()).slot_id == slot.id
    page = client.get(url).content.decode()
    not_booked = page.split("Ikke booket endnu")[1]
    assert "Sofie Hansen" not in not_booked


def test_peter_cannot_book_through_the_action(conference: Event) -> None:
    slot = TimeSlot.objects.filter(event=conference).first()
    assert slot is not None
    with pytest.raises(NotFound):
        actions.book(viewer("peter", "guardian"), conference.id, slot.id, sofie().id)


def test_booking_page_query_count_is_fixed(client: Client, conference: Event) -> None:
    sign_in(client, "mette", role="guardian")
    url = reverse("calendar:book", args=[conference.id])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    others = Person.objects.filter(profiles__memberships__group=group_3b(), profiles__role="pupil").exclude(
        pk=sofie().pk
    )
    for slot, child in zip(TimeSlot.objects.filter(event=conference)[1:4], others, strict=False):
        Booking.objects.create(event=conference, slot=slot, child=child, booked_at=timezone.now())
    actions.book(
        viewer("mette", "guardian"), conference.id, TimeSlot.objects.filter(event=conference)[0].id, sofie().id
    )
    with assert_max_queries(len(few.captured_queries)):
        client.get(url)
