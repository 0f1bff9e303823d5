"""Reads of komme/gå, already scoped by access. Every list loads in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, IntegerField, Prefetch, Q, Value

from kinabog.core.errors import NotFound
from kinabog.core.sql import Columns, Read, load_row, marks, select, table
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import ChildAccess, ChildFacts, Viewer
from kinabog.institutions.models import (
    Group,
    Institution,
    InstitutionProfile,
    Membership,
    Person,
    ProfileRole,
    Relation,
)

from . import access
from .models import (
    IN_CARE,
    ActivityType,
    KioskDevice,
    Location,
    OpeningHours,
    PickupPerson,
    PresenceDay,
    PresenceEvent,
    PresenceSettings,
    PresenceTemplate,
    SleepInterval,
    SpecialDay,
    Status,
    VacationRegistration,
    Webhook,
)


def child_profiles():  # type: ignore[no-untyped-def]
    return InstitutionProfile.objects.filter(
        role__in=[ProfileRole.CHILD, ProfileRole.PUPIL], is_active=True, institution__kind__in=access.PRESENCE_KINDS
    ).select_related("person", "institution")


def facts_for(profile: InstitutionProfile, group_ids: Iterable[int]) -> ChildFacts:
    """Access facts for a child at one institution: presence is per institution profile."""
    institution = profile.institution
    return ChildFacts(
        person_id=profile.person_id,
        institution_ids=frozenset({profile.institution_id}),
        group_ids=frozenset(group_ids),
        scoped_institution_ids=frozenset({institution.id}) if institution.presence_scoped_to_groups else frozenset(),
    )


@dataclass(frozen=True)
class ChildContext:
    profile: InstitutionProfile
    facts: ChildFacts
    display_name: str


def get_child(viewer: Viewer, child_profile_id: int) -> ChildContext:
    """A child at a komme/gå institution whose day the viewer may see; NotFound otherwise."""
    profile = (
        child_profiles()
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.only("id", "group_id", "profile_id")))
        .filter(pk=child_profile_id)
        .first()
    )
    if profile is None:
        raise NotFound
    facts = facts_for(profile, [m.group_id for m in profile.memberships.all()])
    if not access.can_see_day(viewer, facts):
        raise NotFound
    name = institution_queries.display_name(viewer, profile.person, facts.institution_ids)
    return ChildContext(profile, facts, name)


def settings_for(institution_id: int) -> PresenceSettings:
    return PresenceSettings.objects.filter(institution_id=institution_id).first() or PresenceSettings(
        institution_id=institution_id
    )


# --- Planned times --------------------------------------------------------------------------------


def template_applies(template: PresenceTemplate, day: date) -> bool:
    if day < template.by_date or (template.repeat_until and day > template.repeat_until):
        return False
    if template.repeat == PresenceTemplate.Repeat.NEVER:
        return day == template.by_date
    if day.weekday() != template.by_date.weekday():
        return False
    if template.repeat == PresenceTemplate.Repeat.EVERY_2_WEEKS:
        return (day - template.by_date).days % 14 == 0
    return True


def planned_for(templates: list[PresenceTemplate], day: date) -> PresenceTemplate | None:
    """The template in force on a day: a one-day template beats a repeating one; the newest wins."""
    matching = [t for t in templates if template_applies(t, day)]
    if not matching:
        return None
    return max(matching, key=lambda t: (t.repeat == PresenceTemplate.Repeat.NEVER, t.by_date, t.id or 0))


# The planned times, vacations and days of a few children are read on every guardian's page and every kiosk
# screen, in the morning rush too: as written-out conditions (core.sql.select), since building each query
# through the ORM cost twice what PostgreSQL takes to answer it.


def templates_read(child_ids: list[int], until: date) -> Read:
    """The children's planned times that have begun by `until`, oldest first (at least one child)."""
    condition = f"child_id IN ({marks(child_ids)}) AND by_date <= %s ORDER BY id"
    return Read(PresenceTemplate, condition, [*child_ids, _day(until)])


def vacations_read(person_ids: list[int], start: date, end: date) -> Read:
    """The persons' vacations that overlap start–end (at least one person)."""
    condition = f"child_id IN ({marks(person_ids)}) AND start_date <= %s AND end_date >= %s ORDER BY start_date, id"
    return Read(VacationRegistration, condition, [*person_ids, _day(end), _day(start)])


