"""Belægning: how many children are expected in each half hour, beside how many came, and per adult.

Expected children come from the guardians' planned times, less those reported sick, on vacation or
answering "not coming" to a ferieanmodning; a "coming" answer with times replaces the planned times
for that day. Actual children come from check-in and check-out. Where the leader has entered staff
shifts, each half hour also shows children per adult. Institutions plan their staffing from this.

Everything loads in a fixed number of queries, whatever the number of children or days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from kinabog.core.errors import NotFound
from kinabog.institutions import access as core_access
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import ChildAccess, Viewer
from kinabog.institutions.models import Group, Institution, InstitutionProfile, Membership

from . import access, queries
from .models import PresenceDay, PresenceTemplate, StaffShift, Status, VacationResponseDay
from .opening import DayHours, days_between, opening_calendar
from .vacation_requests import answer_days_by_child

SLOT_MINUTES = 30
MAX_DAYS = 14

# Why a child is or is not expected on a day.
EXPECTED = "expected"
EXPECTED_NO_TIMES = "expected_no_times"
SICK = "sick"
VACATION = "vacation"
NOT_COMING = "not_coming"
NO_PLAN = "no_plan"
CLOSED = "closed"


@dataclass(frozen=True)
class ChildPlan:
    """One child's day as occupancy sees it."""

    profile_id: int
    state: str
    entry: time | None = None
    exit: time | None = None
    from_answer: bool = False  # the times come from a ferieanmodning answer
    check_in: time | None = None
    check_out: time | None = None


@dataclass
class Slot:
    start: time
    end: time
    expected: int = 0
    actual: int | None = None
    staff: int | None = None

    @property
    def per_adult(self) -> float | None:
        if not self.staff:
            return None
        return round(self.expected / self.staff, 1)

    @property
    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass
class OccupancyDay:
    date: date
    hours: DayHours
    slots: list[Slot]
    plans: list[ChildPlan]
    has_actual: bool
    has_staff: bool

    def count(self, state: str) -> int:
        return sum(1 for p in self.plans if p.state == state)

    @property
    def is_open(self) -> bool:
        return self.hours.is_open

    @property
    def count_sick(self) -> int:
        return self.count(SICK)

    @property
    def count_vacation(self) -> int:
        return self.count(VACATION)

    @property
    def count_not_coming(self) -> int:
        return self.count(NOT_COMING)

    @property
    def count_no_plan(self) -> int:
        return self.count(NO_PLAN)

    @property
    def expected(self) -> int:
        return self.count(EXPECTED) + self.count(EXPECTED_NO_TIMES)

    @property
    def peak(self) -> int:
        return max((s.expected for s in self.slots), default=0)

    @property
    def checked_in(self) -> int:
        return sum(1 for p in self.plans if p.check_in is not None)


@dataclass
class Occupancy:
    institution: Institution
    group: Group | None
    groups: list[Group]
    start: date
    end: date
    days: list[OccupancyDay]
    child_count: int
    slot_times: list[tuple[time, time]] = field(default_factory=list)

    @property
    def scale(self) -> int:
        """The largest number any bar shows, so bars of different days compare."""
        largest = 1
        for day in self.days:
            for slot in day.slots:
                largest = max(largest, slot.expected, slot.actual or 0)
        return largest

    def rows(self) -> list[tuple[tuple[time, time], list[Slot | None]]]:
        """The week as a table: one row per half hour, one cell per day (None where closed)."""
        by_day = [{(s.start, s.end): s for s in day.slots} for day in self.days]
        return [(times, [cells.get(times) for cells in by_day]) for times in self.slot_times]


# --- Loading ---------------------------------------------------------------------------------------------


def overview_institutions(viewer: Viewer) -> list[Institution]:
    ids = [i for i in viewer.employee_institution_ids if access.can_see_overviews(viewer, i)]
    if not ids:
        return []
    return list(Institution.objects.filter(id__in=ids, kind__in=access.PRESENCE_KINDS).order_by("name"))


