"""Komme/gå per child for the Aula-compatible API: a list of child ids in, the same shapes out.

Every list of ids is checked as a whole: an id the viewer may not see makes the call NotFound, the
same as an id that does not exist. A child the viewer may see but who has no komme/gå (a pupil
without SFO) is simply left out, as Aula does. Each read loads in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.core.errors import InvalidInput, NotFound
from kinabog.institutions import access as core_access
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import ChildAccess, Viewer
from kinabog.institutions.models import Group, Institution, InstitutionProfile, Membership, ProfileRole, Relation

from . import access, actions, queries
from .models import (
    PickupPerson,
    PresenceDay,
    PresenceSettings,
    PresenceTemplate,
    SleepInterval,
    Status,
)
from .opening import DayHours, days_between, opening_calendar

MAX_TEMPLATE_DAYS = 62
MAX_OPENING_DAYS = 366


@dataclass
class PresenceChild:
    profile: InstitutionProfile
    display_name: str
    main_group: Group | None
    facts: core_access.ChildFacts


def presence_children(viewer: Viewer, child_ids: Iterable[int]) -> list[PresenceChild]:
    """The viewer's visible children among the ids, in the order asked; NotFound for any hidden id."""
    ids = list(dict.fromkeys(child_ids))
    if not ids:
        return []
    profiles = {
        p.id: p
        for p in InstitutionProfile.objects.filter(
            id__in=ids, role__in=[ProfileRole.CHILD, ProfileRole.PUPIL], is_active=True
        )
        .select_related("person", "institution")
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related("group")))
    }
    result = []
    for child_id in ids:
        profile = profiles.get(child_id)
        if profile is None:
            raise NotFound
        facts = queries.facts_for(profile, [m.group_id for m in profile.memberships.all()])
        if not access.can_see_day(viewer, facts):
            raise NotFound
        if profile.institution.kind not in access.PRESENCE_KINDS:
            continue  # a pupil's school profile: no komme/gå there
        result.append(
            PresenceChild(
                profile=profile,
                display_name=institution_queries.display_name(viewer, profile.person, {profile.institution_id}),
                main_group=institution_queries.main_group_of(profile),
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
    day = day or timezone.localdate()
    children = presence_children(viewer, child_ids)
    ids = [c.profile.id for c in children]
    days = {
        d.child_id: d
        for d in PresenceDay.objects.filter(child_id__in=ids, date=day)
        .select_related("location")
        .prefetch_related(Prefetch("sleep_intervals", queryset=SleepInterval.objects.order_by("start")))
    }
    templates = queries.templates_by_child(ids, day)
    vacations = queries.vacations_by_person([c.profile.person_id for c in children], day, day)
    calendar = opening_calendar({c.profile.institution_id for c in children}, day, day)
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
                sleep_intervals=list(presence.sleep_intervals.all()) if presence else [],
                hours=calendar[child.profile.institution_id][day],
            )
        )
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
