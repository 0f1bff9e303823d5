"""Reads of the calendar, already scoped by access, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinabog.core.errors import NotFound, Refused
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import Group, Membership, Person, PortalRole, ProfileRole

from . import access, recurrence
from .models import (
    Booking,
    Event,
    EventAttachment,
    EventException,
    EventType,
    FeedToken,
    Invitation,
    Repeat,
    Response,
    TimeSlot,
)
from .recurrence import Occurrence
from .recurrence import weekdays_of as weekdays_of  # the event form reads a series' weekdays from here

# The types staff choose for a plain event; samtaler have their own page.
EVENT_TYPE_CHOICES = [
    (EventType.EVENT.value, EventType.EVENT.label),
    (EventType.EXCURSION.value, EventType.EXCURSION.label),
    (EventType.PARENTAL_MEETING.value, EventType.PARENTAL_MEETING.label),
    (EventType.HOLIDAY.value, EventType.HOLIDAY.label),
]
EVENT_TYPE_VALUES = [value for value, _label in EVENT_TYPE_CHOICES]
# Changed on their own pages (samtaler) or by the timetable import (lessons), not on the event form.
NOT_EDITABLE_TYPES = frozenset({EventType.SCHOOL_HOME_MEETING.value, EventType.LESSON.value})
REPEAT_CHOICES = Repeat.choices
# Påmind: when invitees are reminded, in minutes before each time starts (empty: no reminder).
REMINDER_CHOICES = [
    ("", _("No reminder")),
    (15, _("15 minutes before")),
    (60, _("1 hour before")),
    (24 * 60, _("1 day before")),
    (2 * 24 * 60, _("2 days before")),
]
REMINDER_MINUTES = frozenset(minutes for minutes, _label in REMINDER_CHOICES if minutes)
UPCOMING_COUNT = 5


# Dates outside these years are answered as unreadable input: the calendar's arithmetic (a week on, the
# day before a window) must never leave the range Python's dates can hold.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def readable_year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def window(start: date, end: date) -> tuple[datetime, datetime]:
    """Local days [start, end] as an aware half-open interval."""
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


def visible_events(viewer: Viewer) -> QuerySet[Event]:
    ids = Event.objects.filter(access.visible_events_condition(viewer)).values("id")
    return Event.objects.filter(id__in=ids)


def overlapping(start: datetime, end: datetime) -> Q:
    """Events (single or series) that may have an occurrence overlapping [start, end).

    A series counts from its first start to its last date; moved exceptions are kept within the series'
    span by the actions, so this never misses one.
    """
    single = Q(repeat=Repeat.NEVER, ends_at__gte=start)
    series = ~Q(repeat=Repeat.NEVER) & Q(repeat_until__gte=timezone.localtime(start).date() - timedelta(days=1))
    return Q(starts_at__lt=end) & (single | series)


def events_between(viewer: Viewer, start: datetime, end: datetime) -> list[Event]:
    """Events with an occurrence overlapping [start, end), with groups, institution and exceptions loaded.

    Four queries however many events, groups or exceptions.
    """
    return list(
        with_attachment_flag(visible_events(viewer))
        .filter(overlapping(start, end))
        .select_related("institution", "creator__person")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")), "exceptions")
        .order_by("starts_at", "id")
    )


def expand(events: list[Event], start: datetime, end: datetime) -> list[Occurrence]:
    """The occurrences of already-loaded events (exceptions prefetched) in [start, end), by start."""
    result = [o for event in events for o in recurrence.occurrences(event, start, end, event.exceptions.all())]
    result.sort(key=lambda o: (o.starts_at, o.event.id))
    return result


def occurrences_between(viewer: Viewer, start: datetime, end: datetime) -> list[Occurrence]:
    """Every occurrence the viewer sees in [start, end): single events once, series once per repetition."""
    return expand(events_between(viewer, start, end), start, end)


def get_event(viewer: Viewer, event_id: int) -> Event:
    event = (
        visible_events(viewer)
        .filter(pk=event_id)
        .select_related("institution", "creator__person")
        .prefetch_related("groups")
        .first()
    )
    if event is None:
        raise NotFound
    return event


def get_managed_event(viewer: Viewer, event_id: int) -> Event:
    event = get_event(viewer, event_id)
    if not access.can_manage_event(viewer, event):
        raise NotFound
    return event


def may_edit(viewer: Viewer, event: Event) -> bool:
    """Whether the edit page is open: those managing the event; samtaler are changed on their own pages and
    lessons by the timetable import."""
    return access.can_manage_event(viewer, event) and event.type not in NOT_EDITABLE_TYPES


def get_editable_event(viewer: Viewer, event_id: int) -> Event:
    event = get_managed_event(viewer, event_id)
    if event.type in NOT_EDITABLE_TYPES:
        raise NotFound
    return event


def get_managed_series(viewer: Viewer, event_id: int) -> tuple[Event, list[EventException]]:
    """A repeating event the viewer manages, with its cancelled and moved times."""
    event = get_managed_event(viewer, event_id)
    if event.repeat == Repeat.NEVER:
        raise NotFound
    return event, exceptions_of(event)


def exceptions_of(event: Event) -> list[EventException]:
    if event.repeat == Repeat.NEVER:
        return []
    return list(EventException.objects.filter(event=event).order_by("occurrence_date"))


def event_group_choices(viewer: Viewer, event: Event | None = None) -> list[Group]:
    """Groups an event may be for: the viewer's groups where they handle events; editing, of the event's
    institution, plus the groups the event already has (a leader may edit an event for a group they are
    not in)."""
    groups = my_groups_for_events(viewer)
    if event is None:
        return groups
    groups = [g for g in groups if g.institution_id == event.institution_id]
    known = {g.id for g in groups}
    missing = [g.id for g in event.groups.all() if g.id not in known]
    if missing:
        groups += list(Group.objects.filter(id__in=missing).select_related("institution"))
    return sorted(groups, key=lambda g: (g.name, g.id))


def occurrence_on(event: Event, exceptions: list[EventException], day: date | None) -> Occurrence | None:
    """The time of the series on a date (moved if so); None when cancelled or not a date of the series."""
    return recurrence.occurrence_on(event, day, exceptions) if day is not None else None


# --- Files ----------------------------------------------------------------------------------------------


def attachments_of(event: Event) -> list[EventAttachment]:
    """The files of an event the caller has already found visible, in their order: one query however many."""
    return list(EventAttachment.objects.filter(event=event).order_by("position", "id"))


def open_attachment(viewer: Viewer, attachment_id: int) -> EventAttachment:
    """A file of an event the viewer sees; NotFound otherwise (the same answer as a file that does not exist)."""
    row = EventAttachment.objects.filter(pk=attachment_id, event__in=visible_events(viewer).values("id")).first()
    if row is None:
        raise NotFound
    return row


def with_attachment_flag(events: QuerySet[Event]) -> QuerySet[Event]:
    """`has_attachments` on each event, in the list's own query (no query per event)."""
    return events.annotate(has_attachments=Exists(EventAttachment.objects.filter(event=OuterRef("pk"))))


