"""Reads for browsing the calendar: a day, a week, a month or an agenda of one's own, a group's or a child's.

Every read returns the days of a date range with their occurrences (repeating events expanded), samtale
bookings and birthdays, in a fixed number of queries however many events, groups or bookings there are.
A group's calendar is for those who see the group's content (as its page); a child's calendar for those
who see the child's day (guardians with custody or extended access, carers, staff of the child's
institution) — everyone else gets NotFound.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from kinabog.core.errors import NotFound
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import Group, PortalRole

from . import access, birthdays, queries
from .birthdays import Birthday
from .models import Booking, Event
from .queries import BookingView
from .recurrence import Occurrence

AGENDA_DAYS = 30


@dataclass
class CalendarDay:
    """One local day: what happens, the samtaler booked, whose birthday it is."""

    date: date
    events: list[Occurrence] = field(default_factory=list)
    bookings: list[BookingView] = field(default_factory=list)
    birthdays: list[Birthday] = field(default_factory=list)

    @property
    def has_items(self) -> bool:
        return bool(self.events or self.bookings or self.birthdays)


# --- Date ranges (pure) ------------------------------------------------------------------------------------


def month_range(first: date) -> tuple[date, date]:
    """The Monday-to-Sunday weeks that cover the month of `first`: the month grid's first and last day."""
    first = first.replace(day=1)
    last = next_month(first) - timedelta(days=1)
    return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())


def next_month(first: date) -> date:
    return date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)


def previous_month(first: date) -> date:
    return date(first.year - 1, 12, 1) if first.month == 1 else date(first.year, first.month - 1, 1)


def weeks_of(days: list[CalendarDay]) -> list[list[CalendarDay]]:
    return [days[i : i + 7] for i in range(0, len(days), 7)]


def _local_dates(starts_at: datetime, ends_at: datetime) -> Iterable[date]:
    """The local dates an occurrence touches; one ending at midnight does not touch the next day."""
    first = timezone.localtime(starts_at).date()
    end = timezone.localtime(ends_at)
    last = end.date()
    if last > first and end.time() == datetime.min.time():
        last -= timedelta(days=1)
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _days(
    start: date,
    end: date,
    occurrences: list[Occurrence],
    bookings: Iterable[BookingView] = (),
    birthdays: Iterable[Birthday] = (),
) -> list[CalendarDay]:
    by_date = {start + timedelta(days=i): CalendarDay(start + timedelta(days=i)) for i in range((end - start).days + 1)}
    for occurrence in occurrences:
        for day in _local_dates(occurrence.starts_at, occurrence.ends_at):
            if day in by_date:
                by_date[day].events.append(occurrence)
    for row in bookings:
        day = timezone.localtime(row.booking.slot.starts_at).date()
        if day in by_date:
            by_date[day].bookings.append(row)
    for birthday in birthdays:
        if birthday.date in by_date:
            by_date[birthday.date].birthdays.append(birthday)
    return list(by_date.values())


# --- One's own calendar ------------------------------------------------------------------------------------


def my_days(viewer: Viewer, start: date, end: date, *, with_birthdays: bool = False) -> list[CalendarDay]:
    """The viewer's events and their children's bookings on the days [start, end]."""
    window = queries.window(start, end)
    occurrences = queries.occurrences_between(viewer, *window)
    bookings = queries.my_bookings(viewer, *window)
    found = _birthdays(viewer, None, start, end) if with_birthdays else []
    return _days(start, end, occurrences, bookings, found)


# --- A group's calendar ------------------------------------------------------------------------------------


def get_group(viewer: Viewer, group_id: int) -> Group:
    """The group, if the viewer sees its content (the same rule as the group's page)."""
    return institution_queries.get_group(viewer, group_id)


def group_days(viewer: Viewer, group: Group, start: date, end: date) -> list[CalendarDay]:
    """The events of this group only, with the birthdays of its members."""
    events = queries.visible_events(viewer).filter(groups=group)
    return _days(start, end, _occurrences(events, start, end), [], _birthdays(viewer, {group.id}, start, end))


# --- A child's calendar ------------------------------------------------------------------------------------


def get_child(viewer: Viewer, person_id: int) -> institution_queries.ChildView:
    """A child whose day the viewer sees: NotFound for a guardian without custody or extended access."""
    child = institution_queries.get_child(viewer, person_id)
    if not child.sees_day:
        raise NotFound
    return child


def child_days(viewer: Viewer, child: institution_queries.ChildView, start: date, end: date) -> list[CalendarDay]:
    """The events of the child's groups and invitations that the viewer sees, and the child's samtaler."""
    group_ids = institution_queries.with_composed_groups(child.facts.group_ids, PortalRole.CHILD)
    concerns_child = Event.objects.filter(
        Q(groups__in=list(group_ids)) | Q(invitations__profile__person_id=child.person.id)
    ).values("id")
    events = queries.visible_events(viewer).filter(id__in=concerns_child)
    bookings = _child_bookings(viewer, child, *queries.window(start, end))
    return _days(start, end, _occurrences(events, start, end), bookings)


def _child_bookings(
    viewer: Viewer, child: institution_queries.ChildView, start: datetime, end: datetime
) -> list[BookingView]:
    """The child's samtale bookings: all for those acting for the child, those of their events for staff."""
    rows = Booking.objects.filter(child_id=child.person.id, slot__starts_at__lt=end, slot__ends_at__gte=start)
    if child.person.id not in access.acting_for(viewer) and child.person.id != viewer.person_id:
        managed = access.event_institutions(viewer)
        if not managed:
            return []
        rows = rows.filter(event__institution_id__in=list(managed))
    return [
        BookingView(b, child.display_name) for b in rows.select_related("slot", "event").order_by("slot__starts_at")
    ]


# --- Shared ------------------------------------------------------------------------------------------------


def _occurrences(events: QuerySet[Event], start: date, end: date) -> list[Occurrence]:
    """Occurrences of these (already access-scoped) events on the days [start, end]: three queries."""
    window = queries.window(start, end)
    rows = list(
        events.filter(queries.overlapping(*window))
        .select_related("institution", "creator__person")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")), "exceptions")
        .order_by("starts_at", "id")
    )
    return queries.expand(rows, *window)


def _birthdays(viewer: Viewer, group_ids: Iterable[int] | None, start: date, end: date) -> list[Birthday]:
    """Birthdays of the groups' children on the days [start, end] (None: the viewer's own groups).

    Only those the birthday rules allow (consent, no name protection, groups whose content is seen).
    """
    return birthdays.birthdays_between(viewer, group_ids, start, end)
