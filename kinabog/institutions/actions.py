"""Writes about people and institutions: check access, write, audit."""

from __future__ import annotations

from django.db import transaction

from kinabog.audit import actions as audit
from kinabog.core.errors import NotFound, StepUpRequired

from . import queries
from .access import DEFAULT_PERMISSIONS, ROLE_KEYS, Viewer, can_administer_institution
from .models import CommunicationBlock, Institution, Permission, Person, PortalRole, RolePermission, SupplementaryData


@transaction.atomic
def update_own_contact_details(viewer: Viewer, changes: dict[str, str]) -> Person:
    """A person edits their own e-mail and phone numbers; nobody edits another's here."""
    person = queries.own_person(viewer)
    allowed = {"email", "mobile_phone", "home_phone", "work_phone"}
    for name, value in changes.items():
        if name in allowed:
            setattr(person, name, value)
    person.save(update_fields=[*sorted(allowed & changes.keys()), "updated_at"])
    audit.record(
        actor_id=viewer.user_id, action="update_contact_details", obj=person, assurance_level=viewer.assurance_level
    )
    return person


def read_supplementary_data(viewer: Viewer, child_id: int, reason: str = "") -> SupplementaryData:
    """Supplementary master data: level 3 only, and every read leaves an audit row."""
    data = queries.get_supplementary_data(viewer, child_id)  # NotFound first: no hint it exists
    if not viewer.is_stepped_up:
        raise StepUpRequired
    audit.record(
        actor_id=viewer.user_id,
        action="read_supplementary_data",
        obj=data.child,
        reason=reason,
        assurance_level=viewer.assurance_level,
    )
    return data


@transaction.atomic
def set_permission_matrix(viewer: Viewer, scope: queries.PermissionScope, wanted: dict[str, set[str]]) -> int:
    """Store an administrator's permission sets for a scope as overrides of the level above.

    Only differences from the level above are stored, so a later change of a default still reaches
    every institution that did not choose otherwise. Returns the number of overrides now stored.
    """
    if scope.kind == "institution":
        parent = queries.permission_matrix(
            queries.PermissionScope("municipality", scope.municipality_id, "", scope.municipality_id)
        )
        existing = RolePermission.objects.filter(institution_id=scope.id)
        scope_fields: dict[str, int | None] = {"institution_id": scope.id, "municipality_id": None}
    else:
        parent = {key: DEFAULT_PERMISSIONS[key] for key in ROLE_KEYS}
        existing = RolePermission.objects.filter(municipality_id=scope.id)
        scope_fields = {"municipality_id": scope.id, "institution_id": None}
    valid = set(Permission.values)
    rows = []
    for role_key in ROLE_KEYS:
        chosen = wanted.get(role_key, set()) & valid
        for permission in valid:
            inherited = permission in parent[role_key]
            if (permission in chosen) != inherited:
                rows.append(
                    RolePermission(role_key=role_key, permission=permission, granted=not inherited, **scope_fields)
                )
    existing.delete()
    RolePermission.objects.bulk_create(rows)
    audit.record_event(
        actor_id=viewer.user_id,
        action="set_permissions",
        object_type=f"institutions.{scope.kind}",
        object_id=str(scope.id),
        assurance_level=viewer.assurance_level,
    )
    return len(rows)


@transaction.atomic
def set_communication_blocks(viewer: Viewer, municipality_id: int, blocked: set[tuple[str, str]]) -> None:
    """The municipality's blocked channels between kinds of profile."""
    scope = queries.get_permission_scope(viewer, "municipality", municipality_id)
    roles = set(PortalRole.values)
    CommunicationBlock.objects.filter(municipality_id=scope.id).delete()
    CommunicationBlock.objects.bulk_create(
        [
            CommunicationBlock(municipality_id=scope.id, from_role=a, to_role=b)
            for a, b in sorted(blocked)
            if a in roles and b in roles
        ]
    )
    audit.record_event(
        actor_id=viewer.user_id,
        action="set_communication_blocks",
        object_type="institutions.municipality",
        object_id=str(scope.id),
        assurance_level=viewer.assurance_level,
    )


def set_message_read_status(viewer: Viewer, institution_id: int, visible: bool) -> None:
    """Whether staff at an institution see who has read a message (the institution decides)."""
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None or not can_administer_institution(viewer, institution.id, institution.municipality_id):
        raise NotFound
    Institution.objects.filter(pk=institution.pk).update(show_message_read_status=visible)
    audit.record(
        actor_id=viewer.user_id,
        action="show_message_read_status" if visible else "hide_message_read_status",
        obj=institution,
        assurance_level=viewer.assurance_level,
    )
