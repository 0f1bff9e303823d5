"""Who may see, create, answer and book in the calendar. Pure functions of the viewer and the object.

An event is seen by the members of its groups (guardians through the children they act for), its
invitees and those answering for them, its creator, and the leaders of its institution. Creating and
managing events needs the handle_events permission at the event's institution. Guardians book and answer
only for children they act for — custody (or daily care) decides; a parent without custody does not.
"""

from __future__ import annotations

from django.db.models import Q

from kinabog.institutions.access import ChildAccess, Viewer
from kinabog.institutions.models import Permission, PortalRole


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


def can_manage_event(viewer: Viewer, institution_id: int) -> bool:
    """Publish slots, see who has answered or booked, and book on a family's behalf."""
    return institution_id in event_institutions(viewer)


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
        managed = viewer.leader_institution_ids | event_institutions(viewer)
        if managed:
            condition |= Q(institution_id__in=list(managed))
    return condition
