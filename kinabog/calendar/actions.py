"""Writes of the calendar: check access → write → audit. Bookings are taken under a row lock."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput, NotFound, Refused
from kinabog.core.files import delete_stored
from kinabog.core.html import sanitise
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import Group, Membership

from . import access, invitee_queries, notify, occurrence_actions, queries, recurrence, resource_actions, tasks
from .models import Booking, Event, EventAttachment, EventType, FeedToken, Invitation, Repeat, Response, TimeSlot

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
    resource_ids: tuple[int, ...] = ()  # rooms and equipment of the event's institution
    # Repetition (Aula's repeatTypeEnum): weekdays 0 = Monday … 6 = Sunday; a series needs its last date.
    repeat: str = Repeat.NEVER
    repeat_interval: int = 1
    repeat_weekdays: tuple[int, ...] = ()
    repeat_until: date | None = None
    # Påmind: minutes before each time starts at which invitees are reminded; None: no reminder.
    reminder_minutes: int | None = None


def _creator_profile_id(viewer: Viewer, institution_id: int) -> int:
    return next(p.id for p in viewer.profiles if p.institution_id == institution_id)


def _groups_for(viewer: Viewer, group_ids: tuple[int, ...], event: Event | None = None) -> list[Group]:
    """The chosen groups, checked: the viewer's own groups, and (editing) the groups the event already has."""
    if not group_ids:
        raise InvalidInput(_("Choose a group."), field="group")
    groups = [g for g in queries.event_group_choices(viewer, event) if g.id in set(group_ids)]
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


def _audience(viewer: Viewer, data: EventInput, event: Event | None = None) -> tuple[list[Group], int, set[int]]:
    """The chosen groups, the institution of the event and the individually invited profiles, checked."""
    groups = _groups_for(viewer, data.group_ids, event) if data.group_ids else []
    individuals = set(data.invitee_profile_ids)
    institutions_of = invitee_queries.invitable_institutions(viewer, individuals)
    if set(institutions_of) != individuals:
        raise InvalidInput(_("You cannot invite one of the chosen people."), field="invitees")
    institutions = {g.institution_id for g in groups} | set(institutions_of.values())
    if event is not None:
        institutions.add(event.institution_id)
    if not groups and not individuals:
        raise InvalidInput(_("Choose a group or people to invite."), field="group")
    if len(institutions) != 1 or None in institutions:
        raise InvalidInput(_("Choose groups and people of one institution."), field="group")
    [institution_id] = institutions
    assert institution_id is not None
    return groups, institution_id, individuals


def _apply(event: Event, data: EventInput, types: list[str]) -> None:
    """Copy the input onto the event and check its repetition (the first time may move to the series' first
    date)."""
    if data.type not in types:
        raise InvalidInput(_("Choose a type."), field="type")
    if any(not 0 <= day <= 6 for day in data.repeat_weekdays):
        raise InvalidInput(_("Choose at least one weekday."), field="repeat_weekdays")
    starts_at, ends_at = data.starts_at, data.ends_at
    if data.all_day:
        starts_at, ends_at = queries.window(timezone.localtime(starts_at).date(), timezone.localtime(ends_at).date())
        ends_at -= timedelta(seconds=1)
    event.type = data.type
    event.title = data.title.strip()
    event.description = sanitise(data.description)
    event.place = data.place.strip()[:200]
    event.starts_at, event.ends_at = starts_at, ends_at
    event.all_day = data.all_day
    event.response_required = data.response_required
    event.repeat = data.repeat
    event.repeat_interval = data.repeat_interval
    event.repeat_weekdays = recurrence.weekday_mask(data.repeat_weekdays)
    event.repeat_until = data.repeat_until
    if data.reminder_minutes is not None and data.reminder_minutes not in queries.REMINDER_MINUTES:
        raise InvalidInput(_("Choose when to remind."), field="reminder_minutes")
    event.reminder_minutes = data.reminder_minutes
    recurrence.check_series(event)


def max_invitees() -> int:
    return int(getattr(settings, "KINABOG_CALENDAR_MAX_INVITEES", 2000))


def _check_limit(count: int) -> None:
    """Refuse an event that would reach more people than KINABOG_CALENDAR_MAX_INVITEES."""
    limit = max_invitees()
    if count > limit:
        raise InvalidInput(
            _("An event can invite at most %(limit)s people. The chosen groups and people are %(count)s.")
            % {"limit": limit, "count": count},
            field="group",
        )


def _invitees(groups: list[Group], individuals: set[int], response_required: bool, creator_id: int | None) -> set[int]:
    """Whom the event invites: the groups' members when an answer is wanted, and the individually chosen.

    Everyone the event reaches counts towards the limit (KINABOG_CALENDAR_MAX_INVITEES), asked to answer or
    not; over the limit nothing is written.
    """
    members = invitee_queries.group_member_ids(g.id for g in groups)
    reached = (members | individuals) - {creator_id}
    _check_limit(len(reached))
    return (reached if response_required else individuals) - {creator_id}


