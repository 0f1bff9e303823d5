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
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kinabog.core.errors import InvalidInput

from .models import Event, EventException, Repeat

FREQUENCIES = {Repeat.DAILY: rrule.DAILY, Repeat.WEEKLY: rrule.WEEKLY, Repeat.MONTHLY: rrule.MONTHLY}
WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)
# A series may not run longer than this: bounded storage of exceptions and bounded reads.
MAX_SERIES_DAYS = 2 * 366
MAX_INTERVAL = 99
# One time of a repeating event lasts at most this long (local wall-clock), so occurrences stay apart.
MAX_OCCURRENCE_LENGTH = timedelta(days=1)


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


# --- Checking and describing a series -----------------------------------------------------------------


def wall_length(starts_at: datetime, ends_at: datetime) -> timedelta:
    """The length on the wall clock: an all-day event on a daylight-saving day still lasts one day."""
    return timezone.localtime(ends_at).replace(tzinfo=None) - timezone.localtime(starts_at).replace(tzinfo=None)


def _same_time_on(moment: datetime, day: date) -> datetime:
    local = timezone.localtime(moment)
    return datetime.combine(day, local.time(), timezone.get_current_timezone())


def check_series(event: Event) -> None:
    """Check the repetition of an unsaved or changed event and settle its first occurrence.

    A single event drops the rule's other fields. A series needs an end date within MAX_SERIES_DAYS and,
    weekly, a weekday; when the first date is not one of the series' dates (a Monday start of a series on
    Tuesdays), the first occurrence moves to the first real date at the same local time.
    Raises InvalidInput naming the field to correct.
    """
    if event.repeat not in Repeat.values:
        raise InvalidInput(_("Choose how often the event repeats."), field="repeat")
    if event.repeat == Repeat.NEVER:
        event.repeat_interval, event.repeat_weekdays, event.repeat_until = 1, 0, None
        return
    if not 1 <= event.repeat_interval <= MAX_INTERVAL:
        raise InvalidInput(
            _("Repeat every 1 to %(max)s days, weeks or months.") % {"max": MAX_INTERVAL}, field="repeat_interval"
        )
    if event.repeat == Repeat.WEEKLY and not 0 < event.repeat_weekdays < 1 << 7:
        raise InvalidInput(_("Choose at least one weekday."), field="repeat_weekdays")
    if event.repeat != Repeat.WEEKLY:
        event.repeat_weekdays = 0
    first = timezone.localtime(event.starts_at).date()
    if event.repeat_until is None:
        raise InvalidInput(_("Choose the last date of the repetition."), field="repeat_until")
    if event.repeat_until < first:
        raise InvalidInput(_("The last date cannot be before the first date."), field="repeat_until")
    if (event.repeat_until - first).days > MAX_SERIES_DAYS:
        raise InvalidInput(
            _("A repeating event can run for at most %(days)s days. Choose an earlier last date.")
            % {"days": MAX_SERIES_DAYS},
            field="repeat_until",
        )
    if wall_length(event.starts_at, event.ends_at) > MAX_OCCURRENCE_LENGTH:
        raise InvalidInput(_("Each time of a repeating event can last at most one day."), field="ends_at")
    dates = series_dates(event)
    if not dates:
        raise InvalidInput(_("None of the chosen weekdays comes before the last date."), field="repeat_weekdays")
    if dates[0] != first:
        shift = dates[0] - first
        event.starts_at = _same_time_on(event.starts_at, dates[0])
        event.ends_at = _same_time_on(event.ends_at, timezone.localtime(event.ends_at).date() + shift)


def is_series_date(event: Event, day: date) -> bool:
    """Whether the series has an occurrence on this local date (before exceptions)."""
    if event.repeat == Repeat.NEVER or event.repeat_until is None:
        return False
    if not timezone.localtime(event.starts_at).date() <= day <= event.repeat_until:
        return False
    return day in series_dates(event, until=day)


def within_span(event: Event, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether a moved time stays in the series' span: from its first start to its last date.

    Reads of a window count a series from its first start to its last date, so a moved time outside the
    span would be missed there.
    """
    if event.repeat_until is None:
        return False
    return (
        starts_at >= event.starts_at
        and timezone.localtime(starts_at).date() <= event.repeat_until
        and starts_at <= ends_at
        and wall_length(starts_at, ends_at) <= MAX_OCCURRENCE_LENGTH
    )


def weekday_name(day: int) -> str:
    """The weekday's name as written inside a sentence in the active language (0 = Monday)."""
    names = (
        pgettext("weekday in a sentence", "Monday"),
        pgettext("weekday in a sentence", "Tuesday"),
        pgettext("weekday in a sentence", "Wednesday"),
        pgettext("weekday in a sentence", "Thursday"),
        pgettext("weekday in a sentence", "Friday"),
        pgettext("weekday in a sentence", "Saturday"),
        pgettext("weekday in a sentence", "Sunday"),
    )
    return names[day]


def _join(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def describe(event: Event) -> str:
    """The repetition in words: "Hver uge tirsdag, til 20. december"; empty for a single event."""
    if event.repeat == Repeat.NEVER or event.repeat_until is None:
        return ""
    count = event.repeat_interval
    start = timezone.localtime(event.starts_at)
    if event.repeat == Repeat.DAILY:
        rule = _("Every day") if count == 1 else _("Every %(count)s days") % {"count": count}
    elif event.repeat == Repeat.WEEKLY:
        days = _join([weekday_name(d) for d in weekdays_of(event.repeat_weekdays) or [start.weekday()]])
        if count == 1:
            rule = _("Every week on %(days)s") % {"days": days}
        else:
            rule = _("Every %(count)s weeks on %(days)s") % {"count": count, "days": days}
    elif count == 1:
        rule = _("Every month on day %(day)s") % {"day": start.day}
    else:
        rule = _("Every %(count)s months on day %(day)s") % {"count": count, "day": start.day}
    until = date_format(event.repeat_until, "MONTH_DAY_FORMAT" if event.repeat_until.year == start.year else None)
    return _("%(rule)s, until %(date)s") % {"rule": rule, "date": until}


def occurrence_on(event: Event, day: date, exceptions: Iterable[EventException] = ()) -> Occurrence | None:
    """The occurrence of the series' date `day`, moved if an exception says so; None when cancelled or when
    the series has no such date."""
    if not is_series_date(event, day):
        return None
    exception = next((e for e in exceptions if e.occurrence_date == day), None)
    if exception is not None and exception.cancelled:
        return None
    if exception is not None and exception.starts_at is not None and exception.ends_at is not None:
        return Occurrence(event, exception.starts_at, exception.ends_at, day, moved=True)
    starts_at = _same_time_on(event.starts_at, day)
    return Occurrence(event, starts_at, starts_at + (event.ends_at - event.starts_at), day)
