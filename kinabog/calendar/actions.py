"""Writes of the calendar: check access → write → audit. Bookings are taken under a row lock."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput, NotFound, Refused
from kinabog.core.html import sanitise
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import Group, Membership

from . import access, queries
from .models import Booking, Event, EventType, FeedToken, Invitation, Response, TimeSlot

TITLE_MAX = 200
MAX_SLOTS = 200


@dataclass(frozen=True)
class EventInput:
    title: str
    starts_at: datetime
    ends_at: datetime
    type: str = EventType.EVENT
    all_day: bool = False
    place: str = ""
    description: str = ""
    group_ids: tuple[int, ...] = ()
    invitee_profile_ids: tuple[int, ...] = ()
    response_required: bool = False


def _creator_profile_id(viewer: Viewer, institution_id: int) -> int:
    return next(p.id for p in viewer.profiles if p.institution_id == institution_id)


def _groups_for(viewer: Viewer, group_ids: tuple[int, ...]) -> list[Group]:
    if not group_ids:
        raise InvalidInput(_("Choose a group."), field="group")
    groups = [g for g in queries.my_groups_for_events(viewer) if g.id in set(group_ids)]
    if len(groups) != len(set(group_ids)):
        raise InvalidInput(_("You cannot create events for one of the chosen groups."), field="group")
    if len({g.institution_id for g in groups}) != 1:
        raise InvalidInput(_("Choose groups of one institution."), field="group")
    return groups


def _check_times(data: EventInput) -> None:
    if not data.title.strip():
        raise InvalidInput(_("Write a title."), field="title")
    if len(data.title.strip()) > TITLE_MAX:
        raise InvalidInput(_("The title is too long."), field="title")
    if data.ends_at < data.starts_at:
        raise InvalidInput(_("The event cannot end before it starts."), field="ends_at")


@transaction.atomic
def create_event(viewer: Viewer, data: EventInput) -> Event:
    """Create an event for groups; their members (and named profiles) are invited when an answer is wanted."""
    _check_times(data)
    if data.type not in EventType.values:
        raise InvalidInput(_("Choose a type."), field="type")
    groups = _groups_for(viewer, data.group_ids)
    institution_id = groups[0].institution_id
    assert institution_id is not None  # groups come from institutions where events are handled
    if not access.can_create_events(viewer, institution_id):
        raise Refused(_("You may not create events."))
    starts_at, ends_at = data.starts_at, data.ends_at
    if data.all_day:
        starts_at, ends_at = queries.window(timezone.localtime(starts_at).date(), timezone.localtime(ends_at).date())
        ends_at -= timedelta(seconds=1)
    event = Event.objects.create(
        institution_id=institution_id,
        creator_id=_creator_profile_id(viewer, institution_id),
        type=data.type,
        title=data.title.strip(),
        description=sanitise(data.description),
        place=data.place.strip()[:200],
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=data.all_day,
        response_required=data.response_required,
    )
    event.groups.set(groups)
    if data.response_required:
        invite(viewer, event, data.invitee_profile_ids, with_groups=True)
    audit.record(actor_id=viewer.user_id, action="create_event", obj=event, assurance_level=viewer.assurance_level)
    return event


def invite(viewer: Viewer, event: Event, profile_ids: tuple[int, ...] = (), *, with_groups: bool = False) -> int:
    """Invite the event's groups' members and named profiles: one read and one bulk insert."""
    if not access.can_manage_event(viewer, event.institution_id):
        raise NotFound
    invitees = set(profile_ids)
    if with_groups:
        invitees |= set(
            Membership.objects.filter(group__in=list(event.groups.all()), profile__is_active=True).values_list(
                "profile_id", flat=True
            )
        )
    invitees -= viewer.profile_ids
    rows = Invitation.objects.bulk_create(
        [Invitation(event=event, profile_id=p) for p in invitees], ignore_conflicts=True
    )
    return len(rows)


def answer(viewer: Viewer, event_id: int, invitation_id: int, response: str) -> Invitation:
    """Answer yes, no or maybe: for oneself, or as a guardian for a child."""
    if response not in (Response.ACCEPTED, Response.DECLINED, Response.TENTATIVE):
        raise InvalidInput(_("Choose yes, no or maybe."), field="response")
    invitation = queries.get_answerable_invitation(viewer, event_id, invitation_id)
    invitation.response = response
    invitation.answered_by_id = viewer.person_id
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["response", "answered_by", "answered_at"])
    return invitation


# --- Samtaler -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConferenceInput:
    title: str
    group_id: int
    day: date
    first_start: time
    last_end: time
    slot_minutes: int
    booking_deadline: datetime
    break_minutes: int = 0
    meetings_between_breaks: int = 0
    location: str = ""
    description: str = ""


def slot_times(data: ConferenceInput) -> list[tuple[datetime, datetime]]:
    """The meeting times from first start to last end, with a break after every n meetings."""
    tz = timezone.get_current_timezone()
    current = datetime.combine(data.day, data.first_start, tz)
    end = datetime.combine(data.day, data.last_end, tz)
    length = timedelta(minutes=data.slot_minutes)
    result: list[tuple[datetime, datetime]] = []
    while current + length <= end and len(result) < MAX_SLOTS:
        result.append((current, current + length))
        current += length
        if data.meetings_between_breaks and data.break_minutes and len(result) % data.meetings_between_breaks == 0:
            current += timedelta(minutes=data.break_minutes)
    return result


@transaction.atomic
def publish_conference(viewer: Viewer, data: ConferenceInput) -> Event:
    """Publish a samtale for a group's guardians: the slots are written with one bulk insert."""
    if not 5 <= data.slot_minutes <= 240:
        raise InvalidInput(_("A meeting lasts from 5 to 240 minutes."), field="slot_minutes")
    if data.break_minutes < 0 or data.meetings_between_breaks < 0:
        raise InvalidInput(_("Breaks cannot be negative."), field="break_minutes")
    times = slot_times(data)
    if not times:
        raise InvalidInput(_("There is no room for a meeting between the first start and the last end."), "last_end")
    if data.booking_deadline > times[0][0]:
        raise InvalidInput(_("The booking deadline must be before the first meeting."), field="booking_deadline")
    [group] = _groups_for(viewer, (data.group_id,))
    event = create_event(
        viewer,
        EventInput(
            title=data.title,
            starts_at=times[0][0],
            ends_at=times[-1][1],
            type=EventType.SCHOOL_HOME_MEETING,
            place=data.location,
            description=data.description,
            group_ids=(group.id,),
        ),
    )
    Event.objects.filter(pk=event.pk).update(
        slot_minutes=data.slot_minutes,
        break_minutes=data.break_minutes,
        meetings_between_breaks=data.meetings_between_breaks,
        booking_deadline=data.booking_deadline,
    )
    event.booking_deadline = data.booking_deadline
    location = data.location.strip()[:200]
    TimeSlot.objects.bulk_create([TimeSlot(event=event, starts_at=s, ends_at=e, location=location) for s, e in times])
    return event


