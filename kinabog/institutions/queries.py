"""Reads about people, institutions and groups, already scoped by access."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from kinabog.core.errors import NotFound
from kinabog.core.sql import any_of, table

from . import access
from .access import ANONYMOUS, ChildAccess, ChildFacts, ChildLink, ProfileFacts, ProfileInfo, Viewer
from .models import (
    PORTAL_ROLE_OF,
    AccessVersion,
    CommunicationBlock,
    Group,
    GroupKind,
    GroupPart,
    Institution,
    InstitutionProfile,
    Membership,
    MunicipalAdministrator,
    Municipality,
    Permission,
    Person,
    PortalRole,
    ProfileRole,
    Relation,
    RolePermission,
    SupplementaryData,
)

COMPOSITION_DEPTH = 4


ROLE_ORDER = (PortalRole.EMPLOYEE, PortalRole.GUARDIAN, PortalRole.CHILD)


def portal_roles_of(person_id: int) -> tuple[str, ...]:
    """The portal roles a person may act in, employee first (staff switch to parent, rarely back)."""
    roles = set(InstitutionProfile.objects.filter(person_id=person_id, is_active=True).values_list("role", flat=True))
    is_admin = MunicipalAdministrator.objects.filter(person_id=person_id).exists()
    return _ordered_roles(roles, is_admin)


def _ordered_roles(profile_roles: set[str], is_municipal_admin: bool) -> tuple[str, ...]:
    portal = {PORTAL_ROLE_OF[ProfileRole(role)] for role in profile_roles}
    if is_municipal_admin:
        portal.add(PortalRole.EMPLOYEE)
    return tuple(str(role) for role in ROLE_ORDER if role in portal)


# Raised whenever a Viewer or its ProfileInfo gains or loses a field: a Viewer cached (and pickled) by the
# previous release is then never read by this one.
VIEWER_SHAPE = 2


def cached_viewer(
    user_id: int | None, portal_role: str | None, assurance_level: int, *, token: str | None = None
) -> Viewer:
    """build_viewer, kept in the cache under the access version's token (decision 0008): one query, none
    when the caller has read the token already (`token`: with the login, accounts.backends).

    The token changes in the same transaction as any write a Viewer depends on (database triggers), so
    a cached Viewer is used only while the data it was built from is unchanged. Without the token's row
    (a database without the triggers) or with VIEWER_CACHE_SECONDS = 0, every call builds anew. Each
    process keeps the Viewers it used last in front of the shared cache: the key holds the token, so they
    are exactly as current, and a request of someone this worker has just served costs no round trip.
    """
    seconds = settings.VIEWER_CACHE_SECONDS
    if user_id is None or seconds <= 0:
        return build_viewer(user_id, portal_role, assurance_level)
    if not token:
        token = AccessVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    if not token:
        return build_viewer(user_id, portal_role, assurance_level)
    key = f"kinabog:viewer:{VIEWER_SHAPE}:{token}:{user_id}:{portal_role or ''}:{assurance_level}"
    viewer = _recent_viewers.get(key)
    if viewer is None:
        viewer = cache.get(key)
        if not isinstance(viewer, Viewer):
            viewer = build_viewer(user_id, portal_role, assurance_level)
            cache.set(key, viewer, seconds)
        _recent_viewers.put(key, viewer, seconds)
    return viewer


class _RecentViewers:
    """The Viewers this process used last (at most SIZE, each for the cache's lifetime), newest last."""

    SIZE = 2000

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[float, Viewer]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Viewer | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, viewer: Viewer, seconds: float) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + seconds, viewer)
            self._entries.move_to_end(key)
            while len(self._entries) > self.SIZE:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_recent_viewers = _RecentViewers()


def forget_recent_viewers() -> None:
    """Empty this process's layer of cached Viewers (the shared cache keeps its own)."""
    _recent_viewers.clear()


