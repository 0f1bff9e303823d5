"""calendar.*: the events of children's (or one's own) institution profiles, in Aula's Event shape."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from kinabog.calendar import actions, detail_queries, queries, resource_queries, slot_actions

from .. import calendar_serializers as serializers
from .. import errors
from ..params import ApiRequest
from ..registry import api_method
from ..resource_serializers import event_resources

MAX_WINDOW = timedelta(days=50)
AULA_FORMAT = "%Y-%m-%d %H:%M:%S.%f%z"


def _moment(value: str | None) -> datetime:
    """Aula's `YYYY-MM-DD HH:mm:ss.SSSS+ZZZZ`; ISO-8601 is accepted too."""
    text = (value or "").strip()
    for parse in (lambda t: datetime.strptime(t, AULA_FORMAT), datetime.fromisoformat):
        try:
            moment = parse(text)
        except ValueError:
            continue
        if not queries.readable_year(moment.year):
            break
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    raise errors.bad_parameters()


@api_method("calendar.getEventsByProfileIdsAndResourceIds", verbs=("POST",))
def get_events_by_profile_ids(api: ApiRequest) -> list[dict[str, Any]]:
    """Events for children's institution profiles; a window of more than 50 days is refused, as in Aula."""
    profile_ids = api.integers("instProfileIds")
    resource_ids = api.integers("resourceIds")
    start, end = _moment(api.text("start")), _moment(api.text("end"))
    if end < start:
        raise errors.bad_parameters()
    if end - start > MAX_WINDOW:
        raise errors.refused()
    rows = queries.events_for_profiles(api.viewer, profile_ids, start, end) if profile_ids or not resource_ids else []
    if resource_ids:
        # Events booking the rooms and equipment (of the viewer's institutions) are added once each.
        seen = {row.event.id for row in rows}
        booking = resource_queries.events_for_resources(api.viewer, resource_ids, start, end)
        rows = sorted(
            [*rows, *(row for row in booking if row.event.id not in seen)],
            key=lambda r: (r.starts_at, r.event.id),
        )
    return [_event(row, resource_ids) for row in rows]


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _event(row: queries.ProfileEvent, resource_ids: list[int] | None = None) -> dict[str, Any]:
    event = row.event
    institution = event.institution
    creator = event.creator
    groups = list(event.groups.all())
    return {
        "id": event.id,
        "title": event.title,
        "type": event.type,
        "allDay": event.all_day,
        "startDateTime": _when(row.starts_at),
        "endDateTime": _when(row.ends_at),
        "oldStartDateTime": None,
        "oldEndDateTime": None,
        "oldAllDay": None,
        "private": False,
        "responseRequired": event.response_required,
        "responseDeadline": _when(event.booking_deadline) if event.booking_deadline else None,
        "isDeadlineExceeded": queries.is_past_deadline(event),
        "belongsToProfiles": row.belongs_to,
        **event_resources(event.resources.all(), resource_ids or ()),
        "primaryResourceText": event.place,
        "additionalResourceText": "",
        "invitedGroups": [
            {
                "id": g.id,
                "name": g.name,
                "shortName": g.name,
                "institutionCode": g.institution.code if g.institution else None,
                "institutionName": g.institution.name if g.institution else None,
                "mainGroup": g.kind == "main",
                "isDeactivated": False,
                "allowMembersToBeShown": g.members_see_members,
            }
            for g in groups
        ],
        "creatorInstProfileId": creator.id if creator else None,
        "creatorProfileId": creator.person_id if creator else None,
        # A name-protected creator is named by alias: this list goes to everyone the event concerns.
        "creatorAulaName": (creator.person.alias if creator.person.is_protected else creator.person.full_name)
        if creator
        else "",
        "hasAttachments": bool(getattr(event, "has_attachments", False)),
        "createdDateTime": _when(event.created_at),
        "repeating": serializers.repeating(event),
        "occurrenceDateTime": serializers.occurrence_moment(row),
        "institutionCode": institution.code,
        "institutionName": institution.name,
        "addedToInstitutionCalendar": False,
        "hideInOwnCalendar": False,
        "securityLevel": 0,
        "directlyRelated": True,
    }


