"""Who may see and change a child's day in komme/gå.

Guardians act for their own children (custody or daily care; the municipality decides about
guardians without custody through extended access). Staff handle the children of their institution,
scoped to their groups where the institution is configured so. A kiosk acts only at its institution
and only for the groups it shows.
"""

from __future__ import annotations

from kinabog.institutions import access as core_access
from kinabog.institutions.access import ChildAccess, ChildFacts, Viewer
from kinabog.institutions.models import InstitutionKind, Permission

from .models import KioskDevice, PresenceSettings

# Institution types that use komme/gå.
PRESENCE_KINDS = (InstitutionKind.DAYCARE, InstitutionKind.FAMILY_DAYCARE, InstitutionKind.SFO, InstitutionKind.CLUB)

GUARDIAN_MODULES = ("report_sick", "pickup", "vacation", "planned_times")


def can_see_day(viewer: Viewer, child: ChildFacts) -> bool:
    return core_access.can_see_child_day(viewer, child)


def can_register(viewer: Viewer, child: ChildFacts) -> bool:
    """Check in and out, status, location, sleep: staff with the komme/gå permission."""
    if core_access.child_access(viewer, child) != ChildAccess.STAFF:
        return False
    return any(
        viewer.has_permission(i, Permission.HANDLE_PRESENCE)
        for i in viewer.employee_institution_ids & child.institution_ids
    )


def can_see_overviews(viewer: Viewer, institution_id: int) -> bool:
    return viewer.has_permission(institution_id, Permission.SEE_OVERVIEWS) or viewer.has_permission(
        institution_id, Permission.HANDLE_PRESENCE
    )


def can_export(viewer: Viewer, institution_id: int) -> bool:
    return viewer.has_permission(institution_id, Permission.SEE_OVERVIEWS)


def guardian_may(viewer: Viewer, child: ChildFacts, settings: PresenceSettings | None, module: str) -> bool:
    """A guardian's own action for their child, where the institution has switched the module on."""
    if core_access.child_access(viewer, child) < ChildAccess.DAILY or viewer.portal_role != "guardian":
        return False
    if settings is None:
        return True
    return {
        "report_sick": settings.guardians_report_sick,
        "pickup": settings.guardians_pickup,
        "vacation": settings.guardians_vacation,
        "planned_times": settings.guardians_planned_times,
    }[module]


def kiosk_may_handle(device: KioskDevice, child: ChildFacts, device_group_ids: frozenset[int]) -> bool:
    if device.revoked_at is not None or device.paired_at is None:
        return False
    if device.institution_id not in child.institution_ids:
        return False
    return not device_group_ids or bool(device_group_ids & child.group_ids)


def can_configure(viewer: Viewer, institution_id: int, municipality_id: int) -> bool:
    """Opening hours, closed days, locations and the guardians' modules: the institution's administrators."""
    return core_access.can_administer_institution(viewer, institution_id, municipality_id)


def uses_presence(viewer: Viewer) -> bool:
    """Whether Komme/gå belongs in the viewer's menu, from what the Viewer already knows (no queries).

    Guardians: a profile at a komme/gå institution (guardians have one where their children are) and a
    child they act for. Staff: komme/gå work or administration at such an institution.
    """
    institution_ids = {p.institution_id for p in viewer.profiles if p.institution_kind in PRESENCE_KINDS}
    if not institution_ids:
        return False
    if viewer.portal_role == "guardian":
        return any(link.access >= ChildAccess.DAILY for link in viewer.children.values())
    if viewer.portal_role == "employee":
        return any(can_see_overviews(viewer, i) or i in viewer.admin_institution_ids for i in institution_ids)
    return False


def can_manage_kiosks(viewer: Viewer, institution_id: int) -> bool:
    """Institution administrators pair, list and revoke the institution's kiosk screens."""
    return institution_id in viewer.admin_institution_ids
