"""Who may see what: the access core every app builds on.

Deny by default. Access comes from a relation (guardian of, member of, employed at) plus a
permission of the viewer's institution role, evaluated for the portal role the login is acting in.
A `Viewer` is computed once per request (a fixed handful of queries, see queries.build_viewer) and
every check here is then a pure function of it and the object — no queries.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from .models import Group, InstitutionProfile, JobRole, Permission, PortalRole, ProfileRole

STAFF_WORK = frozenset(
    {
        Permission.WRITE_MESSAGE,
        Permission.WRITE_POST,
        Permission.HANDLE_EVENTS,
        Permission.SHARE_MEDIA,
        Permission.HANDLE_SECURE_FILES,
        Permission.HANDLE_PRESENCE,
        Permission.SEE_SUPPLEMENTARY_DATA,
    }
)

# The permission set each role key has unless a municipality or institution adjusts it.
DEFAULT_PERMISSIONS: Mapping[str, frozenset[str]] = {
    ProfileRole.GUARDIAN: frozenset({Permission.WRITE_MESSAGE}),
    ProfileRole.CHILD: frozenset(),
    ProfileRole.PUPIL: frozenset({Permission.WRITE_MESSAGE}),
    f"employee:{JobRole.TEACHER}": STAFF_WORK,
    f"employee:{JobRole.PEDAGOGUE}": STAFF_WORK,
    f"employee:{JobRole.DAYCARE_PROVIDER}": STAFF_WORK,
    f"employee:{JobRole.LEADER}": STAFF_WORK
    | {Permission.SEE_PROTECTED_NAMES, Permission.GROUPS_AS_DISTRIBUTION_LISTS, Permission.SEE_OVERVIEWS},
    f"employee:{JobRole.OTHER}": frozenset({Permission.WRITE_MESSAGE}),
}

ROLE_KEYS = tuple(DEFAULT_PERMISSIONS)


class ChildAccess(enum.IntEnum):
    """How much of a child a viewer may see, weakest first."""

    NONE = 0
    NAME = 1  # name and institution only (guardian without custody; classmates)
    STAFF = 2  # staff of the child's institution (or groups, where configured)
    DAILY = 3  # foster parent, contact person, residential staff: daily matters, no consent
    FULL = 4  # guardian with custody or extended access; the child themself


@dataclass(frozen=True)
class ProfileInfo:
    id: int
    institution_id: int
    role: str
    role_key: str
    is_institution_admin: bool
    # Known without a query: the institution's type (menus), its code (the viewer's own mailbox on a listed
    # thread) and its municipality (blocked channels; the owner of a new thread).
    institution_kind: str
    institution_code: str
    municipality_id: int


@dataclass(frozen=True)
class ChildLink:
    """The viewer's own relation to a child (guardian portal role)."""

    child_id: int
    access: ChildAccess
    may_consent: bool


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as they act right now: one portal role, one assurance level."""

    user_id: int | None = None
    person_id: int | None = None
    portal_role: str | None = None
    assurance_level: int = 0
    profiles: tuple[ProfileInfo, ...] = ()
    permissions: Mapping[int, frozenset[str]] = field(default_factory=dict)
    children: Mapping[int, ChildLink] = field(default_factory=dict)
    # Groups whose content the viewer sees as a member: directly, through a child, or by composition.
    group_ids: frozenset[int] = frozenset()
    municipal_admin_of: frozenset[int] = frozenset()
    available_roles: tuple[str, ...] = ()

    @property
    def is_authenticated(self) -> bool:
        return self.person_id is not None

    @property
    def profile_ids(self) -> frozenset[int]:
        return frozenset(p.id for p in self.profiles)

    @property
    def institution_ids(self) -> frozenset[int]:
        return frozenset(p.institution_id for p in self.profiles)

    @property
    def employee_institution_ids(self) -> frozenset[int]:
        if self.portal_role != PortalRole.EMPLOYEE:
            return frozenset()
        return self.institution_ids

    @property
    def admin_institution_ids(self) -> frozenset[int]:
        return frozenset(p.institution_id for p in self.profiles if p.is_institution_admin)

    @property
    def leader_institution_ids(self) -> frozenset[int]:
        return frozenset(p.institution_id for p in self.profiles if p.role_key == f"employee:{JobRole.LEADER}")

    def has_permission(self, institution_id: int, permission: str) -> bool:
        return permission in self.permissions.get(institution_id, frozenset())

    @property
    def is_stepped_up(self) -> bool:
        return self.assurance_level >= 3


ANONYMOUS = Viewer()


def effective_permissions(
    role_key: str, municipality_overrides: Mapping[str, bool], institution_overrides: Mapping[str, bool]
) -> frozenset[str]:
    """Code defaults, then the municipality's adjustments, then the institution's."""
    granted = set(DEFAULT_PERMISSIONS.get(role_key, frozenset()))
    for overrides in (municipality_overrides, institution_overrides):
        for permission, is_granted in overrides.items():
            if is_granted:
                granted.add(permission)
            else:
                granted.discard(permission)
    return frozenset(granted)


def guardian_access(*, kind: str, has_custody: bool, extended_access: bool, municipality_extends: bool) -> ChildAccess:
    """What a guardian relation gives. Custody decides; foster parents act in daily matters only."""
    if kind == "parent":
        if has_custody or extended_access or municipality_extends:
            return ChildAccess.FULL
        return ChildAccess.NAME
    return ChildAccess.DAILY


@dataclass(frozen=True)
class ChildFacts:
    """What access rules need to know about a child: who, where, in which groups."""

    person_id: int
    institution_ids: frozenset[int]
    group_ids: frozenset[int]
    scoped_institution_ids: frozenset[int] = frozenset()  # institutions that scope staff to groups


def child_access(viewer: Viewer, child: ChildFacts) -> ChildAccess:
    if not viewer.is_authenticated:
        return ChildAccess.NONE
    if viewer.portal_role == PortalRole.CHILD:
        if viewer.person_id == child.person_id:
            return ChildAccess.FULL
        if viewer.group_ids & child.group_ids:
            return ChildAccess.NAME
        return ChildAccess.NONE
    if viewer.portal_role == PortalRole.GUARDIAN:
        link = viewer.children.get(child.person_id)
        return link.access if link else ChildAccess.NONE
    if viewer.portal_role == PortalRole.EMPLOYEE:
        for institution_id in viewer.employee_institution_ids & child.institution_ids:
            scoped = institution_id in child.scoped_institution_ids
            if not scoped or institution_id in viewer.leader_institution_ids or viewer.group_ids & child.group_ids:
                return ChildAccess.STAFF
    return ChildAccess.NONE


def can_see_child(viewer: Viewer, child: ChildFacts) -> bool:
    return child_access(viewer, child) >= ChildAccess.NAME


def can_see_child_day(viewer: Viewer, child: ChildFacts) -> bool:
    """The child's day: komme/gå, posts and events for the child's groups, gallery."""
    access = child_access(viewer, child)
    if access == ChildAccess.STAFF:
        return any(
            viewer.has_permission(i, Permission.HANDLE_PRESENCE)
            for i in viewer.employee_institution_ids & child.institution_ids
        )
    return access >= ChildAccess.DAILY


def can_see_supplementary_data(viewer: Viewer, child: ChildFacts) -> bool:
    """Allergies, doctor, language. The caller must also demand level 3 (accounts.stepup)."""
    access = child_access(viewer, child)
    if access == ChildAccess.STAFF:
        return any(
            viewer.has_permission(i, Permission.SEE_SUPPLEMENTARY_DATA)
            for i in viewer.employee_institution_ids & child.institution_ids
        )
    return access >= ChildAccess.DAILY


def can_give_consent(viewer: Viewer, child_id: int) -> bool:
    link = viewer.children.get(child_id)
    return bool(viewer.portal_role == PortalRole.GUARDIAN and link and link.may_consent)


def sees_real_name(viewer: Viewer, person_id: int, is_protected: bool, institution_ids: Iterable[int]) -> bool:
    """Protection hides identity from all but own guardians and staff allowed to see protected names."""
    if not is_protected or viewer.person_id == person_id:
        return True
    if person_id in viewer.children:
        return True
    return any(
        viewer.has_permission(i, Permission.SEE_PROTECTED_NAMES)
        for i in viewer.employee_institution_ids.intersection(institution_ids)
    )


def can_see_group(viewer: Viewer, group: Group) -> bool:
    """That the group exists, its name and members: its members and the staff of its institution."""
    if group.id in viewer.group_ids:
        return True
    return group.institution_id is not None and group.institution_id in (
        viewer.employee_institution_ids | viewer.admin_institution_ids
    )


def can_see_group_content(viewer: Viewer, group: Group) -> bool:
    """Posts, events and media of a group: members (guardians through their children) and leaders."""
    if group.id in viewer.group_ids:
        return True
    return group.institution_id is not None and group.institution_id in viewer.leader_institution_ids


def can_see_members(viewer: Viewer, group: Group) -> bool:
    """Who else is in a group (names, birthdays): everyone who sees the group when its members see each other;
    otherwise only the staff of its institution."""
    return group.members_see_members or (
        group.institution_id is not None and group.institution_id in viewer.employee_institution_ids
    )


def visible_groups(viewer: Viewer, groups: QuerySet[Group]) -> QuerySet[Group]:
    condition = Q(id__in=viewer.group_ids)
    staff_institutions = viewer.employee_institution_ids | viewer.admin_institution_ids
    if staff_institutions:
        condition |= Q(institution_id__in=staff_institutions)
    return groups.filter(condition)


@dataclass(frozen=True)
class ProfileFacts:
    """What the access rules ask of an active institution profile (read by queries.profile_facts)."""

    id: int
    person_id: int
    institution_id: int
    role: str
    institution_kind: str
    # A member of one of the viewer's groups whose members see each other.
    shares_open_group: bool


def can_see_profile(viewer: Viewer, profile: ProfileFacts) -> bool:
    """Whether the viewer may see the name (or alias) of an active profile: `visible_profiles` for one
    profile whose facts are read (tests/test_profile_access.py holds the two to the same answer)."""
    if not viewer.is_authenticated:
        return False
    return (
        profile.person_id == viewer.person_id
        or profile.person_id in viewer.children
        or profile.institution_id in viewer.employee_institution_ids
        or profile.shares_open_group
    )


def visible_profiles(viewer: Viewer, profiles: QuerySet[InstitutionProfile]) -> QuerySet[InstitutionProfile]:
    """Profiles whose name (or alias) the viewer may see (`can_see_profile` decides the same for one)."""
    if not viewer.is_authenticated:
        return profiles.none()
    condition = Q(person_id=viewer.person_id)
    if viewer.children:
        condition |= Q(person_id__in=list(viewer.children))
    if viewer.employee_institution_ids:
        condition |= Q(institution_id__in=viewer.employee_institution_ids)
    if viewer.group_ids:
        condition |= Q(memberships__group_id__in=viewer.group_ids, memberships__group__members_see_members=True)
    return profiles.filter(condition, is_active=True).distinct()


def administers_anything(viewer: Viewer) -> bool:
    """Whether the viewer administers an institution or a municipality (the administration pages)."""
    return bool(viewer.admin_institution_ids or viewer.municipal_admin_of)


def can_administer_institution(viewer: Viewer, institution_id: int, municipality_id: int) -> bool:
    return institution_id in viewer.admin_institution_ids or municipality_id in viewer.municipal_admin_of


def can_administer_municipality(viewer: Viewer, municipality_id: int) -> bool:
    return municipality_id in viewer.municipal_admin_of


def may_communicate(blocked: frozenset[tuple[str, str]], from_role: str, to_role: str) -> bool:
    """Whether the municipality lets one kind of profile write to another (e.g. guardian → guardian)."""
    return (from_role, to_role) not in blocked
