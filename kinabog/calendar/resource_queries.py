"""Reads of rooms and equipment ("lokaler og udstyr"): administration, bookable choices, a resource's week,
free resources and the search for a clashing booking. Each read takes a fixed number of queries.

A resource is booked by events; a booking lasts for every occurrence of the event (a series books the
resource at each repetition). Two bookings of one resource clash when occurrences overlap in time;
one ending when the other starts does not clash.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from kinabog.core.errors import NotFound
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import Group, Institution

from . import access, queries, recurrence
from .models import Event, EventException, Repeat, Resource, ResourceKind
from .recurrence import Occurrence

Booked = Event.resources.through
# Rooms before equipment ("room" sorts after "equipment"), then by name: the first room is the event's
# primary resource in the Aula API.
RESOURCE_ORDER = ("-kind", "name")
KIND_CHOICES = ResourceKind.choices
# Clash checks treat an occurrence of no length as one minute long, so it still occupies its moment.
SHORTEST = timedelta(minutes=1)


# --- Administration -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceRow:
    resource: Resource
    is_booked: bool  # booked by at least one event: it can be deactivated, not deleted


@dataclass(frozen=True)
class ResourceAdministration:
    institutions: list[Institution]  # every institution the viewer administers
    institution: Institution  # the one shown
    rows: list[ResourceRow]


def resource_administration(viewer: Viewer, institution_id: int | None) -> ResourceAdministration:
    """The resources of one administered institution (the first when none is asked for): two queries."""
    institutions = institution_queries.institutions_administered(viewer)
    if not institutions:
        raise NotFound
    if institution_id is None:
        institution = institutions[0]
    else:
        chosen = [i for i in institutions if i.id == institution_id]
        if not chosen:
            raise NotFound
        institution = chosen[0]
    rows = (
        Resource.objects.filter(institution_id=institution.id)
        .annotate(is_booked=Exists(Booked.objects.filter(resource_id=OuterRef("pk"))))
        .order_by("-is_active", *RESOURCE_ORDER)
    )
    return ResourceAdministration(
        institutions=institutions,
        institution=institution,
        rows=[ResourceRow(r, r.is_booked) for r in rows],  # type: ignore[attr-defined]
    )


def get_administered_resource(viewer: Viewer, resource_id: int) -> Resource:
    resource = Resource.objects.filter(pk=resource_id).select_related("institution").first()
    if resource is None or not access.can_administer_resources(
        viewer, resource.institution_id, resource.institution.municipality_id
    ):
        raise NotFound
    return resource


def administered_institution(viewer: Viewer, institution_id: int) -> Institution:
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None or not access.can_administer_resources(viewer, institution.id, institution.municipality_id):
        raise NotFound
    return institution


def is_booked(resource: Resource) -> bool:
    return Booked.objects.filter(resource_id=resource.id).exists()


def name_taken(institution_id: int, name: str, exclude_id: int | None = None) -> bool:
    rows = Resource.objects.filter(institution_id=institution_id, name__iexact=name)
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    return rows.exists()


# --- Choosing resources for an event ---------------------------------------------------------------------


def bookable_resources(viewer: Viewer, event: Event | None = None) -> list[Resource]:
    """Active resources of the institutions where the viewer creates events, by institution: one query.

    Editing an event, the resources it books stay in the list even when since deactivated.
    """
    institutions = access.event_institutions(viewer)
    if not institutions:
        return []
    condition = Q(institution_id__in=list(institutions), is_active=True)
    if event is not None and event.pk:
        condition |= Q(id__in=Booked.objects.filter(event_id=event.pk).values("resource_id"))
    return list(
        Resource.objects.filter(condition).select_related("institution").order_by("institution__name", *RESOURCE_ORDER)
    )


def bookable_choices(viewer: Viewer, event: Event | None = None) -> list[tuple[int, str]]:
    """(id, label) of the resources the viewer may book; the institution is named when there are several."""
    resources = bookable_resources(viewer, event)
    several = len({r.institution_id for r in resources}) > 1
    return [(r.id, f"{r.name} ({r.institution.name})" if several else r.name) for r in resources]


def resources_of_event(event: Event) -> list[Resource]:
    """The rooms and equipment an event books, rooms first."""
    return list(
        Resource.objects.filter(id__in=Booked.objects.filter(event_id=event.id).values("resource_id")).order_by(
            *RESOURCE_ORDER
        )
    )


def resource_ids_of_event(event: Event) -> list[int]:
    return list(Booked.objects.filter(event_id=event.id).values_list("resource_id", flat=True))


def resources_for_booking(resource_ids: Iterable[int]) -> QuerySet[Resource]:
    """The chosen resources, locked until the transaction ends (a no-op on SQLite, which writes one at a time).

    Locked in id order, so two people booking the same rooms wait for each other instead of deadlocking.
    """
    return Resource.objects.select_for_update().filter(pk__in=list(resource_ids)).order_by("id")


# --- Clashes ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clash:
    resource: Resource
    mine: Occurrence  # the occurrence of the event being saved
    theirs: Occurrence  # the other event's occurrence that holds the resource then


def span(event: Event) -> tuple[datetime, datetime]:
    """From the event's first start to the latest end any of its occurrences can have: a moved occurrence
    starts within the series' days but may last up to recurrence.MAX_OCCURRENCE_LENGTH."""
    end = event.ends_at
    if event.repeat != Repeat.NEVER and event.repeat_until is not None:
        _, after_last_day = queries.window(event.repeat_until, event.repeat_until)
        end = max(end, after_last_day + max(event.ends_at - event.starts_at, recurrence.MAX_OCCURRENCE_LENGTH))
    return event.starts_at, end + SHORTEST


