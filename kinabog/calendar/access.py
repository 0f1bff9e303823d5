"""Who may see, create, answer and book in the calendar. Pure functions of the viewer and the object.

An event is seen by the members of its groups (guardians through the children they act for), its
invitees and those answering for them, its creator, and the leaders of its institution. Creating events
needs the handle_events permission at the institution; managing one also a relation to it (its creator or
a member of its groups) unless one leads the institution. Guardians book and answer
only for children they act for — custody (or daily care) decides; a parent without custody does not.
"""

from __future__ import annotations

from django.db.models import Q

from kinabog.institutions import access as core_access
from kinabog.institutions.access import ChildAccess, Viewer
from kinabog.institutions.models import Permission, PortalRole

from .models import Event


def acting_for(viewer: Viewer) -> frozenset[int]:
    """Person ids of the children a guardian acts for in daily matters (custody or daily care)."""
    if viewer.portal_role != PortalRole.GUARDIAN:
        return frozenset()
    return frozenset(c.child_id for c in viewer.children.values() if c.access >= ChildAccess.DAILY)


def event_institutions(viewer: Viewer) -> frozenset[int]:
    """Institutions where the viewer may create and manage events."""
    return frozenset(i for i in viewer.employee_institution_ids if viewer.has_permission(i, Permission.HANDLE_EVENTS))


def can_create_events(viewer: Viewer, institution_id: int | None = None) -> bool:
    allowed = event_institutions(viewer)
    return bool(allowed) if institution_id is None else institution_id in allowed


def can_manage_event(viewer: Viewer, event: Event) -> bool:
    """Edit, cancel or move an event, publish slots, see who has answered or booked, book for a family.

    The leaders of the event's institution may; other staff need the handle_events permission there and
    to be the event's creator or a member of one of its groups — the same relation that lets them see the
    groups' content, so an institution that limits staff to their own groups limits this too.
    """
    institution_id = event.institution_id
    if institution_id in viewer.leader_institution_ids:
        return True
    if institution_id not in event_institutions(viewer):
        return False
    if event.creator_id is not None and event.creator_id in viewer.profile_ids:
        return True
    return any(group.id in viewer.group_ids for group in event.groups.all())


def can_book_for(viewer: Viewer, child_id: int) -> bool:
    return child_id in acting_for(viewer)


def visible_events_condition(viewer: Viewer) -> Q:
    """The events a viewer sees, as a filter on Event."""
    if not viewer.is_authenticated or viewer.portal_role is None:
        return Q(pk__in=[])
    condition = Q(groups__in=list(viewer.group_ids)) | Q(invitations__profile_id__in=list(viewer.profile_ids))
    children = acting_for(viewer)
    if children:
        condition |= Q(invitations__profile__person_id__in=list(children))
    if viewer.portal_role == PortalRole.EMPLOYEE:
        condition |= Q(creator_id__in=list(viewer.profile_ids))
        if viewer.leader_institution_ids:
            condition |= Q(institution_id__in=list(viewer.leader_institution_ids))
    return condition


# --- Lokaler og udstyr (rooms and equipment) ------------------------------------------------------------


def can_administer_resources(viewer: Viewer, institution_id: int, municipality_id: int) -> bool:
    """Create, edit and deactivate an institution's rooms and equipment: its administrators."""
    return core_access.can_administer_institution(viewer, institution_id, municipality_id)


def can_see_resources(viewer: Viewer, institution_id: int, municipality_id: int) -> bool:
    """A resource's bookings (who booked, when): the institution's staff and administrators."""
    return institution_id in viewer.employee_institution_ids or can_administer_resources(
        viewer, institution_id, municipality_id
    )


def resource_institutions(viewer: Viewer) -> frozenset[int]:
    """Institutions whose rooms and equipment the viewer may list (staff and institution administrators)."""
    return viewer.employee_institution_ids | viewer.admin_institution_ids