@dataclass(frozen=True)
class SeriesView:
    """The repetition of an event for its page: in words, the next times and (for staff) the changed ones."""

    description: str
    upcoming: list[Occurrence]
    exceptions: list[EventException]
    selected: Occurrence | None  # the time asked for with ?dato=, if the series has it


def series_view(event: Event, selected_date: date | None = None) -> SeriesView | None:
    """None for a single event; one query for the exceptions otherwise."""
    if event.repeat == Repeat.NEVER or event.repeat_until is None:
        return None
    exceptions = exceptions_of(event)
    _first, end = window(event.repeat_until, event.repeat_until + timedelta(days=1))
    upcoming = recurrence.occurrences(event, timezone.now(), end, exceptions)[:UPCOMING_COUNT]
    selected = occurrence_on(event, exceptions, selected_date)
    return SeriesView(recurrence.describe(event), upcoming, exceptions, selected)


@dataclass(frozen=True)
class BookingView:
    booking: Booking
    child_name: str


def my_bookings(viewer: Viewer, start: datetime | None = None, end: datetime | None = None) -> list[BookingView]:
    """Bookings of the children the viewer acts for (both custody parents see the same)."""
    children = access.acting_for(viewer)
    if not children:
        return []
    rows = Booking.objects.filter(child_id__in=list(children)).select_related("slot", "event", "child")
    if start is not None and end is not None:
        rows = rows.filter(slot__starts_at__lt=end, slot__ends_at__gte=start)
    names = _child_names(viewer)
    return [BookingView(b, names.get(b.child_id, b.child.first_name)) for b in rows.order_by("slot__starts_at")]


def _child_names(viewer: Viewer) -> dict[int, str]:
    return {c.person.id: c.display_name for c in institution_queries.my_children(viewer)}