def build_viewer(user_id: int | None, portal_role: str | None, assurance_level: int) -> Viewer:
    """Everything access checks need about the signed-in login, in a fixed handful of queries."""
    if user_id is None:
        return ANONYMOUS
    person = Person.objects.filter(login_id=user_id).only("id").first()
    if person is None:
        return Viewer(user_id=user_id, assurance_level=assurance_level)
    all_profiles = list(
        InstitutionProfile.objects.filter(person_id=person.id, is_active=True).select_related("institution")
    )
    municipal_admin_of = frozenset(
        MunicipalAdministrator.objects.filter(person_id=person.id).values_list("municipality_id", flat=True)
    )
    available = _ordered_roles({p.role for p in all_profiles}, bool(municipal_admin_of))
    if portal_role not in available:
        portal_role = available[0] if available else None
    profile_rows = [p for p in all_profiles if p.portal_role == portal_role]
    profiles = tuple(
        ProfileInfo(
            p.id,
            p.institution_id,
            p.role,
            p.role_key,
            p.is_institution_admin,
            p.institution.kind,
            p.institution.code,
            p.institution.municipality_id,
        )
        for p in profile_rows
    )
    permissions = _permissions_for(profile_rows)
    children: dict[int, ChildLink] = {}
    member_group_ids = set(
        Membership.objects.filter(profile_id__in=[p.id for p in profiles]).values_list("group_id", flat=True)
    )
    if portal_role == PortalRole.GUARDIAN:
        children = _child_links(person.id)
        acting_for = [c.child_id for c in children.values() if c.access >= ChildAccess.DAILY]
        member_group_ids |= set(
            Membership.objects.filter(profile__person_id__in=acting_for, profile__is_active=True).values_list(
                "group_id", flat=True
            )
        )
    return Viewer(
        user_id=user_id,
        person_id=person.id,
        portal_role=portal_role,
        assurance_level=assurance_level,
        profiles=profiles,
        permissions=permissions,
        children=children,
        group_ids=frozenset(_with_composed_groups(member_group_ids, portal_role)),
        municipal_admin_of=municipal_admin_of if portal_role == PortalRole.EMPLOYEE else frozenset(),
        available_roles=available,
    )


def _child_links(guardian_id: int) -> dict[int, ChildLink]:
    extends = InstitutionProfile.objects.filter(
        person_id=OuterRef("child_id"), is_active=True, institution__municipality__non_custody_extended_access=True
    )
    relations = (
        Relation.objects.filter(guardian_id=guardian_id)
        .annotate(municipality_extends=Exists(extends))
        .values("child_id", "kind", "has_custody", "extended_access", "municipality_extends")
    )
    links = {}
    for rel in relations:
        level = access.guardian_access(
            kind=rel["kind"],
            has_custody=rel["has_custody"],
            extended_access=rel["extended_access"],
            municipality_extends=rel["municipality_extends"],
        )
        may_consent = rel["kind"] == "parent" and rel["has_custody"]
        links[rel["child_id"]] = ChildLink(rel["child_id"], level, may_consent=may_consent)
    return links


def _permissions_for(profile_rows: list[InstitutionProfile]) -> dict[int, frozenset[str]]:
    if not profile_rows:
        return {}
    institution_ids = {p.institution_id for p in profile_rows}
    municipality_ids = {p.institution.municipality_id for p in profile_rows}
    role_keys = {p.role_key for p in profile_rows}
    by_municipality: dict[tuple[int, str], dict[str, bool]] = defaultdict(dict)
    by_institution: dict[tuple[int, str], dict[str, bool]] = defaultdict(dict)
    rows = RolePermission.objects.filter(
        Q(municipality_id__in=municipality_ids) | Q(institution_id__in=institution_ids), role_key__in=role_keys
    ).values_list("municipality_id", "institution_id", "role_key", "permission", "granted")
    for municipality_id, institution_id, role_key, permission, granted in rows:
        if municipality_id is not None:
            by_municipality[(municipality_id, role_key)][permission] = granted
        else:
            by_institution[(institution_id, role_key)][permission] = granted
    result: dict[int, frozenset[str]] = {}
    for p in profile_rows:
        perms = access.effective_permissions(
            p.role_key,
            by_municipality[(p.institution.municipality_id, p.role_key)],
            by_institution[(p.institution_id, p.role_key)],
        )
        result[p.institution_id] = result.get(p.institution_id, frozenset()) | perms
    return result


def _with_composed_groups(group_ids: set[int], portal_role: str | None) -> set[int]:
    """Add the composed groups whose parts (for this portal role) contain these groups."""
    result = set(group_ids)
    frontier = set(group_ids)
    for _depth in range(COMPOSITION_DEPTH):
        if not frontier:
            break
        wholes = set(
            GroupPart.objects.filter(part_id__in=frontier)
            .filter(Q(portal_role="") | Q(portal_role=portal_role or ""))
            .values_list("group_id", flat=True)
        )
        frontier = wholes - result
        result |= frontier
    return result


def with_composed_groups(group_ids: frozenset[int] | set[int], portal_role: str) -> frozenset[int]:
    """These groups and the composed groups that contain them for a portal role (e.g. a child's groups)."""
    return frozenset(_with_composed_groups(set(group_ids), portal_role))


