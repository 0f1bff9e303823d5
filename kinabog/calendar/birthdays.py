"""Fødselsdage: the birthdays of the children and pupils in groups, for the calendar.

A birthday is shown only when a custody holder has given the consent `birthday_in_group` (no answer
counts as no), only to people who see the group's content (the group page's rule), and never for a
name-protected child — not even by alias, since a birth date beside an alias identifies the child.
A birthday on 29 February is shown on 28 February in other years.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from kinabog.consents import queries as consent_queries
from kinabog.institutions import access as institution_access
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import Group, GroupKind, Membership, ProfileRole

# A window longer than this is cut: a calendar never asks for more than a year at once.
MAX_DAYS = 366


@dataclass(frozen=True)
class Birthday:
    date: date  # the day the birthday falls on in the window
    name: str
    group_name: str
    person_id: int
    institution_profile_id: int = 0  # the child's profile at the group's institution (Aula's institutionProfileId)
    institution_code: str = ""
    age: int = 0  # the age the child turns that day


def birthday_in(year: int, born: date) -> date:
    """The day a birthday falls on in a year: 29 February becomes 28 February outside leap years."""
    if born.month == 2 and born.day == 29 and not stdlib_calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, born.month, born.day)


def _month_segments(start: date, end: date) -> list[tuple[int, int, int, int]]:
    """(year, month, first day, last day) for each calendar month the window [start, end] touches."""
    segments = []
    day = start
    while day <= end:
        last_of_month = date(day.year, day.month, stdlib_calendar.monthrange(day.year, day.month)[1])
        segment_end = min(end, last_of_month)
        segments.append((day.year, day.month, day.day, segment_end.day))
        day = segment_end + timedelta(days=1)
    return segments


def _birth_date_condition(segments: list[tuple[int, int, int, int]]) -> Q:
    """Birth dates whose month and day fall in one of the segments (29 February on a non-leap 28th)."""
    condition = Q(pk__in=[])
    for year, month, first, last in segments:
        if month == 2 and last == 28 and not stdlib_calendar.isleap(year):
            last = 29
        condition |= Q(
            profile__person__birth_date__month=month,
            profile__person__birth_date__day__gte=first,
            profile__person__birth_date__day__lte=last,
        )
    return condition


def visible_group_ids(viewer: Viewer, group_ids: Iterable[int] | None) -> dict[int, Group]:
    """The groups among `group_ids` (default: the viewer's own groups) whose content the viewer sees and, unless
    they are its staff, whose members see each other."""
    wanted = viewer.group_ids if group_ids is None else frozenset(group_ids)
    if not wanted:
        return {}
    groups = Group.objects.filter(pk__in=list(wanted)).only(
        "id", "name", "kind", "institution_id", "members_see_members"
    )
    return {
        g.id: g
        for g in groups
        if institution_access.can_see_group_content(viewer, g) and institution_access.can_see_members(viewer, g)
    }


def birthdays_between(
    viewer: Viewer, group_ids: Iterable[int] | None, start_date: date, end_date: date
) -> list[Birthday]:
    """Birthdays in [start_date, end_date] of the children and pupils of the groups, by date and name.

    `group_ids` None means the viewer's own groups (for a month view). Groups the viewer may not see the
    content of are left out silently; a page about one group checks it first and answers 404. A child in
    several of the groups is listed once per day, under a main group when there is one.
    Two queries however many groups and children.
    """
    if end_date < start_date:
        return []
    end_date = min(end_date, start_date + timedelta(days=MAX_DAYS - 1))
    groups = visible_group_ids(viewer, group_ids)
    if not groups:
        return []
    segments = _month_segments(start_date, end_date)
    memberships = (
        Membership.objects.filter(
            _birth_date_condition(segments),
            group_id__in=list(groups),
            profile__role__in=[ProfileRole.CHILD, ProfileRole.PUPIL],
            profile__is_active=True,
            profile__person__is_protected=False,
            profile__person__birth_date__isnull=False,
        )
        .filter(consent_queries.given(consent_queries.BIRTHDAY_IN_GROUP, "profile__person_id"))
        .select_related("profile__person", "profile__institution")
    )
    found: dict[tuple[int, date], tuple[tuple[int, str], Birthday]] = {}
    for membership in memberships:
        person = membership.profile.person
        born = person.birth_date
        assert born is not None
        group = groups[membership.group_id]
        for year in range(start_date.year, end_date.year + 1):
            day = birthday_in(year, born)
            if not start_date <= day <= end_date or day <= born:
                continue
            # Listed once per child and day, under a main group (class, stue) when there is one.
            rank = (0 if group.kind == GroupKind.MAIN else 1, group.name)
            key = (person.id, day)
            if key in found and found[key][0] <= rank:
                continue
            found[key] = (
                rank,
                Birthday(
                    date=day,
                    name=person.full_name,
                    group_name=group.name,
                    person_id=person.id,
                    institution_profile_id=membership.profile.id,
                    institution_code=membership.profile.institution.code,
                    age=year - born.year,
                ),
            )
    return sorted((b for _rank, b in found.values()), key=lambda b: (b.date, b.name.casefold(), b.person_id))


def birthdays_for_institutions(
    viewer: Viewer, institution_codes: Iterable[str], institution_ids: Iterable[int], start_date: date, end_date: date
) -> list[Birthday]:
    """Birthdays in the main groups (class, stue) of institutions, those the viewer sees the content of.

    Institutions the viewer has nothing to do with simply give nothing. Three queries.
    """
    codes, ids = [c for c in institution_codes if c], list(institution_ids)
    if not codes and not ids:
        return []
    group_ids = Group.objects.filter(
        Q(institution__code__in=codes) | Q(institution_id__in=ids), kind=GroupKind.MAIN
    ).values_list("id", flat=True)
    return birthdays_between(viewer, list(group_ids), start_date, end_date)