@dataclass(frozen=True)
class Day:
    date: date
    events: list[Occurrence]
    bookings: list[BookingView]


def week(viewer: Viewer, monday: date) -> list[Day]:
    """The seven days from Monday: the viewer's events and their children's bookings."""
    start, end = window(monday, monday + timedelta(days=6))
    events = occurrences_between(viewer, start, end)
    bookings = my_bookings(viewer, start, end)
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        day_start, day_end = window(day, day)
        days.append(
            Day(
                date=day,
                events=[e for e in events if e.starts_at < day_end and e.ends_at >= day_start],
                bookings=[b for b in bookings if day_start <= b.booking.slot.starts_at < day_end],
            )
        )
    return days


def my_groups_for_events(viewer: Viewer) -> list[Group]:
    """Groups the viewer may create events for: those of institutions where they handle events."""
    institutions = access.event_institutions(viewer)
    if not institutions:
        return []
    return list(
        Group.objects.filter(institution_id__in=list(institutions), id__in=list(viewer.group_ids))
        .select_related("institution")
        .order_by("name")
    )


# --- Invitations --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationView:
    invitation: Invitation
    name: str
    may_answer: bool


def invitations(viewer: Viewer, event: Event) -> list[InvitationView]:
    """The invitations the viewer may answer; staff managing the event see all of them."""
    manages = access.can_manage_event(viewer, event)
    children = access.acting_for(viewer)
    rows = (
        Invitation.objects.filter(event=event)
        .select_related("profile__person")
        .order_by("profile__person__first_name", "id")
    )
    if not manages:
        rows = rows.filter(profile__person_id__in=[*children, viewer.person_id or 0])
    result = []
    for invitation in rows:
        person = invitation.profile.person
        mine = person.id == viewer.person_id or person.id in children
        name = institution_queries.display_name(viewer, person, {invitation.profile.institution_id})
        result.append(InvitationView(invitation, name, mine))
    return result


def get_answerable_invitation(viewer: Viewer, event_id: int, invitation_id: int) -> Invitation:
    event = get_event(viewer, event_id)
    invitation = Invitation.objects.filter(pk=invitation_id, event=event).select_related("profile").first()
    if invitation is None:
        raise NotFound
    person_id = invitation.profile.person_id
    if person_id != viewer.person_id and person_id not in access.acting_for(viewer):
        raise NotFound
    return invitation


def answer_counts(event: Event) -> dict[str, int]:
    counts = dict.fromkeys(Response.values, 0)
    for response in Invitation.objects.filter(event=event).values_list("response", flat=True):
        counts[response] += 1
    return counts


# --- Samtaler -------------------------------------------------------------------------------------------


def get_conference(viewer: Viewer, event_id: int) -> Event:
    event = get_event(viewer, event_id)
    if event.type != EventType.SCHOOL_HOME_MEETING:
        raise NotFound
    return event


def slots_of(event: Event) -> list[TimeSlot]:
    return list(TimeSlot.objects.filter(event=event).select_related("booking__child").order_by("starts_at"))


def get_slot(event: Event, slot_id: int) -> TimeSlot:
    slot = TimeSlot.objects.filter(pk=slot_id, event=event).first()
    if slot is None:
        raise NotFound
    return slot


@dataclass(frozen=True)
class ChildToBook:
    person_id: int
    name: str
    booking: Booking | None


def children_of_conference(event: Event) -> dict[int, Person]:
    """The children and pupils of the samtale's groups, by person id."""
    memberships = Membership.objects.filter(
        group__in=list(event.groups.all()),
        profile__is_active=True,
        profile__role__in=[ProfileRole.CHILD, ProfileRole.PUPIL],
    ).select_related("profile__person")
    return {m.profile.person_id: m.profile.person for m in memberships}


def my_children_to_book(viewer: Viewer, event: Event) -> list[ChildToBook]:
    """The viewer's children in the samtale's groups, each with their booking, if any."""
    children = access.acting_for(viewer)
    if not children:
        return []
    in_groups = set(
        Membership.objects.filter(
            group__in=list(event.groups.all()), profile__person_id__in=list(children), profile__is_active=True
        ).values_list("profile__person_id", flat=True)
    )
    bookings = {
        b.child_id: b for b in Booking.objects.filter(event=event, child_id__in=list(in_groups)).select_related("slot")
    }
    names = _child_names(viewer)
    return [
        ChildToBook(c, names.get(c, ""), bookings.get(c)) for c in sorted(in_groups, key=lambda c: names.get(c, ""))
    ]


