"""Komme/gå per child for the Aula-compatible API: a list of child ids in, the same shapes out.

Every list of ids is checked as a whole: an id the viewer may not see makes the call NotFound, the
same as an id that does not exist. A child the viewer may see but who has no komme/gå (a pupil
without SFO) is simply left out, as Aula does. Each read loads in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.core.errors import InvalidInput, NotFound
from kinabog.core.sql import Columns, Read, any_of, load_row, marks, select, select_each, table
from kinabog.institutions import access as core_access
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import ChildAccess, Viewer
from kinabog.institutions.models import (
    Group,
    Institution,
    InstitutionProfile,
    Membership,
    Person,
    ProfileRole,
    Relation,
)

from . import access, actions, queries
from .models import (
    Location,
    PickupPerson,
    PresenceDay,
    PresenceSettings,
    PresenceTemplate,
    SleepInterval,
    Status,
)
from .opening import DayHours, calendar_from, days_between, opening_calendar, opening_reads

MAX_TEMPLATE_DAYS = 62
MAX_OPENING_DAYS = 366


@dataclass
class PresenceChild:
    profile: InstitutionProfile
    display_name: str
    main_group: Group | None
    facts: core_access.ChildFacts


# What the presence methods read of each child, its institution and its groups (no CPR, no address).
_CHILD = Columns(InstitutionProfile, "p", ["id", "person_id", "institution_id", "role", "is_active"])
_CHILD_PERSON = Columns(Person, "pe", ["id", "first_name", "last_name", "is_protected", "alias"])
_CHILD_INSTITUTION = Columns(Institution, "i", ["id", "code", "name", "kind", "presence_scoped_to_groups"])
_CHILD_GROUP = Columns(Group, "g", ["id", "institution_id", "name", "kind"])
# Written into the statement, not passed as parameters: a plan made once for any roles could not tell how few of
# the profiles are children's, looked dearer than a plan for these, and PostgreSQL planned every call (0021).
_CHILD_ROLES = ", ".join(f"'{role.value}'" for role in (ProfileRole.CHILD, ProfileRole.PUPIL))


def presence_children(viewer: Viewer, child_ids: Iterable[int]) -> list[PresenceChild]:
    """The viewer's visible children among the ids, in the order asked; NotFound for any hidden id.

    One written-out statement (a row per group of each child): every komme/gå call of a guardian's app starts
    here, and the ORM's two queries cost more to build than PostgreSQL takes to answer them."""
    ids = list(dict.fromkeys(child_ids))
    if not ids:
        return []
    parts = (_CHILD, _CHILD_PERSON, _CHILD_INSTITUTION)
    condition, params = any_of("p.id", ids)
    sql = f"""
        SELECT {", ".join(part.sql for part in parts)}, {_CHILD_GROUP.sql}
        FROM {table(InstitutionProfile)} p
        JOIN {table(Person)} pe ON pe.id = p.person_id
        JOIN {table(Institution)} i ON i.id = p.institution_id
        LEFT JOIN {table(Membership)} m ON m.profile_id = p.id
        LEFT JOIN {table(Group)} g ON g.id = m.group_id
        WHERE {condition} AND p.is_active AND p.role IN ({_CHILD_ROLES})
        ORDER BY p.id, m.id
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    profiles: dict[int, tuple[InstitutionProfile, list[Group]]] = {}
    db = connection.alias
    at_group = sum(part.width for part in parts)
    for row in rows:
        if row[0] not in profiles:
            profile, person, institution = load_row(row, parts, db)
            profile.person = person
            profile.institution = institution
            profiles[row[0]] = (profile, [])
        group = _CHILD_GROUP.load(row, at_group, db)
        if group is not None:
            profiles[row[0]][1].append(group)
    result = []
    for child_id in ids:
        if child_id not in profiles:
            raise NotFound
        profile, groups = profiles[child_id]
        facts = queries.facts_for(profile, [g.id for g in groups])
        if not access.can_see_day(viewer, facts):
            raise NotFound
        if profile.institution.kind not in access.PRESENCE_KINDS:
            continue  # a pupil's school profile: no komme/gå there
        result.append(
            PresenceChild(
                profile=profile,
                display_name=institution_queries.display_name(viewer, profile.person, {profile.institution_id}),
                main_group=next((g for g in groups if institution_queries.is_main_group(g)), None),
                facts=facts,
            )
        )
    return result


# --- presence.getDailyOverview ----------------------------------------------------------------------------


@dataclass
class DailyOverview:
    child: PresenceChild
    day: PresenceDay | None
    planned: PresenceTemplate | None
    on_vacation: bool
    vacation_note: str
    sleep_intervals: list[SleepInterval]
    hours: DayHours

    @property
    def status(self) -> int:
        if self.day is not None:
            return int(self.day.status)
        return int(Status.REPORTED_ABSENT if self.on_vacation else Status.NOT_PRESENT)

    @property
    def planned_outside_opening_hours(self) -> bool:
        if self.planned is None or self.hours.opens is None or self.hours.closes is None:
            return False
        entry, exit_ = self.planned.entry_time, self.planned.exit_time
        return bool((entry and entry < self.hours.opens) or (exit_ and exit_ > self.hours.closes))


def daily_overview(viewer: Viewer, child_ids: Iterable[int], day: date | None = None) -> list[DailyOverview]:
    """The children's day. After the children (the access check), every read is sent together (core.sql.select_each):
    the guardians' app asks for this on every opening of komme/gå, all morning."""
    day = day or timezone.localdate()
    children = presence_children(viewer, child_ids)
    if not children:
        return []
    ids = [c.profile.id for c in children]
    institution_ids = sorted({c.profile.institution_id for c in children})
    day_rows, intervals, template_rows, vacation_rows, weekly, special = select_each(
        queries.days_read(ids, day),
        _sleep_read(ids, day),
        queries.templates_read(ids, day),
        queries.vacations_read([c.profile.person_id for c in children], day, day),
        *opening_reads(institution_ids, day, day),
    )
    days = {row.child_id: row for row in day_rows}
    sleep = _sleep_by_day(intervals, list(days.values()))
    templates = queries.by_child(template_rows)
    vacations = queries.by_child(vacation_rows)
    calendar = calendar_from(institution_ids, day, day, weekly, special)
    result = []
    for child in children:
        presence = days.get(child.profile.id)
        child_vacations = vacations.get(child.profile.person_id, [])
        result.append(
            DailyOverview(
                child=child,
                day=presence,
                planned=queries.planned_for(templates.get(child.profile.id, []), day),
                on_vacation=bool(child_vacations),
                vacation_note=(presence.vacation_note if presence else "")
                or (child_vacations[0].comment if child_vacations else ""),
                sleep_intervals=sleep.get(presence.id, []) if presence else [],
                hours=calendar[child.profile.institution_id][day],
            )
        )
    return result


