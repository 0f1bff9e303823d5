"""Repeating events: the occurrences of a series in a window, with its exceptions applied.

A series is stored once (the first occurrence's times plus the rule); occurrences are computed when read,
in local wall-clock time, so "every Tuesday at 17" stays at 17 across daylight-saving changes. An
exception cancels or moves the occurrence of one date. Pure functions: no queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil import rrule  # type: ignore[import-untyped]
from django.utils import timezone

from .models import Event, EventException, Repeat

FREQUENCIES = {Repeat.DAILY: rrule.DAILY, Repeat.WEEKLY: rrule.WEEKLY, Repeat.MONTHLY: rrule.MONTHLY}
WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)
# A series may not run longer than this: bounded storage of exceptions and bounded reads.
MAX_SERIES_DAYS = 2 * 366


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of an event: a single event has one, a series one per repetition."""

    event: Event
    starts_at: datetime
    ends_at: datetime
    occurrence_date: date  # the local date in the series (for a moved occurrence: its original date)
    moved: bool = False

    @property
    def is_repeating(self) -> bool:
        return self.event.repeat != Repeat.NEVER

    @property
    def local_date(self) -> date:
        return timezone.localtime(self.starts_at).date()


def weekday_mask(weekdays: Iterable[int]) -> int:
    """Weekdays (0 = Monday … 6 = Sunday) as the bit mask stored on the event."""
    mask = 0
    for day in weekdays:
        mask |= 1 << day
    return mask


def weekdays_of(mask: int) -> list[int]:
    return [day for day in range(7) if mask & (1 << day)]


def series_dates(event: Event, until: date | None = None) -> list[date]:
    """The local dates of every occurrence of the series (without exceptions), up to `until` if given."""
    start = timezone.localtime(event.starts_at)
    last = event.repeat_until if event.repeat != Repeat.NEVER else start.date()
    if last is None:
        last = start.date()
    if until is not None:
        last = min(last, until)
    if event.repeat == Repeat.NEVER:
        return [start.date()] if start.date() <= last else []
    return [d.date() for d in _rule(event, start.replace(tzinfo=None), last)]


def _rule(event: Event, dtstart: datetime, last: date) -> rrule.rrule:
    kwargs: dict[str, object] = {}
    if event.repeat == Repeat.WEEKLY:
        days = weekdays_of(event.repeat_weekdays) or [dtstart.weekday()]
        kwargs["byweekday"] = [WEEKDAYS[d] for d in days]
    if event.repeat == Repeat.MONTHLY:
        kwargs["bymonthday"] = dtstart.day
    return rrule.rrule(
        FREQUENCIES[Repeat(event.repeat)],
        dtstart=dtstart,
        interval=max(1, event.repeat_interval),
        until=datetime.combine(last, time.max),
        **kwargs,  # type: ignore[arg-type]
    )


def occurrences(
    event: Event, start: datetime, end: datetime, exceptions: Iterable[EventException] = ()
) -> list[Occurrence]:
    """The event's occurrences overlapping [start, end), moved or cancelled as its exceptions say."""
    duration = event.ends_at - event.starts_at
    by_date = {e.occurrence_date: e for e in exceptions}
    if event.repeat == Repeat.NEVER:
        candidates = [(event.starts_at, timezone.localtime(event.starts_at).date())]
    else:
        tz = timezone.get_current_timezone()
        first = timezone.localtime(event.starts_at).replace(tzinfo=None)
        assert event.repeat_until is not None  # a constraint: repeating events have an end
        rule = _rule(event, first, event.repeat_until)
        # Occurrences that start before the window may still reach into it; moved ones are checked below.
        lower = timezone.localtime(start).replace(tzinfo=None) - duration - timedelta(days=1)
        upper = timezone.localtime(end).replace(tzinfo=None)
        candidates = [(d.replace(tzinfo=tz), d.date()) for d in rule.between(lower, upper, inc=True)]
        # Occurrences moved into the window from a date outside it.
        seen = {day for _, day in candidates}
        for day, moved in by_date.items():
            if day not in seen and moved.starts_at is not None and not moved.cancelled:
                candidates.append((moved.starts_at, day))
    result = []
    for starts_at, day in candidates:
        exception = by_date.get(day)
        if exception is not None and exception.cancelled:
            continue
        if exception is not None and exception.starts_at is not None and exception.ends_at is not None:
            occurrence = Occurrence(event, exception.starts_at, exception.ends_at, day, moved=True)
        else:
            occurrence = Occurrence(event, starts_at, starts_at + duration, day)
        if occurrence.starts_at < end and occurrence.ends_at >= start:
            result.append(occurrence)
    result.sort(key=lambda o: o.starts_at)
    return result