# --- One event, answering and booking ------------------------------------------------------------------------


@api_method("calendar.getEventById")
def get_event_by_id(api: ApiRequest) -> dict[str, Any]:
    """EventDetails: the event with its files, the invitees the viewer may see and, for a samtale, its times
    with the bookings the viewer may see (staff managing it: all; guardians: their children's)."""
    details = detail_queries.event_details(api.viewer, api.integer("eventId"))
    return {
        **_event(queries.ProfileEvent(details.event, [])),
        **serializers.details(api.viewer, details, api.http.build_absolute_uri),
    }


RESPONSES = frozenset({"accepted", "declined", "tentative"})


def _own_profile(api: ApiRequest, name: str) -> None:
    """`institutionProfileId` is the one answering: one of the viewer's own profiles when it is given."""
    profile_id = api.optional_integer(name)
    if profile_id is not None and profile_id not in api.viewer.profile_ids:
        raise errors.not_found()


@api_method("calendar.respondToSimpleEvent", verbs=("POST",))
def respond_to_simple_event(api: ApiRequest) -> bool:
    """Answer yes, no or maybe for oneself or, as a guardian, for a child (`invitedInstProfileId`)."""
    event_id = api.integer("eventId")
    response = api.text("responseType", required=True)
    if response not in RESPONSES:
        raise errors.bad_parameters()
    _own_profile(api, "institutionProfileId")
    invitation_id = detail_queries.invitation_id_of_profile(api.viewer, event_id, api.integer("invitedInstProfileId"))
    actions.answer(api.viewer, event_id, invitation_id, str(response))
    return True


def _slot_index(api: ApiRequest) -> None:
    if api.optional_integer("timeSlotIndex", 0) != 0:
        raise errors.bad_parameters()


def _book(api: ApiRequest) -> bool:
    """Book (or move to) a time for a child: `concerningInstProfileId` is the child's institution profile."""
    event_id, slot_id = api.integer("eventId"), api.integer("timeSlotId")
    _slot_index(api)
    response = api.text("responseTypeEnum") or api.text("responseType") or "accepted"
    if response != "accepted":
        raise errors.bad_parameters()
    _own_profile(api, "institutionProfileId")
    child_id = detail_queries.conference_child_of_profile(api.viewer, event_id, api.integer("concerningInstProfileId"))
    actions.book(api.viewer, event_id, slot_id, child_id)
    return True


@api_method("calendar.respondToTimeSlotEvent", verbs=("POST",))
def respond_to_time_slot_event(api: ApiRequest) -> bool:
    return _book(api)


@api_method("calendar.updateResponseToTimeSlotEvent", verbs=("POST",))
def update_response_to_time_slot_event(api: ApiRequest) -> bool:
    return _book(api)


@api_method("calendar.removeBlockingOrResponseToTimeSlot", verbs=("POST",))
def remove_blocking_or_response(api: ApiRequest) -> bool:
    """Cancel a child's booking of the time (`concerningInstitutionProfileId`), or, without one, unblock it."""
    event_id, slot_id = api.integer("eventId"), api.integer("timeSlotId")
    _slot_index(api)
    concerning = api.optional_integer("concerningInstitutionProfileId") or api.optional_integer(
        "concerningInstProfileId"
    )
    if concerning is None:
        slot_actions.unblock_slot(api.viewer, event_id, slot_id)
        return True
    child_id = detail_queries.conference_child_of_profile(api.viewer, event_id, concerning)
    if detail_queries.booked_slot_id(event_id, child_id) != slot_id:
        raise errors.not_found()
    actions.cancel_booking(api.viewer, event_id, child_id)
    return True


@api_method("calendar.blockTimeSlot", verbs=("POST",))
def block_time_slot(api: ApiRequest) -> bool:
    """Staff: the time is no longer offered to families."""
    event_id, slot_id = api.integer("eventId"), api.integer("timeSlotId")
    _slot_index(api)
    slot_actions.block_slot(api.viewer, event_id, slot_id)
    return True