def overview_institution(viewer: Viewer, institution_id: int) -> Institution:
    if institution_id not in viewer.employee_institution_ids or not access.can_see_overviews(viewer, institution_id):
        raise NotFound
    institution = Institution.objects.filter(pk=institution_id, kind__in=access.PRESENCE_KINDS).first()
    if institution is None:
        raise NotFound
    return institution


def visible_children(
    viewer: Viewer, institution: Institution, group_id: int | None
) -> tuple[list[InstitutionProfile], list[Group], Group | None]:
    """The institution's children the viewer handles (one group's when asked), and its groups."""
    groups = list(Group.objects.filter(institution_id=institution.id).order_by("kind", "name"))
    group = None
    profiles = queries.child_profiles().filter(institution_id=institution.id)
    if group_id is not None:
        group = next((g for g in groups if g.id == group_id), None)
        if group is None:
            raise NotFound
        profiles = profiles.filter(memberships__group_id=group_id)
    profiles = profiles.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("group").only("group__name", "profile_id"))
    ).order_by("person__first_name", "person__last_name", "id")
    children = [
        p
        for p in profiles
        if core_access.child_access(viewer, queries.facts_for(p, [m.group_id for m in p.memberships.all()]))
        == ChildAccess.STAFF
    ]
    return children, groups, group


def occupancy(
    viewer: Viewer, institution_id: int, start: date, end: date | None = None, group_id: int | None = None
) -> Occupancy:
    """Expected and actual children per half hour for each day from start to end (at most two weeks)."""
    end = end or start
    if end < start or (end - start).days >= MAX_DAYS:
        raise NotFound
    institution = overview_institution(viewer, institution_id)
    children, groups, group = visible_children(viewer, institution, group_id)
    plans = plan_days(children, start, end)
    calendar = opening_calendar([institution.id], start, end)[institution.id]
    shifts = StaffShift.objects.filter(institution_id=institution.id, date__gte=start, date__lte=end)
    if group is not None:
        shifts = shifts.filter(group_id=group.id)
    shifts_by_day: dict[date, list[StaffShift]] = {}
    for shift in shifts:
        shifts_by_day.setdefault(shift.date, []).append(shift)
    slot_times = _slot_times(calendar.values(), plans)
    today = timezone.localdate()
    days = []
    for day in days_between(start, end):
        hours = calendar[day]
        day_plans = plans.get(day, [])
        if not hours.is_open and not any(p.check_in for p in day_plans):
            if day.weekday() >= 5:
                continue  # a closed weekend is not worth a column
            days.append(OccupancyDay(day, hours, [], [ChildPlan(p.id, CLOSED) for p in children], False, False))
            continue
        day_shifts = shifts_by_day.get(day, [])
        has_actual = day <= today
        until = _still_in_until(day, today, hours)
        slots = [_slot(times, day_plans, day_shifts, has_actual, until) for times in slot_times]
        days.append(OccupancyDay(day, hours, slots, day_plans, has_actual, bool(day_shifts)))
    return Occupancy(institution, group, groups, start, end, days, len(children), slot_times)


def _still_in_until(day: date, today: date, hours: DayHours) -> time:
    """A child not checked out counts as present until now today, and until closing on earlier days."""
    if day == today:
        return timezone.localtime().time()
    return hours.closes or time(23, 59)


def plan_days(children: list[InstitutionProfile], start: date, end: date) -> dict[date, list[ChildPlan]]:
    """{day: [plan per child]}: five queries for any number of children and days."""
    ids = [c.id for c in children]
    templates = queries.templates_by_child(ids, end)
    vacations = queries.vacations_by_person([c.person_id for c in children], start, end)
    answers = answer_days_by_child(ids, start, end)
    presence = {
        (d.child_id, d.date): d for d in PresenceDay.objects.filter(child_id__in=ids, date__gte=start, date__lte=end)
    }
    result: dict[date, list[ChildPlan]] = {}
    for day in days_between(start, end):
        result[day] = [
            _plan(
                child.id,
                day,
                presence.get((child.id, day)),
                any(v.start_date <= day <= v.end_date for v in vacations.get(child.person_id, [])),
                answers.get(child.id, {}).get(day),
                queries.planned_for(templates.get(child.id, []), day),
            )
            for child in children
        ]
    return result