def days_read(child_ids: list[int], day: date) -> Read:
    """The children's rows of `day` (none for a child not registered yet; at least one child)."""
    return Read(PresenceDay, f"child_id IN ({marks(child_ids)}) AND date = %s", [*child_ids, _day(day)])


def by_child(rows: Iterable[Any]) -> dict[int, list[Any]]:
    """Rows grouped by their `child_id`, in the order read."""
    result: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        result[row.child_id].append(row)
    return result


def templates_by_child(child_ids: list[int], until: date) -> dict[int, list[PresenceTemplate]]:
    return by_child(select(*templates_read(child_ids, until))) if child_ids else defaultdict(list)


def vacations_by_person(person_ids: list[int], start: date, end: date) -> dict[int, list[VacationRegistration]]:
    return by_child(select(*vacations_read(person_ids, start, end))) if person_ids else defaultdict(list)


def days_by_child(child_ids: list[int], day: date) -> dict[int, PresenceDay]:
    """The children's rows of `day` (none for a child not registered yet)."""
    return {row.child_id: row for row in select(*days_read(child_ids, day))} if child_ids else {}


def _day(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)


# --- Opening hours --------------------------------------------------------------------------------


def opening_hours_on(institution_id: int, day: date) -> tuple[time, time] | bool | None:
    """(opens, closes) for a day; None when the institution is closed; True when no hours are set (then
    nothing is refused; opening.py's weekday defaults are for showing and planning only)."""
    # One query: the day's special hours (weekday -1) and the weekly hours together.
    special = SpecialDay.objects.filter(institution_id=institution_id, date=day).values_list(
        Value(-1, output_field=IntegerField()), "opens", "closes", "closed"
    )
    weekly = OpeningHours.objects.filter(institution_id=institution_id).values_list(
        "weekday", "opens", "closes", Value(False, output_field=BooleanField())
    )
    rows = {weekday: (opens, closes, closed) for weekday, opens, closes, closed in special.union(weekly, all=True)}
    hours = rows.get(day.weekday())
    return _hours(rows.get(-1), (hours[0], hours[1]) if hours else None, bool(rows))


def _hours(
    special: tuple[time | None, time | None, bool] | None, weekly: tuple[time, time] | None, any_set: bool
) -> tuple[time, time] | bool | None:
    """The rule of opening_hours_on, from the day's special row, the weekday's hours and whether any are set."""
    if special is not None:
        opens, closes, closed = special
        if closed:
            return None
        return (opens, closes) if opens is not None and closes is not None else True  # open, no hours given
    if not any_set:
        return True
    return weekly


@dataclass(frozen=True)
class RegistrationTarget:
    """What a check-in or check-out needs to know about a child, read in one statement."""

    facts: ChildFacts
    institution_id: int
    hours: tuple[time, time] | bool | None  # as opening_hours_on answers for the day asked about
    has_webhooks: bool


_REGISTRATION_KINDS = [str(kind) for kind in access.PRESENCE_KINDS]


@cache
def _registration_target_sql() -> str:
    """registration_target's statement, written once per process (its table names are the only text in it)."""
    return f"""
        SELECT p.person_id, p.institution_id, i.presence_scoped_to_groups, m.group_id,
               EXISTS (SELECT 1 FROM {table(Webhook)} w WHERE w.institution_id = p.institution_id AND w.is_active),
               s.id, s.opens, s.closes, s.closed, h.opens, h.closes,
               EXISTS (SELECT 1 FROM {table(OpeningHours)} o WHERE o.institution_id = p.institution_id)
        FROM {table(InstitutionProfile)} p
        JOIN {table(Institution)} i ON i.id = p.institution_id
        LEFT JOIN {table(Membership)} m ON m.profile_id = p.id
        LEFT JOIN {table(SpecialDay)} s ON s.institution_id = p.institution_id AND s.date = %s
        LEFT JOIN {table(OpeningHours)} h ON h.institution_id = p.institution_id AND h.weekday = %s
        WHERE p.id = %s AND p.is_active AND p.role IN (%s, %s) AND i.kind IN ({marks(_REGISTRATION_KINDS)})
    """  # noqa: S608 - table names from the models, values as parameters


