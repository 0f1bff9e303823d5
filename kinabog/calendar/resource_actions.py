"""Writes of rooms and equipment: administration (check access → write → audit) and booking with events.

Booking happens inside the transaction that saves the event: the chosen resources' rows are locked (in id
order) before the clash check, so two people booking the last free hour cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput, NotFound
from kinabog.institutions.access import Viewer

from . import access, resource_queries
from .models import Event, Resource, ResourceKind
from .recurrence import Occurrence

NAME_MAX = 100
DESCRIPTION_MAX = 300
CAPACITY_MAX = 10_000


@dataclass(frozen=True)
class ResourceInput:
    name: str
    kind: str = ResourceKind.ROOM
    capacity: int | None = None
    description: str = ""


def _clean(data: ResourceInput) -> ResourceInput:
    name = " ".join(data.name.split())
    if not name:
        raise InvalidInput(_("Write a name."), field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(_("The name is too long."), field="name")
    if data.kind not in ResourceKind.values:
        raise InvalidInput(_("Choose room or equipment."), field="kind")
    if data.capacity is not None and not 1 <= data.capacity <= CAPACITY_MAX:
        raise InvalidInput(_("Write a number of places from 1 to 10000, or leave it empty."), field="capacity")
    description = data.description.strip()
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(_("The description is too long."), field="description")
    return ResourceInput(name=name, kind=data.kind, capacity=data.capacity, description=description)


def _name_in_use() -> InvalidInput:
    return InvalidInput(_("The institution already has a room or piece of equipment with that name."), field="name")


@transaction.atomic
def create_resource(viewer: Viewer, institution_id: int, data: ResourceInput) -> Resource:
    institution = resource_queries.administered_institution(viewer, institution_id)
    data = _clean(data)
    if resource_queries.name_taken(institution.id, data.name):
        raise _name_in_use()
    try:
        with transaction.atomic():
            resource = Resource.objects.create(
                institution=institution,
                name=data.name,
                kind=data.kind,
                capacity=data.capacity,
                description=data.description,
            )
    except IntegrityError:  # created by someone else a moment ago
        raise _name_in_use() from None
    audit.record(
        actor_id=viewer.user_id, action="create_resource", obj=resource, assurance_level=viewer.assurance_level
    )
    return resource


@transaction.atomic
def update_resource(viewer: Viewer, resource_id: int, data: ResourceInput) -> Resource:
    resource = resource_queries.get_administered_resource(viewer, resource_id)
    data = _clean(data)
    if resource_queries.name_taken(resource.institution_id, data.name, exclude_id=resource.id):
        raise _name_in_use()
    resource.name, resource.kind, resource.capacity, resource.description = (
        data.name,
        data.kind,
        data.capacity,
        data.description,
    )
    try:
        with transaction.atomic():
            resource.save(update_fields=["name", "kind", "capacity", "description", "updated_at"])
    except IntegrityError:
        raise _name_in_use() from None
    audit.record(
        actor_id=viewer.user_id, action="update_resource", obj=resource, assurance_level=viewer.assurance_level
    )
    return resource


@transaction.atomic
def set_resource_active(viewer: Viewer, resource_id: int, active: bool) -> Resource:
    """Deactivated resources keep their bookings but are no longer offered for new events."""
    resource = resource_queries.get_administered_resource(viewer, resource_id)
    if resource.is_active != active:
        resource.is_active = active
        resource.save(update_fields=["is_active", "updated_at"])
        audit.record(
            actor_id=viewer.user_id,
            action="activate_resource" if active else "deactivate_resource",
            obj=resource,
            assurance_level=viewer.assurance_level,
        )
    return resource


@transaction.atomic
def delete_resource(viewer: Viewer, resource_id: int) -> str:
    """Delete a resource no event has booked; a booked one can only be deactivated. Returns its name."""
    resource = resource_queries.get_administered_resource(viewer, resource_id)
    list(resource_queries.resources_for_booking([resource.id]))  # no booking may slip in before the delete
    if resource_queries.is_booked(resource):
        raise InvalidInput(
            _("%(name)s is booked by events and cannot be deleted. Deactivate it instead.") % {"name": resource.name}
        )
    audit.record(
        actor_id=viewer.user_id, action="delete_resource", obj=resource, assurance_level=viewer.assurance_level
    )
    name = resource.name
    resource.delete()
    return name


# --- Booking with an event ---------------------------------------------------------------------------------


def book_resources(viewer: Viewer, event: Event, resource_ids: Iterable[int]) -> list[Resource]:
    """Let the saved event book exactly these resources, or raise InvalidInput naming the one already taken.

    Call inside the transaction that saves the event, after its times and repetition are saved: a refusal
    then leaves nothing saved. Resources of institutions where the viewer does not handle events are
    NotFound; resources of another institution than the event's are refused.
    """
    wanted = set(resource_ids)
    if not wanted:
        if event.pk:
            event.resources.clear()
        return []
    resources = list(resource_queries.resources_for_booking(wanted))
    allowed = access.event_institutions(viewer)
    if len(resources) != len(wanted) or any(r.institution_id not in allowed for r in resources):
        raise NotFound
    if any(r.institution_id != event.institution_id for r in resources):
        raise InvalidInput(_("Choose rooms and equipment of the event's institution."), field="resources")
    inactive = [r for r in resources if not r.is_active]
    if inactive:
        kept = set(resource_queries.resource_ids_of_event(event))
        inactive = [r for r in inactive if r.id not in kept]
        if inactive:
            raise InvalidInput(
                _("%(name)s is no longer in use. Choose another.") % {"name": inactive[0].name}, field="resources"
            )
    clash = resource_queries.first_clash(event, resources)
    if clash is not None:
        raise InvalidInput(_clash_message(viewer, clash), field="resources")
    event.resources.set(resources)
    return resources


def check_changed_time(viewer: Viewer, event: Event) -> None:
    """After one time of a series is moved or given back its series time: refuse (InvalidInput, nothing is
    saved) when a resource the event books is taken then. Call inside the transaction of the change."""
    booked = resource_queries.resource_ids_of_event(event)
    if booked:
        try:
            book_resources(viewer, event, booked)
        except InvalidInput as error:
            raise InvalidInput(error.message, field="starts_at") from None


def _when(occurrence: Occurrence) -> str:
    start, end = timezone.localtime(occurrence.starts_at), timezone.localtime(occurrence.ends_at)
    if occurrence.event.all_day:
        first, last = formats.date_format(start, "j. F Y"), formats.date_format(end, "j. F Y")
        return first if first == last else f"{first} – {last}"
    if start.date() == end.date():
        return f"{formats.date_format(start, 'j. F Y')} {start:%H:%M}–{end:%H:%M}"
    return f"{formats.date_format(start, 'j. F Y')} {start:%H:%M} – {formats.date_format(end, 'j. F Y')} {end:%H:%M}"


def _clash_message(viewer: Viewer, clash: resource_queries.Clash) -> str:
    """Names the resource and when it is taken; the other event's title only if the viewer may see it."""
    values = {"resource": clash.resource.name, "when": _when(clash.theirs)}
    if resource_queries.is_visible(viewer, clash.theirs.event.id):
        values["title"] = clash.theirs.event.title
        return (
            _("%(resource)s is already booked %(when)s for “%(title)s”. Choose another time or leave it out.") % values
        )
    return _("%(resource)s is already booked %(when)s. Choose another time or leave it out.") % values