def _sleep_read(child_ids: list[int], day: date) -> Read:
    """The sleep intervals of the children's days of `day`, in time order."""
    condition = (
        f"day_id IN (SELECT id FROM {table(PresenceDay)} WHERE child_id IN ({marks(child_ids)}) AND date = %s) "  # noqa: S608
        "ORDER BY start, id"
    )
    return Read(SleepInterval, condition, [*child_ids, connection.ops.adapt_datefield_value(day)])


def _sleep_by_day(intervals: list[SleepInterval], days: list[PresenceDay]) -> dict[int, list[SleepInterval]]:
    """The sleep intervals by day; each day's location loaded with it (a query only when a child is anywhere
    in particular)."""
    result: dict[int, list[SleepInterval]] = {}
    for interval in intervals:
        result.setdefault(interval.day_id, []).append(interval)
    location_ids = {d.location_id for d in days if d.location_id is not None}
    locations = {}
    if location_ids:
        condition, params = any_of("id", sorted(location_ids))
        locations = {location.id: location for location in select(Location, condition, params)}
    for d in days:
        PresenceDay.location.field.set_cached_value(d, locations.get(d.location_id) if d.location_id else None)
    return result


# --- presence.getPresenceTemplates ------------------------------------------------------------------------


@dataclass
class PlannedDay:
    date: date
    template: PresenceTemplate | None
    on_vacation: bool


@dataclass
class ChildWeek:
    child: PresenceChild
    days: list[PlannedDay] = field(default_factory=list)


def planned_days(viewer: Viewer, child_ids: Iterable[int], start: date, end: date) -> list[ChildWeek]:
    """Each child's planned times for every day from start to end (at most about two months)."""
    if end < start or (end - start).days >= MAX_TEMPLATE_DAYS:
        raise InvalidInput(_("Choose a period of at most two months."), field="toDate")
    children = presence_children(viewer, child_ids)
    ids = [c.profile.id for c in children]
    templates = queries.templates_by_child(ids, end)
    vacations = queries.vacations_by_person([c.profile.person_id for c in children], start, end)
    result = []
    for child in children:
        mine = templates.get(child.profile.id, [])
        away = vacations.get(child.profile.person_id, [])
        result.append(
            ChildWeek(
                child,
                [
                    PlannedDay(
                        day,
                        queries.planned_for(mine, day),
                        any(v.start_date <= day <= v.end_date for v in away),
                    )
                    for day in days_between(start, end)
                ],
            )
        )
    return result


@transaction.atomic
def update_template(
    viewer: Viewer,
    child_id: int,
    *,
    template_id: int | None,
    by_date: date,
    entry_time: time | None,
    exit_time: time | None,
    repeat: str,
    repeat_until: date | None,
    activity_type: int,
    exit_with: str = "",
    self_decider_start: time | None = None,
    self_decider_end: time | None = None,
    comment: str = "",
) -> PresenceTemplate:
    """Save planned times; with the id of an existing template of the child, that one is replaced."""
    if not presence_children(viewer, [child_id]):
        raise NotFound  # a school profile: no komme/gå there
    old = None
    if template_id is not None:
        old = PresenceTemplate.objects.select_for_update().filter(pk=template_id, child_id=child_id).first()
        if old is None:
            raise NotFound
    template = actions.save_template(
        viewer,
        child_id,
        by_date=by_date,
        entry_time=entry_time,
        exit_time=exit_time,
        repeat=repeat,
        repeat_until=repeat_until,
        activity_type=activity_type,
        exit_with=exit_with,
        self_decider_start=self_decider_start,
        self_decider_end=self_decider_end,
        comment=comment,
    )
    if old is not None:
        old.delete()
    return template