def registration_target(child_profile_id: int, day: date) -> RegistrationTarget | None:
    """A child at a komme/gå institution, with its groups, the institution's hours on `day` and whether the
    institution has webhooks — or None.

    Every tap on "check in" in the morning rush runs this, so it is one plain statement (a row per group of
    the child) instead of the three model queries of get_child, opening_hours_on and the webhook look-up.
    """
    params = [connection.ops.adapt_datefield_value(day), day.weekday(), child_profile_id]
    params += [ProfileRole.CHILD.value, ProfileRole.PUPIL.value, *_REGISTRATION_KINDS]
    with connection.cursor() as cursor:
        cursor.execute(_registration_target_sql(), params)
        rows = cursor.fetchall()
    if not rows:
        return None
    (
        person_id,
        institution_id,
        scoped,
        _group,
        webhooks,
        special_id,
        s_opens,
        s_closes,
        closed,
        opens,
        closes,
        any_set,
    ) = rows[0]
    facts = ChildFacts(
        person_id=person_id,
        institution_ids=frozenset({institution_id}),
        group_ids=frozenset(row[3] for row in rows if row[3] is not None),
        scoped_institution_ids=frozenset({institution_id}) if scoped else frozenset(),
    )
    special = (s_opens, s_closes, bool(closed)) if special_id is not None else None
    weekly = (opens, closes) if opens is not None else None
    return RegistrationTarget(facts, institution_id, _hours(special, weekly, bool(any_set)), bool(webhooks))


# --- The staff view -------------------------------------------------------------------------------


# The counts of the staff page (and its status filter): which statuses each one gathers.
COUNTED_STATUSES: dict[str, tuple[int, ...]] = {
    "present": tuple(IN_CARE),
    "not_arrived": (Status.NOT_PRESENT,),
    "sick": (Status.SICK,),
    "vacation": (Status.REPORTED_ABSENT,),
    "checked_out": (Status.CHECKED_OUT,),
}
COUNT_KEYS = {status: key for key, statuses in COUNTED_STATUSES.items() for status in statuses}


@dataclass
class ChildRow:
    profile: InstitutionProfile
    display_name: str
    day: PresenceDay | None
    planned: PresenceTemplate | None
    on_vacation: bool
    group_names: list[str] = field(default_factory=list)
    sleeping_since: object = None

    @property
    def status(self) -> int:
        if self.day is not None:
            return self.day.status
        return Status.REPORTED_ABSENT if self.on_vacation else Status.NOT_PRESENT

    @property
    def in_care(self) -> bool:
        return self.status in IN_CARE


@dataclass
class StaffDay:
    institution_id: int
    date: date
    rows: list[ChildRow]

    def count(self, *statuses: int) -> int:
        return sum(1 for row in self.rows if row.status in statuses)

    @property
    def counts(self) -> dict[str, int]:
        return {key: self.count(*statuses) for key, statuses in COUNTED_STATUSES.items()}


def staff_institutions(viewer: Viewer) -> list[int]:
    return sorted(i for i in viewer.employee_institution_ids if access.can_see_overviews(viewer, i))


def staff_day(viewer: Viewer, institution_id: int, day: date, group_id: int | None = None) -> StaffDay:
    """Today's children at an institution (or one group) with status and planned times."""
    if institution_id not in staff_institutions(viewer):
        raise NotFound
    profiles = child_profiles().filter(institution_id=institution_id)
    if group_id is not None:
        profiles = profiles.filter(memberships__group_id=group_id)
    profiles = profiles.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("group").only("group__name", "profile_id"))
    ).order_by("person__first_name", "person__last_name", "id")
    rows_profiles = [
        p for p in profiles if access.can_register(viewer, facts_for(p, [m.group_id for m in p.memberships.all()]))
    ]
    ids = [p.id for p in rows_profiles]
    days = {
        d.child_id: d
        for d in PresenceDay.objects.filter(child_id__in=ids, date=day).prefetch_related(
            Prefetch("sleep_intervals", queryset=SleepInterval.objects.filter(end__isnull=True))
        )
    }
    templates = templates_by_child(ids, day)
    vacations = vacations_by_person([p.person_id for p in rows_profiles], day, day)
    rows = []
    for profile in rows_profiles:
        presence_day = days.get(profile.id)
        open_sleep = list(presence_day.sleep_intervals.all()) if presence_day else []
        rows.append(
            ChildRow(
                profile=profile,
                display_name=institution_queries.display_name(viewer, profile.person, {profile.institution_id}),
                day=presence_day,
                planned=planned_for(templates.get(profile.id, []), day),
                on_vacation=bool(vacations.get(profile.person_id)),
                group_names=[m.group.name for m in profile.memberships.all()],
                sleeping_since=open_sleep[0].start if open_sleep else None,
            )
        )
    return StaffDay(institution_id, day, rows)


