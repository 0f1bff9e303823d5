"""Staff blocking a time of a samtale (Aula's blockTimeSlot): a blocked time is not offered to families.

Check access → write → audit, in a transaction. The slot row is locked first, as booking does, so a time
is never both booked and blocked.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput, NotFound
from kinabog.institutions.access import Viewer

from . import access, queries
from .models import Booking, TimeSlot


def _locked_slot(viewer: Viewer, event_id: int, slot_id: int) -> TimeSlot:
    event = queries.get_conference(viewer, event_id)
    if not access.can_manage_event(viewer, event):
        raise NotFound
    slot = TimeSlot.objects.select_for_update().filter(pk=slot_id, event=event).first()
    if slot is None:
        raise NotFound
    return slot


@transaction.atomic
def block_slot(viewer: Viewer, event_id: int, slot_id: int) -> TimeSlot:
    """Block a free time; a booked time must be cancelled first."""
    slot = _locked_slot(viewer, event_id, slot_id)
    if Booking.objects.filter(slot=slot).exists():
        raise InvalidInput(_("The time is booked. Cancel the booking before you block the time."), field="slot")
    if not slot.blocked:
        slot.blocked = True
        slot.save(update_fields=["blocked"])
        audit.record(actor_id=viewer.user_id, action="block_slot", obj=slot, assurance_level=viewer.assurance_level)
    return slot


@transaction.atomic
def unblock_slot(viewer: Viewer, event_id: int, slot_id: int) -> TimeSlot:
    """Offer a blocked time to the families again."""
    slot = _locked_slot(viewer, event_id, slot_id)
    if slot.blocked:
        slot.blocked = False
        slot.save(update_fields=["blocked"])
        audit.record(actor_id=viewer.user_id, action="unblock_slot", obj=slot, assurance_level=viewer.assurance_level)
    return slot