@dataclass
class ConferenceOverview:
    slots: list[TimeSlot]
    not_booked: list[tuple[int, str]] = field(default_factory=list)  # (person id, name)
    booked_count: int = 0


def conference_overview(viewer: Viewer, event: Event) -> ConferenceOverview:
    """Staff's view of a samtale: the slots with their bookings and the children not yet booked."""
    slots = slots_of(event)
    booked = {s.booking.child_id for s in slots if hasattr(s, "booking")}
    children = children_of_conference(event)
    not_booked = sorted(
        (
            (pid, institution_queries.display_name(viewer, p, {event.institution_id}))
            for pid, p in children.items()
            if pid not in booked
        ),
        key=lambda row: row[1],
    )
    return ConferenceOverview(slots=slots, not_booked=not_booked, booked_count=len(booked))


def is_past_deadline(event: Event) -> bool:
    return event.booking_deadline is not None and timezone.now() > event.booking_deadline


# --- iCal -----------------------------------------------------------------------------------------------


def my_feed_token(viewer: Viewer) -> FeedToken | None:
    if viewer.person_id is None:
        return None
    return FeedToken.objects.filter(person_id=viewer.person_id).first()


def viewer_for_feed(token: str) -> Viewer:
    """The viewer a subscription address stands for; NotFound for an unknown or revoked token."""
    row = FeedToken.objects.filter(token=token).select_related("person").first() if token else None
    if row is None or row.person.login_id is None:
        raise NotFound
    return institution_queries.build_viewer(row.person.login_id, row.portal_role or PortalRole.GUARDIAN, 2)


# --- Aula-compatible API ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileEvent:
    event: Event
    belongs_to: list[int]  # the requested institution profile ids the event concerns
    occurrence: Occurrence | None = None  # the time in the window (a series has one row per time)

    @property
    def starts_at(self) -> datetime:
        return self.occurrence.starts_at if self.occurrence else self.event.starts_at

    @property
    def ends_at(self) -> datetime:
        return self.occurrence.ends_at if self.occurrence else self.event.ends_at


def events_for_profiles(viewer: Viewer, profile_ids: list[int], start: datetime, end: datetime) -> list[ProfileEvent]:
    """Events of children's (or, for staff, one's own) institution profiles in [start, end), a repeating
    event once per time in the window, by start.

    A guardian's own profile ids are refused (Refused); ids the viewer may not ask about answer NotFound.
    """
    groups_of = _profile_groups(viewer)
    if viewer.portal_role == PortalRole.GUARDIAN and set(profile_ids) & viewer.profile_ids:
        raise Refused
    if not profile_ids or set(profile_ids) - set(groups_of):
        raise NotFound
    invited = Prefetch(
        "invitations", queryset=Invitation.objects.filter(profile_id__in=profile_ids), to_attr="requested"
    )
    events = with_attachment_flag(
        visible_events(viewer)
        .filter(overlapping(start, end))
        .select_related("institution", "creator__person")
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.select_related("institution")), invited, "resources", "exceptions"
        )
        .order_by("starts_at", "id")
    )
    result = []
    for event in events:
        group_ids = {g.id for g in event.groups.all()}
        invitees = {i.profile_id for i in event.requested}  # type: ignore[attr-defined]
        belongs = [p for p in profile_ids if groups_of[p] & group_ids or p in invitees]
        if belongs:
            for occurrence in recurrence.occurrences(event, start, end, event.exceptions.all()):
                result.append(ProfileEvent(event, belongs, occurrence))
    result.sort(key=lambda row: (row.starts_at, row.event.id))
    return result


def _profile_groups(viewer: Viewer) -> dict[int, set[int]]:
    """Institution profile id → its group ids, for the profiles the viewer may ask the calendar of."""
    if viewer.portal_role == PortalRole.GUARDIAN:
        children = access.acting_for(viewer)
        return {
            p.id: {m.group_id for m in p.memberships.all()}
            for c in institution_queries.my_children(viewer)
            if c.person.id in children
            for p in c.person.child_profiles  # type: ignore[attr-defined]
        }
    return {p.id: {m.group_id for m in p.memberships.all()} for p in institution_queries.my_profiles(viewer)}


def is_conference(event: Event) -> bool:
    return event.type == EventType.SCHOOL_HOME_MEETING
