"""Which days an institution is open, and when: weekly hours, specific days and closed days (lukkedage).

Loaded for many institutions and a whole period in two queries. An institution that has set no hours
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

from kinabog.core.sql import any_of, select

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


def opening_calendar(institution_ids: Iterable[int], start: date, end: date) -> dict[int, dict[date, DayHours]]:
    """{institution id: {day: hours}} for every day from start to end, in two queries."""
    ids = sorted(set(institution_ids))
    if not ids:
        return {}
    # Written out (core.sql.select): a guardian's app asks for one day of one institution on every opening
    # of komme/gå, and building the two ORM queries cost more than answering them.
    weekly: dict[int, dict[int, OpeningHours]] = defaultdict(dict)
    condition, params = any_of("institution_id", ids)
    for hours in select(OpeningHours, condition, params):
        weekly[hours.institution_id][hours.weekday] = hours
    ops = connection.ops
    special = {
        (s.institution_id, s.date): s
        for s in select(
            SpecialDay,
            f"{condition} AND date >= %s AND date <= %s",
            [*params, ops.adapt_datefield_value(start), ops.adapt_datefield_value(end)],
        )
    }
    result: dict[int, dict[date, DayHours]] = {}
    for institution_id in ids:
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