# --- presence.updateStatusByInstitutionProfileIds ------------------------------------------------------------


@transaction.atomic
def set_sick_today(viewer: Viewer, child_ids: Iterable[int], *, sick: bool) -> None:
    """A guardian reports several children sick today (or undoes it): all or none."""
    ids = list(dict.fromkeys(child_ids))
    if not ids:
        raise InvalidInput(_("Choose a child."))
    for child_id in ids:
        actions.report_sick(viewer, child_id, sick=sick)


# --- presence.getPickupResponsibles -------------------------------------------------------------------------


@dataclass
class RelatedPerson:
    institution_profile_id: int | None
    name: str
    relation: str


@dataclass
class Pickup:
    child: PresenceChild
    related: list[RelatedPerson]
    suggestions: list[PickupPerson]


def pickup_responsibles(viewer: Viewer, child_ids: Iterable[int]) -> list[Pickup]:
    children = presence_children(viewer, child_ids)
    person_ids = [c.profile.person_id for c in children]
    relations = list(
        Relation.objects.filter(child_id__in=person_ids)
        .select_related("guardian")
        .order_by("guardian__first_name", "guardian__last_name")
    )
    guardian_profiles = {
        (p.person_id, p.institution_id): p.id
        for p in InstitutionProfile.objects.filter(
            person_id__in={r.guardian_id for r in relations},
            institution_id__in={c.profile.institution_id for c in children},
            role=ProfileRole.GUARDIAN,
            is_active=True,
        ).only("id", "person_id", "institution_id")
    }
    suggestions: dict[int, list[PickupPerson]] = {}
    for person in PickupPerson.objects.filter(child_id__in=person_ids).order_by("name", "id"):
        suggestions.setdefault(person.child_id, []).append(person)
    result = []
    for child in children:
        related = [
            RelatedPerson(
                guardian_profiles.get((r.guardian_id, child.profile.institution_id)),
                institution_queries.display_name(viewer, r.guardian, child.facts.institution_ids),
                str(r.get_kind_display()),
            )
            for r in relations
            if r.child_id == child.profile.person_id
        ]
        result.append(Pickup(child, related, suggestions.get(child.profile.person_id, [])))
    return result


# --- presence.getPresenceConfigurationByChildIds ---------------------------------------------------------------


@dataclass
class ChildConfiguration:
    child: PresenceChild
    settings: PresenceSettings
    departments: list[Group]
    may_edit: bool  # the viewer acts for the child (guardian) or handles komme/gå (staff)


def configurations(viewer: Viewer, child_ids: Iterable[int]) -> list[ChildConfiguration]:
    children = presence_children(viewer, child_ids)
    institution_ids = {c.profile.institution_id for c in children}
    stored = {s.institution_id: s for s in PresenceSettings.objects.filter(institution_id__in=institution_ids)}
    main_groups: dict[int, list[Group]] = {}
    for group in Group.objects.filter(institution_id__in=institution_ids, kind="main").order_by("name"):
        main_groups.setdefault(group.institution_id, []).append(group)  # type: ignore[arg-type]
    result = []
    for child in children:
        institution_id = child.profile.institution_id
        settings = stored.get(institution_id) or PresenceSettings(institution_id=institution_id)
        may_edit = core_access.child_access(viewer, child.facts) >= ChildAccess.DAILY or access.can_register(
            viewer, child.facts
        )
        result.append(ChildConfiguration(child, settings, main_groups.get(institution_id, []), may_edit))
    return result


# --- presence.getOpeningHoursByInstitutionCodes -------------------------------------------------------------------


def related_institutions(viewer: Viewer, codes: Iterable[str]) -> list[Institution]:
    """Institutions by code that the viewer works at or has a child at; NotFound for any other code."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not wanted:
        return []
    institutions = {i.code: i for i in Institution.objects.filter(code__in=wanted)}
    child_institutions = set(
        InstitutionProfile.objects.filter(
            person_id__in=[c.child_id for c in viewer.children.values() if c.access >= ChildAccess.DAILY],
            is_active=True,
        ).values_list("institution_id", flat=True)
    )
    related = set(viewer.institution_ids) | child_institutions
    result = []
    for code in wanted:
        institution = institutions.get(code)
        if institution is None or institution.id not in related:
            raise NotFound
        result.append(institution)
    return result


def opening_hours(
    viewer: Viewer, codes: Iterable[str], start: date, end: date
) -> list[tuple[Institution, list[DayHours]]]:
    if end < start or (end - start).days >= MAX_OPENING_DAYS:
        raise InvalidInput(_("Choose a period of at most one year."), field="endDate")
    institutions = related_institutions(viewer, codes)
    calendar = opening_calendar([i.id for i in institutions], start, end)
    return [(i, list(calendar[i.id].values())) for i in institutions]