def _sync_invitations(event: Event, wanted: set[int]) -> set[int]:
    """Invite those wanted and not yet invited; drop those no longer wanted. Answers of those still invited
    are kept. Returns the newly invited profile ids."""
    existing = set(Invitation.objects.filter(event=event).values_list("profile_id", flat=True))
    if existing - wanted:
        Invitation.objects.filter(event=event, profile_id__in=list(existing - wanted)).delete()
    new = wanted - existing
    if new:
        Invitation.objects.bulk_create([Invitation(event=event, profile_id=p) for p in new], ignore_conflicts=True)
    return new


@transaction.atomic
def create_event(viewer: Viewer, data: EventInput) -> Event:
    """Create an event or a series for groups and individually invited people.

    The groups' members are invited when an answer is wanted; individually chosen people always are, so
    the event reaches them.
    """
    _check_times(data)
    groups, institution_id, individuals = _audience(viewer, data)
    if not access.can_create_events(viewer, institution_id):
        raise Refused(_("You may not create events."))
    event = Event(institution_id=institution_id, creator_id=_creator_profile_id(viewer, institution_id))
    _apply(event, data, EventType.values)
    invitees = _invitees(groups, individuals, data.response_required, event.creator_id)
    event.save()
    event.groups.set(groups)
    if data.resource_ids:
        resource_actions.book_resources(viewer, event, data.resource_ids)
    _sync_invitations(event, invitees)
    audit.record(actor_id=viewer.user_id, action="create_event", obj=event, assurance_level=viewer.assurance_level)
    transaction.on_commit(lambda: tasks.schedule_notification("invited", event.id))
    return event


@transaction.atomic
def update_event(viewer: Viewer, event_id: int, data: EventInput) -> Event:
    """Change an event, or a whole series, as those managing it.

    Invitations follow the groups and people chosen: new members are invited, those still invited keep
    their answers, those no longer invited lose their invitation. Cancelled or moved times of dates the
    changed series no longer has are dropped. Samtaler are changed on their own pages.
    """
    event = queries.get_editable_event(viewer, event_id)
    _check_times(data)
    groups, _institution_id, individuals = _audience(viewer, data, event)
    _apply(event, data, queries.EVENT_TYPE_VALUES)
    invitees = _invitees(groups, individuals, data.response_required, event.creator_id)
    event.save()
    event.groups.set(groups)
    occurrence_actions.drop_stale_exceptions(event)
    resource_actions.book_resources(viewer, event, data.resource_ids)  # none chosen: the bookings end
    _sync_invitations(event, invitees)
    audit.record(actor_id=viewer.user_id, action="update_event", obj=event, assurance_level=viewer.assurance_level)
    stamp = int(event.updated_at.timestamp() * 1000)
    transaction.on_commit(lambda: tasks.schedule_notification("changed", event.id, stamp))
    return event


@transaction.atomic
def delete_event(viewer: Viewer, event_id: int) -> None:
    """Delete an event or a whole series with its invitations, answers, exceptions and files."""
    event = queries.get_managed_event(viewer, event_id)
    audit.record(actor_id=viewer.user_id, action="delete_event", obj=event, assurance_level=viewer.assurance_level)
    notify.cancelled(event, viewer.person_id)  # before the delete: who it was for is read from the event
    files = list(EventAttachment.objects.filter(event=event).values_list("file", flat=True))
    event.delete()
    if files:
        transaction.on_commit(lambda: delete_stored(files))


def invite(viewer: Viewer, event: Event, profile_ids: tuple[int, ...] = (), *, with_groups: bool = False) -> int:
    """Invite the event's groups' members and named profiles: one read and one bulk insert."""
    if not access.can_manage_event(viewer, event):
        raise NotFound
    invitees = set(profile_ids)
    if with_groups:
        invitees |= set(
            Membership.objects.filter(group__in=list(event.groups.all()), profile__is_active=True).values_list(
                "profile_id", flat=True
            )
        )
    invitees -= viewer.profile_ids
    already = set(Invitation.objects.filter(event=event).values_list("profile_id", flat=True))
    _check_limit(len(already | invitees))
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
    staff = access.can_manage_event(viewer, event)
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
    if slot.blocked:
        raise InvalidInput(_("This time is not offered. Choose another."), field="slot")
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
    _notify_booking(viewer, booking, by_staff=staff, cancelled=False)
    return booking


def _notify_booking(viewer: Viewer, booking: Booking, *, by_staff: bool, cancelled: bool) -> None:
    """After commit: the samtale's creator hears of a family's booking, the guardians of staff's."""
    args = (booking.event_id, booking.slot_id, booking.child_id, viewer.person_id, booking.id)
    transaction.on_commit(
        lambda: tasks.schedule_notification("booking_changed", *args, by_staff=by_staff, cancelled=cancelled)
    )


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
    _notify_booking(viewer, booking, by_staff=staff, cancelled=True)
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