# --- The guardian view ------------------------------------------------------------------------------


def guardian_children(viewer: Viewer, day: date) -> list[ChildRow]:
    """Each of the guardian's children at a komme/gå institution, with today's day."""
    children = _guardian_profiles(viewer)
    ids = [c.profile.id for c in children]
    templates = templates_by_child(ids, day)
    vacations = vacations_by_person([c.profile.person_id for c in children], day, day)
    return _guardian_rows(viewer, children, day, templates, vacations)


@dataclass(frozen=True)
class GuardianProfile:
    """A child's profile as the guardian's page reads it, with its groups and the institution's settings."""

    profile: InstitutionProfile  # with person and institution; only the columns below are loaded
    groups: list[tuple[int, str]]  # (id, name)
    settings: PresenceSettings


GUARDIAN_SETTINGS = ("guardians_report_sick", "guardians_pickup", "guardians_vacation", "guardians_planned_times")
# What the guardian's page reads of each child: what it shows and the access rules need (no CPR, no address).
_PROFILE = Columns(InstitutionProfile, "p", ["id", "person_id", "institution_id", "role", "is_active"])
_PERSON = Columns(Person, "pe", ["id", "first_name", "last_name", "is_protected", "alias"])
_INSTITUTION = Columns(Institution, "i", ["id", "name", "kind", "presence_scoped_to_groups"])
_SETTINGS = Columns(PresenceSettings, "s", ["id", "institution_id", *GUARDIAN_SETTINGS])


