"""Reads behind the Aula-compatible calendar methods: one event in detail, and the ids those methods
name (an invitee's institution profile, a child's profile on a samtale). Scoped by access; each read runs
a fixed number of queries however many invitees, times or bookings the event has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from kinabog.core.errors import NotFound
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import Group, InstitutionProfile, Membership, ProfileRole

from . import access, queries
from .models import Booking, Event, EventAttachment, EventType, Invitation, TimeSlot

CHILD_ROLES = (ProfileRole.CHILD, ProfileRole.PUPIL)


@dataclass(frozen=True)
class SlotAnswer:
    """A booking the viewer may see: their own children's, or every booking for staff managing the samtale."""

    booking: Booking
    child_profile: InstitutionProfile | None  # the child's profile at the event's institution (person loaded)
    booker_profile: InstitutionProfile | None  # who booked, at the event's institution (person loaded)


@dataclass(frozen=True)
class SlotView:
    slot: TimeSlot
    taken: bool  # booked by anyone; whose booking shows only in `answer`
    answer: SlotAnswer | None


@dataclass(frozen=True)
class EventDetails:
    event: Event
    manages: bool
    invitations: list[queries.InvitationView]
    slots: list[SlotView]
    past_deadline: bool
    attachments: list[EventAttachment] = field(default_factory=list)


def event_details(viewer: Viewer, event_id: int) -> EventDetails:
    """One event the viewer sees (NotFound otherwise) with its files, the invitations they may see and, for a
    samtale, its times: staff managing it see every booking, guardians their own children's (both custody
    parents alike), everyone which times are taken or blocked."""
    event = (
        queries.visible_events(viewer)
        .filter(pk=event_id)
        .select_related("institution", "creator__person")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.select_related("institution")), "resources")
        .first()
    )
    if event is None:
        raise NotFound
    manages = access.can_manage_event(viewer, event)
    slots: list[SlotView] = []
    if event.type == EventType.SCHOOL_HOME_MEETING:
        slots = _slots(viewer, event, manages)
    return EventDetails(
        event=event,
        manages=manages,
        invitations=queries.invitations(viewer, event),
        slots=slots,
        past_deadline=queries.is_past_deadline(event),
        attachments=queries.attachments_of(event),
    )


def _slots(viewer: Viewer, event: Event, manages: bool) -> list[SlotView]:
    rows = list(TimeSlot.objects.filter(event=event).select_related("booking").order_by("starts_at", "id"))
    children = access.acting_for(viewer)
    bookings = {s.id: s.booking for s in rows if hasattr(s, "booking")}
    shown = {slot_id: b for slot_id, b in bookings.items() if manages or b.child_id in children}
    people = {b.child_id for b in shown.values()} | {b.booked_by_id for b in shown.values() if b.booked_by_id}
    child_profiles: dict[int, InstitutionProfile] = {}
    adult_profiles: dict[int, InstitutionProfile] = {}
    if people:
        for profile in InstitutionProfile.objects.filter(
            person_id__in=people, institution_id=event.institution_id
        ).select_related("person", "institution"):
            target = child_profiles if profile.role in CHILD_ROLES else adult_profiles
            target.setdefault(profile.person_id, profile)
    result = []
    for slot in rows:
        booking = shown.get(slot.id)
        answer = None
        if booking is not None:
            booker = adult_profiles.get(booking.booked_by_id) if booking.booked_by_id else None
            answer = SlotAnswer(booking, child_profiles.get(booking.child_id), booker)
        result.append(SlotView(slot, slot.id in bookings, answer))
    return result


def invitation_id_of_profile(viewer: Viewer, event_id: int, profile_id: int) -> int:
    """The id of the invitation of an institution profile to an event the viewer sees; NotFound otherwise.

    Whether the viewer may answer it (their own, or a child's they act for) is the answering action's check.
    """
    event = queries.get_event(viewer, event_id)
    found = Invitation.objects.filter(event=event, profile_id=profile_id).values_list("id", flat=True).first()
    if found is None:
        raise NotFound
    return found


def conference_child_of_profile(viewer: Viewer, event_id: int, profile_id: int) -> int:
    """The person id of a child or pupil whose institution profile is in the samtale's groups.

    NotFound when the samtale is not one the viewer sees or the profile is not one of its children; whether
    the viewer may book for the child is the booking action's check.
    """
    event = queries.get_conference(viewer, event_id)
    found = (
        Membership.objects.filter(
            group__in=list(event.groups.all()),
            profile_id=profile_id,
            profile__is_active=True,
            profile__role__in=CHILD_ROLES,
        )
        .values_list("profile__person_id", flat=True)
        .first()
    )
    if found is None:
        raise NotFound
    return found


def booked_slot_id(event_id: int, child_id: int) -> int | None:
    """The slot a child has booked on a samtale, if any (the caller has checked the samtale is visible)."""
    return Booking.objects.filter(event_id=event_id, child_id=child_id).values_list("slot_id", flat=True).first()
