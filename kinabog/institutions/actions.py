"""Writes about people and institutions: check access, write, audit."""

from __future__ import annotations

from django.db import transaction

from kinabog.audit import actions as audit
from kinabog.core.errors import StepUpRequired

from . import queries
from .access import Viewer
from .models import Person, SupplementaryData


@transaction.atomic
def update_own_contact_details(viewer: Viewer, changes: dict[str, str]) -> Person:
    """A person edits their own e-mail and phone numbers; nobody edits another's here."""
    person = queries.own_person(viewer)
    allowed = {"email", "mobile_phone", "home_phone", "work_phone"}
    for name, value in changes.items():
        if name in allowed:
            setattr(person, name, value)
    person.save(update_fields=[*sorted(allowed & changes.keys()), "updated_at"])
    audit.record(actor_id=viewer.user_id, action="update_contact_details", obj=person, assurance_level=viewer.assurance_level)
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