def _guardian_profiles(viewer: Viewer) -> list[GuardianProfile]:
    """The children the guardian acts for at komme/gå institutions, in birth order, in one statement.

    Every guardian's komme/gå page runs this, in the morning rush too: one plain statement (a row per group of
    each child) instead of the ORM's two, whose building cost ten times what PostgreSQL takes to answer them.
    Only what the page shows and the access rules need is loaded (no CPR, no address); the rest of each
    model is deferred, as `.only()` would leave it.
    """
    acting = sorted(c.child_id for c in viewer.children.values() if c.access >= ChildAccess.DAILY)
    if not acting:
        return []
    kinds = [str(kind) for kind in access.PRESENCE_KINDS]
    parts = (_PROFILE, _PERSON, _INSTITUTION, _SETTINGS)
    sql = f"""
        SELECT {", ".join(part.sql for part in parts)}, g.id, g.name
        FROM {table(InstitutionProfile)} p
        JOIN {table(Person)} pe ON pe.id = p.person_id
        JOIN {table(Institution)} i ON i.id = p.institution_id
        LEFT JOIN {table(PresenceSettings)} s ON s.institution_id = i.id
        LEFT JOIN {table(Membership)} m ON m.profile_id = p.id
        LEFT JOIN {table(Group)} g ON g.id = m.group_id
        WHERE p.person_id IN ({marks(acting)}) AND p.is_active AND p.role IN (%s, %s)
          AND i.kind IN ({marks(kinds)})
        ORDER BY pe.birth_date, p.id, m.id
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*acting, ProfileRole.CHILD.value, ProfileRole.PUPIL.value, *kinds])
        rows = cursor.fetchall()
    result: dict[int, GuardianProfile] = {}
    db = connection.alias
    for row in rows:
        profile_id = row[0]
        if profile_id not in result:
            profile, person, institution, settings = load_row(row, parts, db)
            profile.person = person
            profile.institution = institution
            if settings is None:  # the institution keeps the default settings
                settings = PresenceSettings(institution_id=profile.institution_id)
            result[profile_id] = GuardianProfile(profile, [], settings)
        group_id, group_name = row[-2:]
        if group_id is not None:
            result[profile_id].groups.append((group_id, group_name))
    return list(result.values())


def _guardian_rows(
    viewer: Viewer,
    children: list[GuardianProfile],
    day: date,
    templates: dict[int, list[PresenceTemplate]],
    vacations: dict[int, list[VacationRegistration]],
) -> list[ChildRow]:
    """The rows of `day`, from templates and vacations read for a period that holds it."""
    days = days_by_child([c.profile.id for c in children], day)
    return [
        ChildRow(
            profile=c.profile,
            display_name=institution_queries.display_name(viewer, c.profile.person, {c.profile.institution_id}),
            day=days.get(c.profile.id),
            planned=planned_for(templates.get(c.profile.id, []), day),
            on_vacation=_on_vacation(vacations.get(c.profile.person_id, []), day),
            group_names=[name for _id, name in c.groups],
        )
        for c in children
    ]


def week_templates(child_id: int, monday: date) -> list[tuple[date, PresenceTemplate | None]]:
    templates = templates_by_child([child_id], monday + timedelta(days=6)).get(child_id, [])
    return [(monday + timedelta(days=i), planned_for(templates, monday + timedelta(days=i))) for i in range(5)]


def day_events(viewer: Viewer, child_profile_id: int, day: date):  # type: ignore[no-untyped-def]
    get_child(viewer, child_profile_id)
    presence_day = PresenceDay.objects.filter(child_id=child_profile_id, date=day).first()
    if presence_day is None:
        return []
    return list(presence_day.events.select_related("actor", "device").order_by("at", "id"))


# --- Kiosk ---------------------------------------------------------------------------------------------


def kiosk_children(device: KioskDevice, day: date) -> list[ChildRow]:
    """The children a paired screen shows: its institution, its groups; names only, nothing sensitive."""
    group_ids = list(device.groups.values_list("id", flat=True))
    profiles = child_profiles().filter(institution_id=device.institution_id)
    if group_ids:
        profiles = profiles.filter(memberships__group_id__in=group_ids).distinct()
    profiles_list = list(profiles.order_by("person__first_name", "id"))
    ids = [p.id for p in profiles_list]
    days = days_by_child(ids, day)
    templates = templates_by_child(ids, day)
    return [
        ChildRow(
            profile=p,
            # A kiosk shows the alias of a protected child: it stands in a hallway.
            display_name=p.person.alias if p.person.is_protected else p.person.full_name,
            day=days.get(p.id),
            planned=planned_for(templates.get(p.id, []), day),
            on_vacation=False,
        )
        for p in profiles_list
    ]


def kiosk_device_by_token(token_hash: str) -> KioskDevice | None:
    if not token_hash:
        return None
    return (
        KioskDevice.objects.filter(token_hash=token_hash, revoked_at__isnull=True, paired_at__isnull=False)
        .select_related("institution")
        .first()
    )


def kiosk_devices(viewer: Viewer, institution_id: int) -> list[KioskDevice]:
    if not access.can_manage_kiosks(viewer, institution_id):
        raise NotFound
    return list(KioskDevice.objects.filter(institution_id=institution_id).order_by("-created_at"))


def valid_group_ids(institution_id: int, group_ids: list[int]) -> list[int]:
    return list(Group.objects.filter(institution_id=institution_id, id__in=group_ids).values_list("id", flat=True))


# --- Pages: institutions, the guardian's week, a child's day, setup, pickup people, kiosk ---------------
# Reads the HTML pages need beyond those above; each loads in a fixed number of queries.

STATUS_LABELS: dict[int, object] = dict(Status.choices)  # lazy labels, translated when shown
ACTIVITY_CHOICES = ActivityType.choices
REPEAT_CHOICES = PresenceTemplate.Repeat.choices
SETTINGS_FIELDS = (
    "guardians_report_sick",
    "guardians_pickup",
    "guardians_vacation",
    "guardians_planned_times",
    "show_sleep",
)
WEEKDAYS = 5  # the planned week: Monday to Friday
UPCOMING_VACATION_DAYS = 366


@dataclass(frozen=True)
class PresenceInstitution:
    institution: Institution
    works_here: bool  # sees the day's children
    configures: bool  # opening hours, locations, modules
    kiosks: bool  # creates and revokes screens


def presence_institutions(viewer: Viewer) -> list[PresenceInstitution]:
    """The komme/gå institutions the viewer works at or administers."""
    staff = set(staff_institutions(viewer))
    condition = Q(id__in=staff | set(viewer.admin_institution_ids))
    if viewer.municipal_admin_of:
        condition |= Q(municipality_id__in=viewer.municipal_admin_of)
    institutions = Institution.objects.filter(condition, kind__in=access.PRESENCE_KINDS).order_by("name")
    return [
        PresenceInstitution(
            institution=i,
            works_here=i.id in staff,
            configures=access.can_configure(viewer, i.id, i.municipality_id),
            kiosks=i.id in viewer.admin_institution_ids,
        )
        for i in institutions
    ]


def staff_institution(viewer: Viewer, institution_id: int) -> Institution:
    """A komme/gå institution whose children the viewer handles; NotFound otherwise."""
    require_staff_institution(viewer, institution_id)
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        raise NotFound
    return institution


def require_staff_institution(viewer: Viewer, institution_id: int) -> None:
    """staff_institution's check without its query: the viewer's profiles carry their institutions' kinds.

    For writes that need no Institution object (a check-in at the morning peak)."""
    kinds = {p.institution_id: p.institution_kind for p in viewer.profiles}
    if institution_id not in staff_institutions(viewer) or kinds.get(institution_id) not in access.PRESENCE_KINDS:
        raise NotFound


def configurable_institution(viewer: Viewer, institution_id: int) -> Institution:
    institution = Institution.objects.filter(pk=institution_id, kind__in=access.PRESENCE_KINDS).first()
    if institution is None or not access.can_configure(viewer, institution.id, institution.municipality_id):
        raise NotFound
    return institution


def kiosk_institution(viewer: Viewer, institution_id: int) -> Institution:
    """An institution whose screens the viewer manages (its administrators)."""
    if not access.can_manage_kiosks(viewer, institution_id):
        raise NotFound
    institution = Institution.objects.filter(pk=institution_id, kind__in=access.PRESENCE_KINDS).first()
    if institution is None:
        raise NotFound
    return institution


def children_groups(institution_id: int) -> list[Group]:
    """The institution's groups that have children in them (filters, screens)."""
    return list(
        Group.objects.filter(
            institution_id=institution_id,
            memberships__profile__role__in=[ProfileRole.CHILD, ProfileRole.PUPIL],
            memberships__profile__is_active=True,
        )
        .distinct()
        .order_by("name")
    )


