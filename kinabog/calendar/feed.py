"""The iCal subscription feed: a person's events and their children's bookings as text/calendar."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as IcalEvent

from kinabog.core.html import to_plain_text
from kinabog.institutions.access import Viewer

from . import queries

PAST_DAYS = 30
FUTURE_DAYS = 365


def feed(viewer: Viewer, host: str) -> bytes:
    today = timezone.localdate()
    start, end = queries.window(today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS))
    calendar = Calendar()
    calendar.add("prodid", "-//Kinabog//Kalender//DA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Kinabog")
    stamp = timezone.now()
    # A series is written as one VEVENT per occurrence: every calendar shows exceptions the same way then.
    for occurrence in queries.occurrences_between(viewer, start, end):
        event = occurrence.event
        item = IcalEvent()
        suffix = f"-{occurrence.occurrence_date:%Y%m%d}" if occurrence.is_repeating else ""
        item.add("uid", f"event-{event.id}{suffix}@{host}")
        item.add("dtstamp", stamp)
        item.add("summary", event.title)
        if event.all_day:
            item.add("dtstart", timezone.localtime(occurrence.starts_at).date())
            item.add("dtend", timezone.localtime(occurrence.ends_at).date() + timedelta(days=1))
        else:
            item.add("dtstart", occurrence.starts_at)
            item.add("dtend", occurrence.ends_at)
        if event.place:
            item.add("location", event.place)
        if event.description:
            item.add("description", to_plain_text(event.description))
        calendar.add_component(item)
    for row in queries.my_bookings(viewer, start, end):
        booking = row.booking
        item = IcalEvent()
        item.add("uid", f"booking-{booking.id}@{host}")
        item.add("dtstamp", stamp)
        item.add("summary", f"{booking.event.title}: {row.child_name}")
        item.add("dtstart", booking.slot.starts_at)
        item.add("dtend", booking.slot.ends_at)
        if booking.slot.location:
            item.add("location", booking.slot.location)
        calendar.add_component(item)
    return calendar.to_ical()