def first_clash(event: Event, resources: list[Resource]) -> Clash | None:
    """The earliest occurrence of the event that overlaps another event booking one of the resources.

    Four queries however long the series and however many other bookings.
    """
    if not resources:
        return None
    start, end = span(event)
    exceptions: list[EventException] = []
    if event.pk and event.repeat != Repeat.NEVER:
        exceptions = list(EventException.objects.filter(event_id=event.pk))
    mine = recurrence.occurrences(event, start, end, exceptions)
    chosen = [r.id for r in resources]
    others = (
        Event.objects.filter(id__in=Booked.objects.filter(resource_id__in=chosen).values("event_id"))
        .exclude(pk=event.pk)
        .filter(queries.overlapping(start, end))
        .prefetch_related(
            "exceptions", Prefetch("resources", queryset=Resource.objects.filter(id__in=chosen), to_attr="chosen")
        )
    )
    theirs: dict[int, list[Occurrence]] = {r.id: [] for r in resources}
    for other in others:
        occurrences = recurrence.occurrences(other, start, end, other.exceptions.all())
        for resource in other.chosen:  # type: ignore[attr-defined]
            theirs[resource.id].extend(occurrences)
    clashes = []
    for resource in resources:
        pair = clash_between(mine, theirs[resource.id])
        if pair is not None:
            clashes.append(Clash(resource, *pair))
    return min(clashes, key=lambda c: (c.mine.starts_at, c.resource.name), default=None)


def clash_between(mine: list[Occurrence], theirs: list[Occurrence]) -> tuple[Occurrence, Occurrence] | None:
    """The first pair (one of each list) overlapping in time; touching ends do not overlap.

    One sweep in start order: an occurrence clashes with the other side exactly when the occurrence of
    the other side reaching furthest so far ends after it starts.
    """
    tagged = sorted(
        [(o.starts_at, 0, max(o.ends_at, o.starts_at + SHORTEST), o) for o in mine]
        + [(o.starts_at, 1, max(o.ends_at, o.starts_at + SHORTEST), o) for o in theirs],
        key=lambda row: (row[0], row[1]),
    )
    furthest: list[tuple[datetime, Occurrence] | None] = [None, None]
    for starts_at, side, ends_at, occurrence in tagged:
        other = furthest[1 - side]
        if other is not None and other[0] > starts_at:
            return (occurrence, other[1]) if side == 0 else (other[1], occurrence)
        current = furthest[side]
        if current is None or ends_at > current[0]:
            furthest[side] = (ends_at, occurrence)
    return None


def is_visible(viewer: Viewer, event_id: int) -> bool:
    return queries.visible_events(viewer).filter(pk=event_id).exists()


# --- A resource's week -------------------------------------------------------------------------------------


def get_visible_resource(viewer: Viewer, resource_id: int) -> Resource:
    resource = Resource.objects.filter(pk=resource_id).select_related("institution").first()
    if resource is None or not access.can_see_resources(
        viewer, resource.institution_id, resource.institution.municipality_id
    ):
        raise NotFound
    return resource


@dataclass(frozen=True)
class ResourceBooking:
    occurrence: Occurrence
    title: str  # empty when the viewer may not see the event
    booked_by: str
    event_id: int | None  # set when the viewer may open the event