def _check_child(viewer: Viewer, event: Event, child_id: int) -> bool:
    """Whether the viewer books as staff; NotFound when they may not book for this child at all."""
    staff = access.can_manage_event(viewer, event.institution_id)
    if not staff and not access.can_book_for(viewer, child_id):
        raise NotFound
    if child_id not in queries.children_of_conference(event):
        raise NotFound
    return staff


@transaction.atomic
def book(viewer: Viewer, event_id: int, slot_id: int, child_id: int) -> Booking:
    """Book a slot for a child, moving an earlier booking of the child. The slot row is locked first, and
    the unique constraint on the slot's booking settles a race the lock cannot (a database without locks)."""
    event = queries.get_conference(viewer, event_id)
    staff = _check_child(viewer, event, child_id)
    if not staff and queries.is_past_deadline(event):
        raise InvalidInput(_("The booking deadline has passed."), field="slot")
    slot = TimeSlot.objects.select_for_update().filter(pk=slot_id, event=event).first()
    if slot is None:
        raise NotFound
    taken = Booking.objects.filter(slot=slot).first()
    if taken is not None:
        if taken.child_id == child_id:
            return taken
        raise InvalidInput(_("Someone else has just booked this time. Choose another."), field="slot")
    Booking.objects.filter(event=event, child_id=child_id).delete()
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                event=event, slot=slot, child_id=child_id, booked_by_id=viewer.person_id, booked_at=timezone.now()
            )
    except IntegrityError:
        raise InvalidInput(_("Someone else has just booked this time. Choose another."), field="slot") from None
    audit.record(actor_id=viewer.user_id, action="book_slot", obj=booking, assurance_level=viewer.assurance_level)
    return booking


@transaction.atomic
def cancel_booking(viewer: Viewer, event_id: int, child_id: int) -> None:
    event = queries.get_conference(viewer, event_id)
    staff = _check_child(viewer, event, child_id)
    if not staff and queries.is_past_deadline(event):
        raise InvalidInput(_("The booking deadline has passed."), field="slot")
    booking = Booking.objects.filter(event=event, child_id=child_id).first()
    if booking is None:
        raise NotFound
    audit.record(actor_id=viewer.user_id, action="cancel_booking", obj=booking, assurance_level=viewer.assurance_level)
    booking.delete()


# --- iCal -----------------------------------------------------------------------------------------------


def regenerate_feed_token(viewer: Viewer) -> FeedToken:
    """A new private address; the old one stops working at once."""
    if viewer.person_id is None or viewer.portal_role is None:
        raise NotFound
    row, _created = FeedToken.objects.update_or_create(
        person_id=viewer.person_id,
        defaults={"token": secrets.token_urlsafe(32), "portal_role": viewer.portal_role},
    )
    return row


def revoke_feed_token(viewer: Viewer) -> None:
    if viewer.person_id is not None:
        FeedToken.objects.filter(person_id=viewer.person_id).delete()
