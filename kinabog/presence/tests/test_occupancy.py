"""Belægning: expected children per half hour from planned times, vacation, answers and sickness."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from kinabog.core.errors import InvalidInput, NotFound
from kinabog.core.testing import assert_max_queries
from kinabog.institutions.models import InstitutionProfile
from kinabog.presence import actions, occupancy, shifts, vacation_requests
from kinabog.presence.models import PresenceTemplate, SpecialDay, StaffShift
from kinabog.presence.vacation_requests import DayAnswer

from .leader_helpers import child, group, institution, next_monday, next_week, summer_request, viewer

pytestmark = pytest.mark.django_db


def plan_week(first_name: str, entry: time, exit_: time, username: str = "mette") -> None:
    actions.save_template(
        viewer(username, "guardian"),
        child(first_name).id,
        by_date=next_monday(),
        entry_time=entry,
        exit_time=exit_,
        repeat=PresenceTemplate.Repeat.WEEKLY,
    )


def slot(day: occupancy.OccupancyDay, start: time) -> occupancy.Slot:
    return next(s for s in day.slots if s.start == start)


def test_planned_times_fill_the_half_hours_of_next_week():
    plan_week("Emil", time(8, 0), time(15, 0))
    result = occupancy.occupancy(
        viewer("anders"), institution("G10001").id, next_monday(), next_monday() + timedelta(6)
    )
    monday = result.days[0]
    assert monday.date == next_monday() and len(result.days) == 5  # the closed weekend is left out
    assert slot(monday, time(8, 0)).expected == 1
    assert slot(monday, time(7, 30)).expected == 0
    assert slot(monday, time(14, 30)).expected == 1
    assert slot(monday, time(15, 0)).expected == 0
    assert monday.count(occupancy.NO_PLAN) == result.child_count - 1
    assert slot(monday, time(8, 0)).actual is None  # the future has no check-ins


def test_vacation_answers_sickness_and_vacation_change_who_is_expected():
    plan_week("Emil", time(8, 0), time(15, 0))
    request = summer_request()
    days = next_week()
    answers = [DayAnswer(d, True, time(7, 0), time(12, 0)) for d in days]
    answers[1] = DayAnswer(days[1], False)
    vacation_requests.answer_request(viewer("mette", "guardian"), request.id, child("Emil").id, answers)
    actions.register_vacation(viewer("mette", "guardian"), child("Emil").id, days[3], days[3])
    result = occupancy.occupancy(viewer("karin"), institution("G10001").id, days[0], days[4])
    monday, tuesday, _wednesday, thursday, _friday = result.days
    # A "coming" answer with times replaces the planned times.
    assert slot(monday, time(7, 0)).expected == 1 and slot(monday, time(12, 0)).expected == 0
    assert tuesday.count(occupancy.NOT_COMING) == 1 and slot(tuesday, time(8, 0)).expected == 0
    assert thursday.count(occupancy.VACATION) == 1


def test_today_sick_children_are_not_expected_and_check_ins_count_as_actual():
    today = timezone.localdate()
    # Open around the clock today, so that the test means the same on a Saturday, when the demo is closed, and at night.
    SpecialDay.objects.create(
        institution=institution("G10001"), date=today, name="Døgnåbent", closed=False, opens=time.min, closes=time.max
    )
    actions.save_template(
        viewer("mette", "guardian"), child("Emil").id, by_date=today, entry_time=time(0, 0), exit_time=time(23, 59)
    )
    actions.report_sick(viewer("mette", "guardian"), child("Emil").id)
    result = occupancy.occupancy(viewer("anders"), institution("G10001").id, today)
    [day] = result.days
    assert day.count(occupancy.SICK) == 1 and day.expected == 0
    actions.report_sick(viewer("mette", "guardian"), child("Emil").id, sick=False)
    actions.check_in(viewer("karin"), child("Emil").id)
    [day] = occupancy.occupancy(viewer("anders"), institution("G10001").id, today).days
    now = timezone.localtime().time()
    current = next(s for s in day.slots if s.start <= now < s.end or s.end == time(23, 59))
    assert day.checked_in == 1 and current.actual == 1 and current.expected == 1


def test_children_per_adult_where_shifts_are_known():
    plan_week("Emil", time(8, 0), time(15, 0))
    anders = viewer("anders")
    katamaranen = institution("G10001").id
    karin_person = InstitutionProfile.objects.get(person__first_name="Karin").person_id
    shifts.add_shift(anders, katamaranen, person_id=karin_person, day=next_monday(), start=time(7, 0), end=time(11, 0))
    with pytest.raises(InvalidInput):  # overlapping the first
        shifts.add_shift(
            anders, katamaranen, person_id=karin_person, day=next_monday(), start=time(10, 0), end=time(12)
        )
    with pytest.raises(InvalidInput):  # someone who does not work there
        shifts.add_shift(
            anders,
            katamaranen,
            person_id=InstitutionProfile.objects.filter(person__first_name="Mette").first().person_id,
            day=next_monday(),
            start=time(7, 0),
            end=time(11, 0),
        )
    with pytest.raises(NotFound):
        shifts.add_shift(
            viewer("karin"), katamaranen, person_id=karin_person, day=next_monday(), start=time(12), end=time(13)
        )
    monday = occupancy.occupancy(anders, katamaranen, next_monday()).days[0]
    assert slot(monday, time(8, 0)).staff == 1 and slot(monday, time(8, 0)).per_adult == 1.0
    assert slot(monday, time(12, 0)).staff == 0 and slot(monday, time(12, 0)).per_adult is None
    assert shifts.copy_week(anders, katamaranen, next_monday()) == 1
    assert shifts.copy_week(anders, katamaranen, next_monday()) == 0  # copying twice doubles nothing
    assert StaffShift.objects.filter(date=next_monday() + timedelta(days=7)).count() == 1


def test_a_group_shows_only_its_children():
    plan_week("Emil", time(8, 0), time(15, 0))
    blaa = occupancy.occupancy(viewer("anders"), institution("G10001").id, next_monday(), group_id=group("Blå stue").id)
    groen = occupancy.occupancy(
        viewer("anders"), institution("G10001").id, next_monday(), group_id=group("Grøn stue").id
    )
    assert slot(blaa.days[0], time(8, 0)).expected == 1 and blaa.child_count == 6
    assert groen.child_count == 4 and all(s.expected == 0 for s in groen.days[0].slots)
    with pytest.raises(NotFound):  # a group of another institution
        occupancy.occupancy(
            viewer("anders"), institution("G10001").id, next_monday(), group_id=group("Søstjernerne").id
        )


@pytest.mark.parametrize(
    "username, role", [("karin", None), ("mette", "guardian"), ("birgitte", None), ("thomas", None)]
)
def test_kahytten_occupancy_is_hidden_from_others(username, role):
    with pytest.raises(NotFound):
        occupancy.occupancy(viewer(username, role), institution("G10002").id, next_monday())


def test_occupancy_loads_in_a_fixed_number_of_queries():
    anders = viewer("anders")
    katamaranen = institution("G10001").id
    start, end = next_monday(), next_monday() + timedelta(days=6)
    with assert_max_queries(12) as few:
        occupancy.occupancy(anders, katamaranen, start, end)
    # Plans, answers and shifts for every child do not add queries.
    for name in ("Emil", "Aksel", "Clara"):
        person_child = InstitutionProfile.objects.filter(person__first_name=name, institution_id=katamaranen).first()
        if person_child is None:
            continue
        PresenceTemplate.objects.create(
            child=person_child, by_date=start, repeat="weekly", entry_time=time(8), exit_time=time(16)
        )
    request = summer_request()
    vacation_requests.answer_request(
        viewer("mette", "guardian"), request.id, child("Emil").id, [DayAnswer(d, False) for d in next_week()]
    )
    with assert_max_queries(len(few.captured_queries)):
        occupancy.occupancy(anders, katamaranen, start, end)
