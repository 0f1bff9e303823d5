"""Who may answer and who may read consents. Pure functions of the viewer and the object.

Only holders of custody (forældremyndighed) answer, for their own children; a parent without custody,
a foster parent or residential staff answers nothing. Staff of a group's institution read the group's
overview (who said yes or no) so they know whose photo or birthday they may share; where the institution
scopes staff to their groups, only the group's own staff and the leaders read it.
"""

from __future__ import annotations

from kinabog.institutions.access import Viewer, can_give_consent
from kinabog.institutions.models import Group, PortalRole


def can_answer(viewer: Viewer, child_id: int) -> bool:
    return can_give_consent(viewer, child_id)


def answerable_children(viewer: Viewer) -> list[int]:
    """Person ids of the children the viewer answers consents for."""
    return sorted(child_id for child_id in viewer.children if can_answer(viewer, child_id))


def is_related_child(viewer: Viewer, child_id: int) -> bool:
    """The viewer knows the child (and so gets a refusal, not a 404, when they may not answer)."""
    return viewer.portal_role == PortalRole.GUARDIAN and child_id in viewer.children


def can_read_group_overview(viewer: Viewer, group: Group, scoped_to_groups: bool) -> bool:
    """Staff of the group's institution; where staff are scoped to groups, its members and the leaders."""
    institution_id = group.institution_id
    if institution_id is None or institution_id not in viewer.employee_institution_ids:
        return False
    if not scoped_to_groups:
        return True
    return group.id in viewer.group_ids or institution_id in viewer.leader_institution_ids