def locations_of(institution_id: int) -> list[Location]:
    return list(Location.objects.filter(institution_id=institution_id).order_by("name"))


def settings_by_institution(institution_ids: Iterable[int]) -> dict[int, PresenceSettings]:
    ids = set(institution_ids)
    found = {s.institution_id: s for s in PresenceSettings.objects.filter(institution_id__in=ids)}
    return {i: found.get(i) or PresenceSettings(institution_id=i) for i in ids}


Hours = tuple[time, time] | bool | None  # (opens, closes); None = closed; True = no hours set


def _as_time(value: time | str | None) -> time | None:
    """A time from a written-out statement: SQLite answers with its text."""
    return time.fromisoformat(value) if isinstance(value, str) else value


def _as_date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def opening_by_day(institution_ids: Iterable[int], start: date, end: date) -> dict[tuple[int, date], Hours]:
    """opening_hours_on for several institutions and days in one query (special days and weekly hours)."""
    ids = sorted(set(institution_ids))
    if not ids:
        return {}
    # One plain statement: every guardian's komme/gå page runs it, and the ORM's union of two querysets cost
    # more to build than PostgreSQL takes to answer it. A special day's row has its date; a weekday's has none.
    sql = f"""
        SELECT institution_id, date, 0, opens, closes, closed FROM {table(SpecialDay)}
        WHERE institution_id IN ({marks(ids)}) AND date >= %s AND date <= %s
        UNION ALL
        SELECT institution_id, NULL, weekday, opens, closes, FALSE FROM {table(OpeningHours)}
        WHERE institution_id IN ({marks(ids)})
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, _day(start), _day(end), *ids])
        rows = cursor.fetchall()
    specials: dict[tuple[int, date], tuple[time | None, time | None, bool]] = {}
    weekly: dict[int, dict[int, tuple[time, time]]] = defaultdict(dict)
    for institution_id, day, weekday, opens, closes, closed in rows:
        opens, closes = _as_time(opens), _as_time(closes)
        if day is not None:
            specials[(institution_id, _as_date(day))] = (opens, closes, bool(closed))
        elif opens is not None and closes is not None:  # a weekday's hours always have both
            weekly[institution_id][weekday] = (opens, closes)
    result: dict[tuple[int, date], Hours] = {}
    for institution_id in ids:
        day = start
        while day <= end:
            result[(institution_id, day)] = _hours(
                specials.get((institution_id, day)),
                weekly[institution_id].get(day.weekday()),
                bool(weekly[institution_id]),
            )
            day += timedelta(days=1)
    return result


@dataclass(frozen=True)
class PlannedDay:
    date: date
    template: PresenceTemplate | None
    on_vacation: bool
    hours: Hours
    editable: bool  # today or later

    @property
    def closed(self) -> bool:
        return self.hours is None


@dataclass
class GuardianChild:
    """One child on the guardian's komme/gå page: today, the week, and what the guardian may do."""

    row: ChildRow
    week: list[PlannedDay]
    upcoming_vacations: list[VacationRegistration]
    may_report_sick: bool
    may_plan: bool
    may_vacation: bool
    may_pickup: bool


