"""Which days an institution is open, and when: weekly hours, specific days and closed days (lukkedage).

Loaded for many institutions and a whole period in two statements, sent together. An institution that has set no hours
is open on weekdays at default hours (Aula's "DefaultOpeningHours") and closed at weekends — for showing
and planning (occupancy, the Aula API). Check-ins are refused only against hours an institution has set
(`queries.opening_hours_on` answers True without them): a default must never keep a child out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db import connection

from kinabog.core.sql import Read, any_of, select_each

from .models import OpeningHours, SpecialDay

DEFAULT_OPENS = time(6, 30)
DEFAULT_CLOSES = time(17, 0)

GENERAL = "GeneralOpeningHours"
SPECIFIC = "SpecificOpeningHours"
DEFAULT = "DefaultOpeningHours"
CLOSED = "ClosedDay"


@dataclass(frozen=True)
class DayHours:
    date: date
    kind: str
    opens: time | None
    closes: time | None
    name: str = ""

    @property
    def is_open(self) -> bool:
        return self.kind != CLOSED


def days_between(start: date, end: date) -> Iterator[date]:
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def opening_reads(institution_ids: list[int], start: date, end: date) -> tuple[Read, Read]:
    """The two reads of opening_calendar: the institutions' weekly hours and their specific days in start–end
    (at least one institution)."""
    condition, params = any_of("institution_id", institution_ids)
    ops = connection.ops
    period = [*params, ops.adapt_datefield_value(start), ops.adapt_datefield_value(end)]
    special = Read(SpecialDay, f"{condition} AND date >= %s AND date <= %s", period)
    return Read(OpeningHours, condition, params), special


def opening_calendar(institution_ids: Iterable[int], start: date, end: date) -> dict[int, dict[date, DayHours]]:
    """{institution id: {day: hours}} for every day from start to end, in two statements sent together."""
    ids = sorted(set(institution_ids))
    if not ids:
        return {}
    # Written out (core.sql.select): a guardian's app asks for one day of one institution on every opening
    # of komme/gå, and building the two ORM queries cost more than answering them.
    weekly, special = select_each(*opening_reads(ids, start, end))
    return calendar_from(ids, start, end, weekly, special)


def calendar_from(
    institution_ids: list[int], start: date, end: date, weekly_hours: list[OpeningHours], special_days: list[SpecialDay]
) -> dict[int, dict[date, DayHours]]:
    """opening_calendar from what its two reads (opening_reads) answered."""
    weekly: dict[int, dict[int, OpeningHours]] = defaultdict(dict)
    for hours in weekly_hours:
        weekly[hours.institution_id][hours.weekday] = hours
    special = {(s.institution_id, s.date): s for s in special_days}
    result: dict[int, dict[date, DayHours]] = {}
    for institution_id in institution_ids:
        days = {}
        for day in days_between(start, end):
            days[day] = _day_hours(day, special.get((institution_id, day)), weekly.get(institution_id, {}))
        result[institution_id] = days
    return result


def _day_hours(day: date, special: SpecialDay | None, weekly: dict[int, OpeningHours]) -> DayHours:
    if special is not None:
        if special.closed:
            return DayHours(day, CLOSED, None, None, special.name)
        return DayHours(day, SPECIFIC, special.opens, special.closes, special.name)
    if weekly:
        hours = weekly.get(day.weekday())
        if hours is None:
            return DayHours(day, CLOSED, None, None)
        return DayHours(day, GENERAL, hours.opens, hours.closes)
    if day.weekday() >= 5:
        return DayHours(day, CLOSED, None, None)
    return DayHours(day, DEFAULT, DEFAULT_OPENS, DEFAULT_CLOSES)


def open_days(institution_id: int, start: date, end: date) -> list[date]:
    calendar = opening_calendar([institution_id], start, end)[institution_id]
    return [day for day, hours in calendar.items() if hours.is_open]
