"""calendar.getEventById, answering, booking and blocking samtale times, and series in the event lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kinabog.calendar import actions, invitee_queries, queries
from kinabog.core.testing import assert_max_queries
from kinabog.institutions import queries as institution_queries
from kinabog.notifications.models import Notification

from .conftest import AulaClient, ok, status_of
from .test_calendar import aula_time, sofie_school_id, viewer

pytestmark = pytest.mark.django_db
# The session, the viewer and the csrfp check take about 24 queries; getEventById adds a fixed handful.
BUDGET = 34


def group_3b_id() -> int:
    return next(g.id for g in institution_queries.my_groups(viewer("birgitte", "employee")) if g.name == "3.B")


def times_of(event: Any) -> list[Any]:
    """The samtale's times, each with its booking (and child) loaded when booked."""
    return queries.slots_of(event)


def bookings(event: Any) -> dict[int, str]:
    """Slot id → the booked child's first name."""
    return {s.id: s.booking.child.first_name for s in times_of(event) if hasattr(s, "booking")}


def blocked(event: Any, slot: Any) -> bool:
    return next(s.blocked for s in times_of(event) if s.id == slot.id)


def invitations(event: Any) -> dict[int, Any]:
    """Institution profile id → its invitation, as staff see them."""
    return {
        row.invitation.profile_id: row.invitation for row in queries.invitations(viewer("birgitte", "employee"), event)
    }


def sofie_person_id() -> int:
    return next(
        c.person.id
        for c in institution_queries.my_children(viewer("mette", "guardian"))
        if c.person.first_name == "Sofie"
    )


@pytest.fixture
def another(token_for: Callable[..., str]) -> Callable[..., AulaClient]:
    """A second Aula client (a second person), through the whole bootstrap."""

    def bootstrap(username: str, role: str) -> AulaClient:
        client = AulaClient(Client())
        client.sign_in(token_for(username))
        client.activate(role)
        return client

    return bootstrap


def samtale() -> Any:
    """Birgitte's samtaler for 3.B next week: four 15-minute times from 14:00."""
    day = timezone.localdate() + timedelta(days=7)
    return actions.publish_conference(
        viewer("birgitte", "employee"),
        actions.ConferenceInput(
            title="Skole-hjem-samtaler",
            group_id=group_3b_id(),
            day=day,
            first_start=time(14, 0),
            last_end=time(15, 0),
            slot_minutes=15,
            booking_deadline=timezone.now() + timedelta(days=3),
        ),
    )


def trip(response_required: bool = True, **extra: Any) -> Any:
    now = timezone.now()
    return actions.create_event(
        viewer("birgitte", "employee"),
        actions.EventInput(
            title="Tur til skoven",
            type="excursion",
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, hours=4),
            group_ids=(group_3b_id(),),
            response_required=response_required,
            **extra,
        ),
    )


def book(aula: AulaClient, event: Any, slot: Any, method: str = "calendar.respondToTimeSlotEvent") -> Any:
    return aula.post(
        method,
        {
            "eventId": event.id,
            "timeSlotId": slot.id,
            "timeSlotIndex": 0,
            "concerningInstProfileId": sofie_school_id(),
            "responseTypeEnum": "accepted",
        },
    )