# --- Children ------------------------------------------------------------------------------------


def child_facts(person: Person) -> ChildFacts:
    """Facts about a child from a Person with `child_profiles` prefetched (see children_queryset)."""
    profiles = person.child_profiles  # type: ignore[attr-defined]
    return ChildFacts(
        person_id=person.id,
        institution_ids=frozenset(p.institution_id for p in profiles),
        group_ids=frozenset(m.group_id for p in profiles for m in p.memberships.all()),
        scoped_institution_ids=frozenset(p.institution_id for p in profiles if p.institution.presence_scoped_to_groups),
    )


def children_queryset():  # type: ignore[no-untyped-def]
    child_profiles = (
        InstitutionProfile.objects.filter(role__in=[ProfileRole.CHILD, ProfileRole.PUPIL], is_active=True)
        .select_related("institution")
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related("group")))
        .order_by("institution__name")
    )
    return Person.objects.prefetch_related(Prefetch("profiles", queryset=child_profiles, to_attr="child_profiles"))


@dataclass(frozen=True)
class ChildView:
    person: Person
    facts: ChildFacts
    access: ChildAccess
    display_name: str
    sees_day: bool
    sees_supplementary: bool


def get_child(viewer: Viewer, person_id: int) -> ChildView:
    """One child as the viewer may see them; NotFound when they may not."""
    person = children_queryset().filter(pk=person_id).first()
    if person is None or not person.child_profiles:  # type: ignore[attr-defined]
        raise NotFound
    facts = child_facts(person)
    level = access.child_access(viewer, facts)
    if level == ChildAccess.NONE:
        raise NotFound
    return ChildView(
        person=person,
        facts=facts,
        access=level,
        display_name=display_name(viewer, person, facts.institution_ids),
        sees_day=access.can_see_child_day(viewer, facts),
        sees_supplementary=access.can_see_supplementary_data(viewer, facts),
    )


def get_supplementary_data(viewer: Viewer, person_id: int) -> SupplementaryData:
    """The caller demands level 3 first and writes the audit row (see actions)."""
    child = get_child(viewer, person_id)
    if not child.sees_supplementary:
        raise NotFound
    return SupplementaryData.objects.filter(child_id=person_id).first() or SupplementaryData(child_id=person_id)


def display_name(viewer: Viewer, person: Person, institution_ids: frozenset[int] | set[int]) -> str:
    if access.sees_real_name(viewer, person.id, person.is_protected, institution_ids):
        return person.full_name
    return person.alias


def my_children(viewer: Viewer) -> list[ChildView]:
    """A guardian's children with their institutions and groups, in birth order."""
    if viewer.portal_role != PortalRole.GUARDIAN or not viewer.children:
        return []
    people = children_queryset().filter(pk__in=list(viewer.children)).order_by("birth_date", "first_name")
    result = []
    for person in people:
        if not person.child_profiles:  # type: ignore[attr-defined]
            continue
        facts = child_facts(person)
        level = access.child_access(viewer, facts)
        result.append(
            ChildView(
                person=person,
                facts=facts,
                access=level,
                display_name=display_name(viewer, person, facts.institution_ids),
                sees_day=access.can_see_child_day(viewer, facts),
                sees_supplementary=access.can_see_supplementary_data(viewer, facts),
            )
        )
    return result


# --- Institutions and groups --------------------------------------------------------------------


def my_profiles(viewer: Viewer) -> list[InstitutionProfile]:
    """The viewer's own profiles in the active portal role, with institution and groups."""
    return list(
        InstitutionProfile.objects.filter(id__in=viewer.profile_ids)
        .select_related("institution")
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related("group")))
        .order_by("institution__name")
    )


def my_groups(viewer: Viewer) -> list[Group]:
    return list(Group.objects.filter(id__in=viewer.group_ids).select_related("institution").order_by("kind", "name"))


def get_group(viewer: Viewer, group_id: int) -> Group:
    group = Group.objects.select_related("institution").filter(pk=group_id).first()
    if group is None or not access.can_see_group_content(viewer, group):
        raise NotFound
    return group


@dataclass(frozen=True)
class MemberView:
    profile: InstitutionProfile
    display_name: str