def _on_vacation(vacations: list[VacationRegistration], day: date) -> bool:
    return any(v.start_date <= day <= v.end_date for v in vacations)


def guardian_overview(viewer: Viewer, today: date, monday: date) -> list[GuardianChild]:
    """guardian_children with the week from `monday` and the modules each institution allows."""
    children = _guardian_profiles(viewer)
    if not children:
        return []
    ids = [c.profile.id for c in children]
    institution_ids = {c.profile.institution_id for c in children}
    last = monday + timedelta(days=WEEKDAYS - 1)
    # Today's row and the week are read together: one period for the planned times and the vacations.
    templates = templates_by_child(ids, max(last, today))
    person_ids = [c.profile.person_id for c in children]
    vacations = vacations_by_person(
        person_ids, min(today, monday), max(last, today + timedelta(UPCOMING_VACATION_DAYS))
    )
    rows = _guardian_rows(viewer, children, today, templates, vacations)
    opening = opening_by_day(institution_ids, monday, last)
    result = []
    for child, row in zip(children, rows, strict=True):
        profile = row.profile
        facts = facts_for(profile, [group_id for group_id, _name in child.groups])
        child_vacations = vacations.get(profile.person_id, [])
        week = []
        for offset in range(WEEKDAYS):
            day = monday + timedelta(days=offset)
            week.append(
                PlannedDay(
                    date=day,
                    template=planned_for(templates.get(profile.id, []), day),
                    on_vacation=_on_vacation(child_vacations, day),
                    hours=opening[(profile.institution_id, day)],
                    editable=day >= today,
                )
            )
        institution_settings = child.settings
        result.append(
            GuardianChild(
                row=row,
                week=week,
                upcoming_vacations=sorted(
                    (v for v in child_vacations if v.end_date >= today), key=lambda v: v.start_date
                ),
                may_report_sick=access.guardian_may(viewer, facts, institution_settings, "report_sick"),
                may_plan=access.guardian_may(viewer, facts, institution_settings, "planned_times"),
                may_vacation=access.guardian_may(viewer, facts, institution_settings, "vacation"),
                may_pickup=access.guardian_may(viewer, facts, institution_settings, "pickup"),
            )
        )
    return result


def guardian_child(viewer: Viewer, child_profile_id: int, module: str) -> ChildContext:
    """A child the viewer acts for as guardian in a module the institution has switched on; else NotFound."""
    child = get_child(viewer, child_profile_id)
    if not access.guardian_may(viewer, child.facts, settings_for(child.profile.institution_id), module):
        raise NotFound
    return child


def planned_on(child: ChildContext, day: date) -> PresenceTemplate | None:
    return planned_for(templates_by_child([child.profile.id], day).get(child.profile.id, []), day)


def child_vacations(child: ChildContext, today: date) -> list[VacationRegistration]:
    return list(
        VacationRegistration.objects.filter(child_id=child.profile.person_id, end_date__gte=today).order_by(
            "start_date"
        )
    )


# --- A child's day ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventLine:
    event: PresenceEvent
    who: str


@dataclass
class ChildDay:
    child: ChildContext
    row: ChildRow
    events: list[EventLine]
    sleep: list[SleepInterval]
    may_register: bool