def _plan(
    child_id: int,
    day: date,
    presence: PresenceDay | None,
    on_vacation: bool,
    answer: VacationResponseDay | None,
    template: PresenceTemplate | None,
) -> ChildPlan:
    check_in = timezone.localtime(presence.check_in_at).time() if presence and presence.check_in_at else None
    check_out = timezone.localtime(presence.check_out_at).time() if presence and presence.check_out_at else None
    status = presence.status if presence else Status.NOT_PRESENT

    def plan(state: str, entry: time | None = None, exit_: time | None = None, from_answer: bool = False) -> ChildPlan:
        return ChildPlan(child_id, state, entry, exit_, from_answer, check_in, check_out)

    if status == Status.SICK:
        return plan(SICK)
    if on_vacation or status == Status.REPORTED_ABSENT:
        return plan(VACATION)
    if answer is not None:
        if not answer.is_coming:
            return plan(NOT_COMING)
        if answer.entry_time and answer.exit_time:
            return plan(EXPECTED, answer.entry_time, answer.exit_time, from_answer=True)
    if template is not None and template.entry_time and template.exit_time:
        return plan(EXPECTED, template.entry_time, template.exit_time)
    if answer is not None or template is not None:
        return plan(EXPECTED_NO_TIMES)
    return plan(NO_PLAN)


def _slot_times(hours: Iterable[DayHours], plans: dict[date, list[ChildPlan]]) -> list[tuple[time, time]]:
    """Half hours from the earliest opening (or arrival) to the latest closing (or departure)."""
    earliest: list[time] = []
    latest: list[time] = []
    for day_hours in hours:
        if day_hours.opens and day_hours.closes:
            earliest.append(day_hours.opens)
            latest.append(day_hours.closes)
    for day_plans in plans.values():
        for plan in day_plans:
            earliest.extend(t for t in (plan.entry, plan.check_in) if t)
            latest.extend(t for t in (plan.exit, plan.check_out, plan.check_in) if t)
    if not earliest or not latest:
        return []
    first = _floor(min(earliest))
    last = max(latest)
    slots = []
    moment = datetime.combine(date.min, first)
    while moment.time() < last and moment.date() == date.min:
        following = moment + timedelta(minutes=SLOT_MINUTES)
        end = following.time() if following.date() == date.min else time(23, 59)
        slots.append((moment.time(), end))
        moment = following
    return slots


def _floor(moment: time) -> time:
    return time(moment.hour, (moment.minute // SLOT_MINUTES) * SLOT_MINUTES)


def _overlaps(start: time | None, end: time | None, slot: tuple[time, time]) -> bool:
    return start is not None and end is not None and start < slot[1] and end > slot[0]


def _slot(
    times: tuple[time, time], plans: list[ChildPlan], shifts: list[StaffShift], has_actual: bool, until: time
) -> Slot:
    slot = Slot(times[0], times[1])
    slot.expected = sum(1 for p in plans if p.state == EXPECTED and _overlaps(p.entry, p.exit, times))
    if has_actual:
        slot.actual = sum(
            1 for p in plans if p.check_in is not None and _overlaps(p.check_in, p.check_out or until, times)
        )
    if shifts:
        slot.staff = sum(1 for s in shifts if _overlaps(s.start, s.end, times))
    return slot


def child_names(viewer: Viewer, children: list[InstitutionProfile]) -> dict[int, str]:
    return {c.id: institution_queries.display_name(viewer, c.person, {c.institution_id}) for c in children}