@dataclass(frozen=True)
class ResourceDay:
    date: date
    bookings: list[ResourceBooking]


def resource_week(viewer: Viewer, resource: Resource, monday: date) -> list[ResourceDay]:
    """The resource's bookings in the seven days from Monday: four queries however many bookings."""
    start, end = queries.window(monday, monday + timedelta(days=6))
    events = list(
        Event.objects.filter(id__in=Booked.objects.filter(resource_id=resource.id).values("event_id"))
        .filter(queries.overlapping(start, end))
        .select_related("creator__person")
        .prefetch_related("exceptions")
        .order_by("starts_at", "id")
    )
    visible = set(queries.visible_events(viewer).filter(id__in=[e.id for e in events]).values_list("id", flat=True))
    bookings = []
    for occurrence in queries.expand(events, start, end):
        event = occurrence.event
        creator = event.creator
        name = institution_queries.display_name(viewer, creator.person, {event.institution_id}) if creator else ""
        shown = event.id in visible
        bookings.append(ResourceBooking(occurrence, event.title if shown else "", name, event.id if shown else None))
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        day_start, day_end = queries.window(day, day)
        days.append(ResourceDay(day, [b for b in bookings if _holds(b.occurrence, day_start, day_end)]))
    return days


def _holds(occurrence: Occurrence, start: datetime, end: datetime) -> bool:
    """Whether the occurrence holds the resource at some moment of [start, end); touching ends do not."""
    return occurrence.starts_at < end and (occurrence.ends_at > start or occurrence.starts_at == start)


# --- Aula-compatible API ----------------------------------------------------------------------------------


def institution_for_resources(viewer: Viewer, institution_code: str) -> Institution:
    """An institution whose resources the viewer may list, by its number; NotFound otherwise."""
    institution = Institution.objects.filter(code=institution_code).first() if institution_code else None
    if institution is None or institution.id not in access.resource_institutions(viewer):
        raise NotFound
    return institution


def active_resources(institution: Institution) -> list[Resource]:
    return list(Resource.objects.filter(institution_id=institution.id, is_active=True).order_by(*RESOURCE_ORDER))


def available_resources(institution: Institution, start: datetime, end: datetime) -> list[Resource]:
    """Active resources of the institution that no event holds at any moment of [start, end)."""
    resources = active_resources(institution)
    ids = [r.id for r in resources]
    events = (
        Event.objects.filter(id__in=Booked.objects.filter(resource_id__in=ids).values("event_id"))
        .filter(queries.overlapping(start, end))
        .prefetch_related("exceptions", Prefetch("resources", queryset=Resource.objects.filter(id__in=ids)))
    )
    busy: set[int] = set()
    for event in events:
        held = recurrence.occurrences(event, start, end, event.exceptions.all())
        if any(_holds(o, start, end) for o in held):
            busy.update(r.id for r in event.resources.all())
    return [r for r in resources if r.id not in busy]


def events_for_resources(
    viewer: Viewer, resource_ids: list[int], start: datetime, end: datetime
) -> list[queries.ProfileEvent]:
    """The events the viewer sees that book the given resources in [start, end), a series once per time.

    The resources must belong to institutions where the viewer is staff or administrator; NotFound otherwise.
    """
    wanted = set(resource_ids)
    allowed = access.resource_institutions(viewer)
    found = Resource.objects.filter(pk__in=list(wanted), institution_id__in=list(allowed)).count() if allowed else 0
    if not wanted or found != len(wanted):
        raise NotFound
    events = queries.with_attachment_flag(
        queries.visible_events(viewer)
        .filter(id__in=Booked.objects.filter(resource_id__in=list(wanted)).values("event_id"))
        .filter(queries.overlapping(start, end))
        .select_related("institution", "creator__person")
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.select_related("institution")),
            "exceptions",
            Prefetch("resources", queryset=Resource.objects.order_by(*RESOURCE_ORDER)),
        )
        .order_by("starts_at", "id")
    )
    return [
        queries.ProfileEvent(event, [], occurrence)
        for event in events
        for occurrence in recurrence.occurrences(event, start, end, event.exceptions.all())
    ]


def primary_first(resources: Iterable[Resource]) -> list[Resource]:
    """Rooms before equipment, then by name: the first is the event's primary resource."""
    return sorted(resources, key=lambda r: (r.kind != ResourceKind.ROOM, r.name, r.id))


def kind_label(kind: str) -> str:
    return str(ResourceKind(kind).label) if kind in ResourceKind.values else kind