def child_day(viewer: Viewer, child_profile_id: int, day: date) -> ChildDay:
    """The child's day with its history: who did what, when, from which screen."""
    child = get_child(viewer, child_profile_id)
    presence_day = (
        PresenceDay.objects.filter(child_id=child.profile.id, date=day)
        .select_related("location")
        .prefetch_related(
            Prefetch("sleep_intervals", queryset=SleepInterval.objects.order_by("start")),
            Prefetch("events", queryset=PresenceEvent.objects.select_related("actor", "device").order_by("at", "id")),
        )
        .first()
    )
    person_id = child.profile.person_id
    row = ChildRow(
        profile=child.profile,
        display_name=child.display_name,
        day=presence_day,
        planned=planned_on(child, day),
        on_vacation=bool(vacations_by_person([person_id], day, day).get(person_id)),
    )
    events = []
    sleep: list[SleepInterval] = []
    if presence_day is not None:
        sleep = list(presence_day.sleep_intervals.all())
        open_sleep = [s for s in sleep if s.end is None]
        row.sleeping_since = open_sleep[0].start if open_sleep else None
        for event in presence_day.events.all():
            if event.device is not None:
                who = event.device.name
            elif event.actor is not None:
                who = institution_queries.display_name(viewer, event.actor, child.facts.institution_ids)
            else:
                who = ""
            events.append(EventLine(event, who))
    return ChildDay(child, row, events, sleep, access.can_register(viewer, child.facts))


# --- Pickup people -----------------------------------------------------------------------------------------


def pickup_people(child: ChildContext) -> list[PickupPerson]:
    """The names the child's guardians keep of people who may pick the child up."""
    return list(PickupPerson.objects.filter(child_id=child.profile.person_id).order_by("name", "id"))


def guardian_names(viewer: Viewer, child: ChildContext) -> list[str]:
    """The child's own guardians, who may always be chosen as the one who picks up."""
    relations = (
        Relation.objects.filter(child_id=child.profile.person_id)
        .select_related("guardian")
        .order_by("guardian__first_name", "guardian__last_name")
    )
    return [institution_queries.display_name(viewer, r.guardian, child.facts.institution_ids) for r in relations]


def go_home_with_choices(viewer: Viewer, child: ChildContext) -> list[str]:
    """Children of the child's groups (where members see each other) the child may go home with."""
    profiles = (
        child_profiles()
        .filter(
            institution_id=child.profile.institution_id,
            memberships__group_id__in=child.facts.group_ids,
            memberships__group__members_see_members=True,
        )
        .exclude(pk=child.profile.pk)
        .distinct()
        .order_by("person__first_name", "person__last_name", "id")
    )
    names = [institution_queries.display_name(viewer, p.person, {p.institution_id}) for p in profiles]
    return list(dict.fromkeys(names))


# --- Setup --------------------------------------------------------------------------------------------------


@dataclass
class InstitutionSetup:
    institution: Institution
    hours: dict[int, OpeningHours]  # by weekday
    special_days: list[SpecialDay]  # today and later
    locations: list[Location]
    settings: PresenceSettings


def institution_setup(viewer: Viewer, institution_id: int, today: date) -> InstitutionSetup:
    institution = configurable_institution(viewer, institution_id)
    return InstitutionSetup(
        institution=institution,
        hours={h.weekday: h for h in OpeningHours.objects.filter(institution_id=institution.id)},
        special_days=list(SpecialDay.objects.filter(institution_id=institution.id, date__gte=today).order_by("date")),
        locations=locations_of(institution.id),
        settings=settings_for(institution.id),
    )


# --- Kiosk pages ------------------------------------------------------------------------------------------


def kiosk_screens(viewer: Viewer, institution_id: int) -> list[KioskDevice]:
    """The institution's screens, active first, with their groups."""
    kiosk_institution(viewer, institution_id)
    return list(
        KioskDevice.objects.filter(institution_id=institution_id)
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        .order_by(F("revoked_at").asc(nulls_first=True), "-created_at")
    )


def kiosk_child(device: KioskDevice, child_profile_id: int, day: date) -> ChildRow:
    """One child as a paired screen shows it; NotFound when the screen does not handle the child."""
    profile = (
        child_profiles()
        .filter(pk=child_profile_id, institution_id=device.institution_id)
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.only("id", "group_id", "profile_id")))
        .first()
    )
    group_ids = frozenset(device.groups.values_list("id", flat=True))
    if profile is None or not access.kiosk_may_handle(
        device, facts_for(profile, [m.group_id for m in profile.memberships.all()]), group_ids
    ):
        raise NotFound
    person = profile.person
    return ChildRow(
        profile=profile,
        display_name=person.alias if person.is_protected else person.full_name,
        day=PresenceDay.objects.filter(child_id=profile.id, date=day).first(),
        planned=planned_for(templates_by_child([profile.id], day).get(profile.id, []), day),
        on_vacation=False,
    )
