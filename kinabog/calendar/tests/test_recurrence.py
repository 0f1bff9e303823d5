"""Repeating events without the database: the dates of a series, exceptions, daylight saving, the checks and
the description in words."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from kinabog.calendar import recurrence
from kinabog.calendar.models import Event, EventException, Repeat
from kinabog.core.errors import InvalidInput

TUESDAY, THURSDAY = 1, 3


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), timezone.get_current_timezone())


def series(first: date, hours: tuple[int, int], repeat: str, until: date, **rule: object) -> Event:
    return Event(
        id=1,
        title="Svømning",
        starts_at=at(first, hours[0]),
        ends_at=at(first, hours[1]),
        repeat=repeat,
        repeat_until=until,
        **rule,  # type: ignore[arg-type]
    )


def days(window_start: date, window_end: date, event: Event, exceptions: tuple[EventException, ...] = ()) -> list[date]:
    start = at(window_start, 0)
    end = at(window_end + timedelta(days=1), 0)
    return [timezone.localtime(o.starts_at).date() for o in recurrence.occurrences(event, start, end, exceptions)]


def test_daily_series_has_one_time_a_day_until_its_last_date() -> None:
    event = series(date(2025, 3, 3), (9, 10), Repeat.DAILY, date(2025, 3, 7))
    found = recurrence.occurrences(event, at(date(2025, 3, 1), 0), at(date(2025, 3, 15), 0))
    assert [timezone.localtime(o.starts_at) for o in found] == [at(date(2025, 3, d), 9) for d in range(3, 8)]
    assert all(o.ends_at - o.starts_at == timedelta(hours=1) for o in found)
    assert recurrence.series_dates(event) == [date(2025, 3, d) for d in range(3, 8)]


def test_every_other_week_on_tuesday_and_thursday() -> None:
    mask = recurrence.weekday_mask([TUESDAY, THURSDAY])
    event = series(
        date(2025, 9, 2), (17, 18), Repeat.WEEKLY, date(2025, 9, 30), repeat_weekdays=mask, repeat_interval=2
    )
    expected = [date(2025, 9, d) for d in (2, 4, 16, 18, 30)]
    assert days(date(2025, 9, 1), date(2025, 10, 31), event) == expected
    assert recurrence.series_dates(event) == expected


def test_monthly_on_the_31st_skips_the_months_without_one() -> None:
    event = series(date(2025, 1, 31), (8, 9), Repeat.MONTHLY, date(2025, 12, 31))
    months = [d.month for d in days(date(2025, 1, 1), date(2025, 12, 31), event)]
    assert months == [1, 3, 5, 7, 8, 10, 12]


def test_cancelled_and_moved_times() -> None:
    event = series(date(2025, 9, 1), (9, 10), Repeat.DAILY, date(2025, 9, 5))
    cancelled = EventException(event=event, occurrence_date=date(2025, 9, 2), cancelled=True)
    moved = EventException(
        event=event,
        occurrence_date=date(2025, 9, 3),
        starts_at=at(date(2025, 9, 3), 14),
        ends_at=at(date(2025, 9, 3), 15),
    )
    found = recurrence.occurrences(event, at(date(2025, 9, 1), 0), at(date(2025, 9, 6), 0), [cancelled, moved])
    assert [o.occurrence_date.day for o in found] == [1, 3, 4, 5]
    [third] = [o for o in found if o.occurrence_date == date(2025, 9, 3)]
    assert third.moved and timezone.localtime(third.starts_at).hour == 14


def test_a_time_moved_into_the_window_from_a_date_outside_it_is_shown() -> None:
    event = series(date(2025, 9, 1), (9, 10), Repeat.DAILY, date(2025, 9, 10))
    moved = EventException(
        event=event,
        occurrence_date=date(2025, 9, 2),
        starts_at=at(date(2025, 9, 8), 13),
        ends_at=at(date(2025, 9, 8), 14),
    )
    found = recurrence.occurrences(event, at(date(2025, 9, 8), 0), at(date(2025, 9, 9), 0), [moved])
    assert [(o.occurrence_date, timezone.localtime(o.starts_at).hour) for o in found] == [
        (date(2025, 9, 8), 9),
        (date(2025, 9, 2), 13),
    ]
    # …and no longer on its own date.
    assert date(2025, 9, 2) not in days(date(2025, 9, 2), date(2025, 9, 2), event, (moved,))


def test_a_weekly_series_keeps_17_local_time_across_the_end_of_summer_time() -> None:
    # Summer time ends on Sunday 26 October 2025: 17:00 is 15:00 UTC before and 16:00 UTC after.
    event = series(date(2025, 10, 21), (17, 18), Repeat.WEEKLY, date(2025, 11, 4), repeat_weekdays=1 << TUESDAY)
    found = recurrence.occurrences(event, at(date(2025, 10, 20), 0), at(date(2025, 11, 10), 0))
    assert [timezone.localtime(o.starts_at).time() for o in found] == [time(17)] * 3
    assert [o.starts_at.astimezone(UTC).hour for o in found] == [15, 16, 16]
    assert all(timezone.localtime(o.ends_at).time() == time(18) for o in found)


def test_a_time_that_started_before_the_window_reaches_into_it() -> None:
    event = series(date(2025, 9, 1), (22, 23), Repeat.DAILY, date(2025, 9, 10))
    event.ends_at = at(date(2025, 9, 2), 2)  # 22:00 to 02:00 the next morning
    found = recurrence.occurrences(event, at(date(2025, 9, 5), 0), at(date(2025, 9, 6), 0))
    assert [o.occurrence_date for o in found] == [date(2025, 9, 4), date(2025, 9, 5)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"repeat_weekdays": 0}, "repeat_weekdays"),
        ({"repeat_until": None}, "repeat_until"),
        ({"repeat_until": date(2025, 8, 31)}, "repeat_until"),
        ({"repeat_until": date(2025, 9, 1) + timedelta(days=recurrence.MAX_SERIES_DAYS + 1)}, "repeat_until"),
        ({"repeat_interval": 0}, "repeat_interval"),
        ({"ends_at": at(date(2025, 9, 3), 9)}, "ends_at"),
        ({"repeat": "yearly"}, "repeat"),
    ],
)
def test_a_series_that_cannot_be_is_refused_naming_the_field(changes: dict[str, object], field: str) -> None:
    event = series(date(2025, 9, 1), (9, 10), Repeat.WEEKLY, date(2025, 12, 1), repeat_weekdays=1 << TUESDAY)
    for name, value in changes.items():
        setattr(event, name, value)
    with pytest.raises(InvalidInput) as refused:
        recurrence.check_series(event)
    assert refused.value.field == field


def test_a_series_starting_on_another_weekday_begins_on_its_first_real_date() -> None:
    monday = date(2025, 9, 1)
    event = series(monday, (17, 18), Repeat.WEEKLY, date(2025, 9, 30), repeat_weekdays=1 << THURSDAY)
    recurrence.check_series(event)
    assert timezone.localtime(event.starts_at) == at(date(2025, 9, 4), 17)
    assert timezone.localtime(event.ends_at) == at(date(2025, 9, 4), 18)
    longest = series(monday, (9, 10), Repeat.DAILY, monday + timedelta(days=recurrence.MAX_SERIES_DAYS))
    recurrence.check_series(longest)  # exactly the longest series is allowed


def test_a_single_event_drops_the_rule() -> None:
    event = series(date(2025, 9, 1), (9, 10), Repeat.NEVER, date(2025, 9, 30), repeat_weekdays=3, repeat_interval=4)
    recurrence.check_series(event)
    assert (event.repeat_until, event.repeat_weekdays, event.repeat_interval) == (None, 0, 1)


def test_a_series_is_described_in_words() -> None:
    weekly = series(date(2025, 9, 2), (17, 18), Repeat.WEEKLY, date(2025, 12, 20), repeat_weekdays=1 << TUESDAY)
    every_other = series(
        date(2025, 9, 2),
        (17, 18),
        Repeat.WEEKLY,
        date(2026, 1, 20),
        repeat_weekdays=recurrence.weekday_mask([TUESDAY, THURSDAY]),
        repeat_interval=2,
    )
    monthly = series(date(2025, 1, 31), (8, 9), Repeat.MONTHLY, date(2025, 6, 30))
    with translation.override("da"):
        assert recurrence.describe(weekly) == "Hver uge tirsdag, til 20. december"
        assert recurrence.describe(every_other) == "Hver 2. uge tirsdag og torsdag, til 20. januar 2026"
        assert recurrence.describe(monthly) == "Hver måned den 31., til 30. juni"
    with translation.override("en"):
        assert recurrence.describe(weekly) == "Every week on Tuesday, until December 20"


def test_a_date_of_the_series_and_the_time_on_it() -> None:
    event = series(date(2025, 9, 2), (17, 18), Repeat.WEEKLY, date(2025, 9, 30), repeat_weekdays=1 << TUESDAY)
    assert recurrence.is_series_date(event, date(2025, 9, 9))
    assert not recurrence.is_series_date(event, date(2025, 9, 10))
    assert not recurrence.is_series_date(event, date(2025, 10, 7))
    occurrence = recurrence.occurrence_on(event, date(2025, 9, 9))
    assert occurrence is not None and timezone.localtime(occurrence.starts_at) == at(date(2025, 9, 9), 17)
    cancelled = EventException(event=event, occurrence_date=date(2025, 9, 9), cancelled=True)
    assert recurrence.occurrence_on(event, date(2025, 9, 9), [cancelled]) is None
