"""Staff hours (vagter) per day, entered by a leader so occupancy can show children per adult."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput, NotFound
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import Group, InstitutionProfile, Permission, ProfileRole

from .models import StaffShift

MAX_COPY_DAYS = 7


def may_plan(viewer: Viewer, institution_id: int) -> bool:
    """Leaders (overviews) plan the shifts of their institution."""
    return institution_id in viewer.employee_institution_ids and viewer.has_permission(
        institution_id, Permission.SEE_OVERVIEWS
    )


def _check(viewer: Viewer, institution_id: int) -> None:
    if not may_plan(viewer, institution_id):
        raise NotFound


def staff_people(viewer: Viewer, institution_id: int) -> list[tuple[int, str]]:
    """(person id, name) of the institution's employees, for choosing whom a shift belongs to."""
    _check(viewer, institution_id)
    rows = (
        InstitutionProfile.objects.filter(institution_id=institution_id, role=ProfileRole.EMPLOYEE, is_active=True)
        .select_related("person")
        .order_by("person__first_name", "person__last_name")
    )
    return [(p.person_id, p.person.full_name) for p in rows]


def shifts_between(viewer: Viewer, institution_id: int, start: date, end: date) -> list[StaffShift]:
    _check(viewer, institution_id)
    return list(
        StaffShift.objects.filter(institution_id=institution_id, date__gte=start, date__lte=end)
        .select_related("person", "group")
        .order_by("date", "start", "person__first_name")
    )


@transaction.atomic
def add_shift(
    viewer: Viewer,
    institution_id: int,
    *,
    person_id: int,
    day: date,
    start: time,
    end: time,
    group_id: int | None = None,
) -> StaffShift:
    _check(viewer, institution_id)
    if end <= start:
        raise InvalidInput(_("The shift must end after it starts."), field="end")
    if not InstitutionProfile.objects.filter(
        institution_id=institution_id, person_id=person_id, role=ProfileRole.EMPLOYEE, is_active=True
    ).exists():
        raise InvalidInput(_("Choose one of the institution's staff."), field="person")
    if group_id is not None and not Group.objects.filter(pk=group_id, institution_id=institution_id).exists():
        raise InvalidInput(_("Choose one of the institution's groups."), field="group")
    if StaffShift.objects.filter(
        institution_id=institution_id, person_id=person_id, date=day, start__lt=end, end__gt=start
    ).exists():
        raise InvalidInput(_("The person already has a shift at that time."), field="start")
    shift = StaffShift.objects.create(
        institution_id=institution_id,
        person_id=person_id,
        group_id=group_id,
        date=day,
        start=start,
        end=end,
        created_by_id=viewer.person_id,
    )
    audit.record(actor_id=viewer.user_id, action="add_staff_shift", obj=shift, assurance_level=viewer.assurance_level)
    return shift


@transaction.atomic
def delete_shift(viewer: Viewer, shift_id: int) -> None:
    shift = StaffShift.objects.filter(pk=shift_id).first()
    if shift is None or not may_plan(viewer, shift.institution_id):
        raise NotFound
    audit.record(
        actor_id=viewer.user_id, action="delete_staff_shift", obj=shift, assurance_level=viewer.assurance_level
    )
    shift.delete()


@transaction.atomic
def copy_week(viewer: Viewer, institution_id: int, monday: date) -> int:
    """Copy a week's shifts to the week after; shifts already there are kept, not doubled."""
    _check(viewer, institution_id)
    source = list(
        StaffShift.objects.filter(
            institution_id=institution_id, date__gte=monday, date__lt=monday + timedelta(days=MAX_COPY_DAYS)
        )
    )
    target_start = monday + timedelta(days=MAX_COPY_DAYS)
    existing = set(
        StaffShift.objects.filter(
            institution_id=institution_id,
            date__gte=target_start,
            date__lt=target_start + timedelta(days=MAX_COPY_DAYS),
        ).values_list("person_id", "date")
    )
    copies = [
        StaffShift(
            institution_id=institution_id,
            person_id=s.person_id,
            group_id=s.group_id,
            date=s.date + timedelta(days=MAX_COPY_DAYS),
            start=s.start,
            end=s.end,
            created_by_id=viewer.person_id,
        )
        for s in source
        if (s.person_id, s.date + timedelta(days=MAX_COPY_DAYS)) not in existing
    ]
    StaffShift.objects.bulk_create(copies)
    return len(copies)