def group_members(viewer: Viewer, group: Group) -> list[MemberView]:
    """Direct members, each named as the viewer may see them (alias for protected people)."""
    if not access.can_see_members(viewer, group):
        return []
    memberships = (
        Membership.objects.filter(group=group, profile__is_active=True)
        .select_related("profile__person")
        .order_by("profile__role", "profile__person__first_name")
    )
    person_ids = [m.profile.person_id for m in memberships]
    institutions_of: dict[int, set[int]] = defaultdict(set)
    for person_id, institution_id in InstitutionProfile.objects.filter(
        person_id__in=person_ids, is_active=True
    ).values_list("person_id", "institution_id"):
        institutions_of[person_id].add(institution_id)
    return [
        MemberView(m.profile, display_name(viewer, m.profile.person, institutions_of[m.profile.person_id]))
        for m in memberships
    ]


def institutions_administered(viewer: Viewer) -> list[Institution]:
    if not access.administers_anything(viewer):
        return []
    condition = Q(id__in=viewer.admin_institution_ids)
    if viewer.municipal_admin_of:
        condition |= Q(municipality_id__in=viewer.municipal_admin_of)
    return list(Institution.objects.filter(condition).select_related("area").order_by("name"))


def municipalities_administered(viewer: Viewer) -> list[Municipality]:
    if not viewer.municipal_admin_of:
        return []
    return list(Municipality.objects.filter(id__in=viewer.municipal_admin_of).order_by("name"))


def own_person(viewer: Viewer) -> Person:
    if viewer.person_id is None:
        raise NotFound
    return Person.objects.get(pk=viewer.person_id)


# --- Configuration: permissions and communication blocks ----------------------------------------

PERMISSION_CHOICES = Permission.choices
PORTAL_ROLE_CHOICES = PortalRole.choices
ROLE_KEY_LABELS = {
    "guardian": _("Guardians"),
    "child": _("Children (daycare)"),
    "pupil": _("Pupils"),
    "employee:teacher": _("Teachers"),
    "employee:pedagogue": _("Pedagogues"),
    "employee:daycare_provider": _("Family daycare providers"),
    "employee:leader": _("Leaders"),
    "employee:other": _("Other staff"),
}


@dataclass(frozen=True)
class PermissionScope:
    """An institution or a municipality whose permission sets an administrator adjusts."""

    kind: str  # "institution" | "municipality"
    id: int
    name: str
    municipality_id: int


def get_permission_scope(viewer: Viewer, kind: str, scope_id: int) -> PermissionScope:
    if kind == "institution":
        institution = Institution.objects.filter(pk=scope_id).first()
        if institution is None or not access.can_administer_institution(
            viewer, institution.id, institution.municipality_id
        ):
            raise NotFound
        return PermissionScope(kind, institution.id, institution.name, institution.municipality_id)
    if kind == "municipality":
        municipality = Municipality.objects.filter(pk=scope_id).first()
        if municipality is None or not access.can_administer_municipality(viewer, municipality.id):
            raise NotFound
        return PermissionScope(kind, municipality.id, municipality.name, municipality.id)
    raise NotFound


def permission_matrix(scope: PermissionScope) -> dict[str, frozenset[str]]:
    """The effective permission set of every role key in a scope."""
    municipality_rows: dict[str, dict[str, bool]] = defaultdict(dict)
    institution_rows: dict[str, dict[str, bool]] = defaultdict(dict)
    rows = RolePermission.objects.filter(municipality_id=scope.municipality_id).values_list(
        "role_key", "permission", "granted"
    )
    for role_key, permission, granted in rows:
        municipality_rows[role_key][permission] = granted
    if scope.kind == "institution":
        rows = RolePermission.objects.filter(institution_id=scope.id).values_list("role_key", "permission", "granted")
        for role_key, permission, granted in rows:
            institution_rows[role_key][permission] = granted
    return {
        key: access.effective_permissions(key, municipality_rows[key], institution_rows[key])
        for key in access.ROLE_KEYS
    }


def blocked_channels(municipality_id: int) -> frozenset[tuple[str, str]]:
    return frozenset(
        CommunicationBlock.objects.filter(municipality_id=municipality_id).values_list("from_role", "to_role")
    )


# --- Aula-compatible API (kinabog.aula_api) -----------------------------------------------------
# Reads for the Aula-compatible API beyond those above; the same rules hold: scoped by access, and a
# fixed number of queries per call whatever the size of the municipality.


@dataclass(frozen=True)
class LoginOverview:
    """What profiles.getProfilesByLogin shows a login: itself in every portal role, and its children."""

    person: Person | None
    roles: tuple[str, ...]
    profiles: list[InstitutionProfile]  # all active profiles, institution, municipality and groups loaded
    children: list[ChildView]  # as guardian; empty for a login without that role
    child_usernames: dict[int, str]  # child person id → login username (Aula's userId)


