"""Who may write to whom, and who may read a thread.

Nobody reads a thread they are not a participant in (members of a common inbox are participants of
its threads). Writing needs the write_message permission, a recipient the sender may reach, and a
channel the municipality has not blocked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q, QuerySet

from kinabog.institutions import access as core_access
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import Group, InstitutionKind, InstitutionProfile, Permission, PortalRole, ProfileRole

if TYPE_CHECKING:
    from .models import Thread

# Daycare children have no login: they are talked about, not written to.
NO_INBOX_KINDS = (InstitutionKind.DAYCARE, InstitutionKind.FAMILY_DAYCARE)


def recipient_limit() -> int:
    return int(getattr(settings, "MESSAGING_RECIPIENT_LIMIT", 400))


def broadcast_threshold() -> int:
    return int(getattr(settings, "MESSAGING_BROADCAST_THRESHOLD", 30))


def can_write(viewer: Viewer) -> bool:
    return any(Permission.WRITE_MESSAGE in perms for perms in viewer.permissions.values())


def may_use_groups_as_distribution_lists(viewer: Viewer) -> bool:
    """Above the recipient limit only holders of this permission (and municipal administrators) send."""
    if viewer.municipal_admin_of:
        return True
    return any(Permission.GROUPS_AS_DISTRIBUTION_LISTS in perms for perms in viewer.permissions.values())


def can_mark_sensitive(viewer: Viewer) -> bool:
    return viewer.is_stepped_up


def sees_recipients(viewer: Viewer, thread: Thread, common_inbox_id: int | None = None) -> bool:
    """Whether the viewer is shown who else takes part in a thread (its `creator` loaded). The recipients of a
    broadcast stay unnamed to each other: only its starter sees them, and a common inbox it was written to
    (whose answers go to everyone); everyone else's answer goes to the starter alone."""
    creator = thread.creator
    if not thread.is_broadcast or creator is None or common_inbox_id is not None:
        return True
    return creator.person_id == viewer.person_id


def can_reach_profile(viewer: Viewer, profile: core_access.ProfileFacts, blocked: frozenset[tuple[str, str]]) -> bool:
    """Whether the viewer may write to one active profile: `reachable_profiles` for a profile whose facts are
    read (tests/test_access.py holds the two to the same answer)."""
    if not can_write(viewer) or viewer.portal_role is None or not core_access.can_see_profile(viewer, profile):
        return False
    if profile.role == ProfileRole.CHILD and profile.institution_kind in NO_INBOX_KINDS:
        return False
    if viewer.person_id is not None and profile.person_id == viewer.person_id:
        return False
    return (viewer.portal_role, ROLE_TO_PORTAL.get(ProfileRole(profile.role))) not in blocked


def reachable_profiles(
    viewer: Viewer, profiles: QuerySet[InstitutionProfile], blocked: frozenset[tuple[str, str]]
) -> QuerySet[InstitutionProfile]:
    """Profiles the viewer may write to: those they may see, with an inbox, over an open channel
    (`can_reach_profile` decides the same for one)."""
    if not can_write(viewer) or viewer.portal_role is None:
        return profiles.none()
    result = core_access.visible_profiles(viewer, profiles).exclude(
        role=ProfileRole.CHILD, institution__kind__in=NO_INBOX_KINDS
    )
    if viewer.person_id is not None:
        result = result.exclude(person_id=viewer.person_id)
    blocked_roles = [to_role for from_role, to_role in blocked if from_role == viewer.portal_role]
    if blocked_roles:
        profile_roles = [r for r, p in ROLE_TO_PORTAL.items() if p in blocked_roles]
        result = result.exclude(role__in=profile_roles)
    return result


ROLE_TO_PORTAL = {
    ProfileRole.CHILD: PortalRole.CHILD,
    ProfileRole.PUPIL: PortalRole.CHILD,
    ProfileRole.GUARDIAN: PortalRole.GUARDIAN,
    ProfileRole.EMPLOYEE: PortalRole.EMPLOYEE,
}


def can_message_group(viewer: Viewer, group: Group) -> bool:
    """Staff write to their institution's groups; members where the group allows it; municipal
    administrators to their municipality's cross-institution groups."""
    if not can_write(viewer):
        return False
    if group.institution_id is None:
        return group.municipality_id in viewer.municipal_admin_of
    if group.institution_id in viewer.employee_institution_ids:
        return True
    return group.members_may_message and group.id in viewer.group_ids


def messageable_groups(viewer: Viewer, groups: QuerySet[Group]) -> QuerySet[Group]:
    if not can_write(viewer):
        return groups.none()
    condition = Q(pk__in=[])
    if viewer.employee_institution_ids:
        condition |= Q(institution_id__in=viewer.employee_institution_ids)
    if viewer.group_ids:
        condition |= Q(id__in=viewer.group_ids, members_may_message=True, institution__isnull=False)
    if viewer.municipal_admin_of:
        condition |= Q(institution__isnull=True, municipality_id__in=viewer.municipal_admin_of)
    return groups.filter(condition)


def can_administer_common_inboxes(viewer: Viewer, institution_id: int) -> bool:
    """Institution administrators create common inboxes and decide who works in them."""
    return institution_id in viewer.admin_institution_ids