def test_mette_books_birgitte_hears_of_it_and_jonas_sees_it(
    signed_in: Callable[..., AulaClient],
    another: Callable[..., AulaClient],
    django_capture_on_commit_callbacks: Any,
) -> None:
    event = samtale()
    first, second = times_of(event)[:2]
    mette = signed_in("mette", "guardian")
    with django_capture_on_commit_callbacks(execute=True):
        assert ok(book(mette, event, first)) is True
    assert bookings(event) == {first.id: "Sofie"}
    [note] = Notification.objects.filter(person__login__username="birgitte", event_type="SomeoneElseRespondedToEvent")
    assert "Sofie Hansen" in note.title

    with django_capture_on_commit_callbacks(execute=True):
        ok(book(mette, event, second, "calendar.updateResponseToTimeSlotEvent"))  # moved
    assert bookings(event) == {second.id: "Sofie"}

    jonas = another("jonas", "guardian")
    details = ok(jonas.get("calendar.getEventById", eventId=event.id))
    assert details["title"] == "Skole-hjem-samtaler" and details["type"] == "schoolHomeMeeting"
    slots = details["timeSlot"]["timeSlots"]
    assert [s["id"] for s in slots] == [t.id for t in times_of(event)]
    [answer] = [a for s in slots if s["id"] == second.id for a in s["answers"]]
    assert answer["concerningProfile"]["id"] == sofie_school_id()
    assert answer["instProfile"]["fullName"] == "Mette Hansen"
    assert [s["answers"] for s in slots if s["id"] == first.id] == [[]]
    assert details["timeSlot"]["canUpdateResponseToEvent"] is True
    assert details["startDateTime"].startswith(timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"))


def test_another_familys_booking_shows_as_taken_without_whose(
    signed_in: Callable[..., AulaClient], another: Callable[..., AulaClient]
) -> None:
    event = samtale()
    first = times_of(event)[0]
    classmate = next(p for p in queries.children_of_conference(event) if p != sofie_person_id())
    actions.book(viewer("birgitte", "employee"), event.id, first.id, classmate)
    mette = signed_in("mette", "guardian")
    slots = ok(mette.get("calendar.getEventById", eventId=event.id))["timeSlot"]["timeSlots"]
    [taken] = [s for s in slots if s["id"] == first.id]
    assert taken["answers"] == [
        {"id": None, "selectedTimeSlotIndex": 0, "concerningProfile": None, "instProfile": None}
    ]
    birgitte = another("birgitte", "employee")
    staff_slots = ok(birgitte.get("calendar.getEventById", eventId=event.id))["timeSlot"]["timeSlots"]
    [seen] = [s for s in staff_slots if s["id"] == first.id]
    assert seen["answers"][0]["concerningProfile"]["profileId"] == classmate


def test_a_blocked_time_cannot_be_booked_and_only_staff_block(
    signed_in: Callable[..., AulaClient], another: Callable[..., AulaClient]
) -> None:
    event = samtale()
    first = times_of(event)[0]
    birgitte = signed_in("birgitte", "employee")
    ok(birgitte.post("calendar.blockTimeSlot", {"eventId": event.id, "timeSlotId": first.id, "timeSlotIndex": 0}))
    assert blocked(event, first)

    mette = another("mette", "guardian")
    refused = book(mette, event, first)
    assert refused.status_code == 200 and status_of(refused)["code"] == 40
    assert bookings(event) == {}
    assert mette.post("calendar.blockTimeSlot", {"eventId": event.id, "timeSlotId": first.id}).status_code == 404
    slots = ok(mette.get("calendar.getEventById", eventId=event.id))["timeSlot"]["timeSlots"]
    assert [s["isBlocked"] for s in slots if s["id"] == first.id] == [True]

    ok(birgitte.post("calendar.removeBlockingOrResponseToTimeSlot", eventId=event.id, timeSlotId=first.id))
    assert not blocked(event, first)
    ok(book(mette, event, first))
    # Mette cancels her booking; cancelling a time she has not booked is not found.
    second = times_of(event)[1]
    cancel = {"eventId": event.id, "concerningInstitutionProfileId": sofie_school_id()}
    assert mette.post("calendar.removeBlockingOrResponseToTimeSlot", timeSlotId=second.id, **cancel).status_code == 404
    ok(mette.post("calendar.removeBlockingOrResponseToTimeSlot", timeSlotId=first.id, **cancel))
    assert bookings(event) == {}


def test_peter_without_custody_cannot_book_for_sofie(another: Callable[..., AulaClient]) -> None:
    event = samtale()
    first = times_of(event)[0]
    peter = another("peter", "guardian")
    assert book(peter, event, first).status_code == 404
    assert bookings(event) == {}


def test_respond_to_simple_event_for_ones_own_child_and_not_another(signed_in: Callable[..., AulaClient]) -> None:
    event = trip()
    mette = signed_in("mette", "guardian")
    invited = invitations(event)
    sofie = invited[sofie_school_id()]
    other = next(i for p, i in invited.items() if p != sofie.profile_id and i.profile.role == "pupil")
    body = {"eventId": event.id, "responseType": "declined", "invitedInstProfileId": other.profile_id}
    assert mette.post("calendar.respondToSimpleEvent", body).status_code == 404
    assert invitations(event)[other.profile_id].response == "waiting"

    bad = mette.post(
        "calendar.respondToSimpleEvent", {**body, "invitedInstProfileId": sofie.profile_id, "responseType": "maybe"}
    )
    assert status_of(bad)["code"] == 40
    ok(mette.post("calendar.respondToSimpleEvent", {**body, "invitedInstProfileId": sofie.profile_id}))
    assert invitations(event)[sofie.profile_id].response == "declined"
    [invitee] = ok(mette.get("calendar.getEventById", eventId=event.id))["invitees"]
    assert invitee["instProfile"]["id"] == sofie_school_id() and invitee["responseType"] == "declined"
    assert invitee["responseDateTime"] is not None and invitee["instProfile"]["email"] is None


def test_an_event_one_may_not_see_is_not_found(another: Callable[..., AulaClient]) -> None:
    event = trip()
    for username in ("peter", "lars"):
        assert another(username, "guardian").get("calendar.getEventById", eventId=event.id).status_code == 404
    assert another("karin", "employee").get("calendar.getEventById", eventId=987654).status_code == 404


def test_get_event_by_id_does_not_grow_with_invitees(signed_in: Callable[..., AulaClient]) -> None:
    event = trip()
    birgitte = signed_in("birgitte", "employee")
    ok(birgitte.get("calendar.getEventById", eventId=event.id))  # warm the session
    with assert_max_queries(BUDGET) as few:
        small = ok(birgitte.get("calendar.getEventById", eventId=event.id))
    more = [c.id for c in invitee_queries.find_invitees(viewer("birgitte", "employee"), "en")]
    assert len(more) >= 3
    actions.invite(viewer("birgitte", "employee"), event, tuple(more))
    with assert_max_queries(BUDGET) as many:
        large = ok(birgitte.get("calendar.getEventById", eventId=event.id))
    assert len(large["invitees"]) > len(small["invitees"]) >= 1
    assert len(many) == len(few)

    conference = samtale()
    pupils = list(queries.children_of_conference(conference))
    times = times_of(conference)
    actions.book(viewer("birgitte", "employee"), conference.id, times[0].id, pupils[0])
    with assert_max_queries(BUDGET) as one:
        ok(birgitte.get("calendar.getEventById", eventId=conference.id))
    for slot, child in zip(times[1:], pupils[1:], strict=False):
        actions.book(viewer("birgitte", "employee"), conference.id, slot.id, child)
    with assert_max_queries(BUDGET) as all_booked:
        answers = ok(birgitte.get("calendar.getEventById", eventId=conference.id))["timeSlot"]["timeSlots"]
    assert all(s["answers"] for s in answers)
    assert len(all_booked) == len(one)


def test_a_weekly_series_comes_once_per_time_in_the_window(signed_in: Callable[..., AulaClient]) -> None:
    start = timezone.localtime() + timedelta(days=2)
    series = trip(
        response_required=False,
        repeat="weekly",
        repeat_weekdays=(start.weekday(),),
        repeat_until=(start + timedelta(days=60)).date(),
    )
    mette = signed_in("mette", "guardian")
    rows = ok(
        mette.post(
            "calendar.getEventsByProfileIdsAndResourceIds",
            {"instProfileIds": [sofie_school_id()], "resourceIds": [], "start": aula_time(0), "end": aula_time(22)},
        )
    )
    times = [r for r in rows if r["id"] == series.id]
    assert len(times) == 3  # days 2, 9 and 16
    assert len({r["startDateTime"] for r in times}) == 3
    assert all(r["repeating"]["pattern"] == "weekly" and r["repeating"]["interval"] == 1 for r in times)
    assert times[0]["repeating"]["weekdayMask"][series.starts_at.astimezone(timezone.get_current_timezone()).weekday()]
    assert [r["occurrenceDateTime"] for r in times] == [r["startDateTime"] for r in times]