def login_overview(user_id: int, assurance_level: int) -> LoginOverview:
    person = Person.objects.filter(login_id=user_id).first()
    if person is None:
        return LoginOverview(None, (), [], [], {})
    profiles = _profiles_with_groups(Q(person_id=person.id))
    is_admin = MunicipalAdministrator.objects.filter(person_id=person.id).exists()
    roles = _ordered_roles({p.role for p in profiles}, is_admin)
    children: list[ChildView] = []
    usernames: dict[int, str] = {}
    if PortalRole.GUARDIAN in roles:
        children = my_children(build_viewer(user_id, PortalRole.GUARDIAN, assurance_level))
        if children:
            usernames = dict(
                Person.objects.filter(pk__in=[c.person.id for c in children], login__isnull=False).values_list(
                    "id", "login__username"
                )
            )
    return LoginOverview(person, roles, profiles, children, usernames)


@dataclass(frozen=True)
class ProfileContext:
    """What profiles.getProfileContext shows: the viewer in the active portal role."""

    person: Person
    profiles: list[InstitutionProfile]  # in the active portal role, institution, municipality and groups loaded
    children: list[ChildView]
    groups: list[Group]


def profile_context(viewer: Viewer) -> ProfileContext:
    return ProfileContext(
        person=own_person(viewer),
        profiles=_profiles_with_groups(Q(id__in=viewer.profile_ids)),
        children=my_children(viewer),
        groups=my_groups(viewer),
    )


def _profiles_with_groups(condition: Q) -> list[InstitutionProfile]:
    memberships = Membership.objects.select_related("group__institution").order_by("group__name")
    return list(
        InstitutionProfile.objects.filter(condition, is_active=True)
        .select_related("institution__municipality")
        .prefetch_related(Prefetch("memberships", queryset=memberships))
        .order_by("institution__name", "id")
    )


def main_group_of(profile: InstitutionProfile) -> Group | None:
    """The profile's main group (class, stue, legestue), from memberships loaded with their groups."""
    for membership in profile.memberships.all():
        if membership.group.kind == GroupKind.MAIN:
            return membership.group
    return None


def is_main_group(group: Group) -> bool:
    return group.kind == GroupKind.MAIN


def is_cross_institution_group(group: Group) -> bool:
    return group.kind == GroupKind.CROSS_INSTITUTION


def blocked_channels_for(viewer: Viewer) -> frozenset[tuple[str, str]]:
    """The blocked channels of the municipalities the viewer acts in (from portal role, to portal role).
    Asked on every message sent: one written-out statement by the municipalities the Viewer knows."""
    municipality_ids = sorted({p.municipality_id for p in viewer.profiles})
    if not municipality_ids:
        return frozenset()
    condition, params = any_of("municipality_id", municipality_ids)
    sql = f"SELECT DISTINCT from_role, to_role FROM {table(CommunicationBlock)} WHERE {condition}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return frozenset((str(from_role), str(to_role)) for from_role, to_role in cursor.fetchall())


def profile_facts(viewer: Viewer, profile_ids: list[int]) -> list[ProfileFacts]:
    """The facts the access rules ask of the active profiles among `profile_ids`, for this viewer (whether
    each shares a group with them whose members see each other): one written-out statement."""
    if not profile_ids:
        return []
    group_ids = sorted(viewer.group_ids)
    shares = "FALSE"
    params: list[Any] = []
    if group_ids:
        # The viewer's groups whose members see each other first (a few rows by their key), then each profile's
        # memberships among them: joined the other way round, PostgreSQL hashed every group of the database.
        in_groups, params = any_of("g.id", group_ids)
        shares = (
            f"EXISTS (SELECT 1 FROM {table(Membership)} m WHERE m.profile_id = p.id AND m.group_id IN "  # noqa: S608
            f"(SELECT g.id FROM {table(Group)} g WHERE {in_groups} AND g.members_see_members))"
        )
    in_ids, id_params = any_of("p.id", sorted(set(profile_ids)))
    params.extend(id_params)
    sql = (
        f"SELECT p.id, p.person_id, p.institution_id, p.role, i.kind, {shares} "  # noqa: S608 - values as parameters
        f"FROM {table(InstitutionProfile)} p JOIN {table(Institution)} i ON i.id = p.institution_id "
        f"WHERE {in_ids} AND p.is_active"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            ProfileFacts(profile_id, person_id, institution_id, str(role), str(kind), bool(shares_group))
            for profile_id, person_id, institution_id, role, kind, shares_group in cursor.fetchall()
        ]
