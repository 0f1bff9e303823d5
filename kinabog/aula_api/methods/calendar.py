"""calendar.*: the events of children's (or one's own) institution profiles, in Aula's Event shape."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from kinabog.calendar import queries

from .. import errors
from ..params import ApiRequest
from ..registry import api_method

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
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    raise errors.bad_parameters()


@api_method("calendar.getEventsByProfileIdsAndResourceIds", verbs=("POST",))
def get_events_by_profile_ids(api: ApiRequest) -> list[dict[str, Any]]:
    """Events for children's institution profiles; a window of more than 50 days is refused, as in Aula."""
    profile_ids = api.integers("instProfileIds")
    api.integers("resourceIds")  # rooms and equipment are not bookable yet
    start, end = _moment(api.text("start")), _moment(api.text("end"))
    if end < start:
        raise errors.bad_parameters()
    if end - start > MAX_WINDOW:
        raise errors.refused()
    return [_event(row) for row in queries.events_for_profiles(api.viewer, profile_ids, start, end)]


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _event(row: queries.ProfileEvent) -> dict[str, Any]:
    event = row.event
    institution = event.institution
    creator = event.creator
    groups = list(event.groups.all())
    return {
        "id": event.id,
        "title": event.title,
        "type": event.type,
        "allDay": event.all_day,
        "startDateTime": _when(event.starts_at),
        "endDateTime": _when(event.ends_at),
        "oldStartDateTime": None,
        "oldEndDateTime": None,
        "oldAllDay": None,
        "private": False,
        "responseRequired": event.response_required,
        "responseDeadline": _when(event.booking_deadline) if event.booking_deadline else None,
        "isDeadlineExceeded": queries.is_past_deadline(event),
        "belongsToProfiles": row.belongs_to,
        "belongsToResources": [],
        "primaryResource": None,
        "primaryResourceText": event.place,
        "additionalResources": [],
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
        "creatorAulaName": creator.person.full_name if creator else "",
        "hasAttachments": False,
        "createdDateTime": _when(event.created_at),
        "repeating": None,
        "institutionCode": institution.code,
        "institutionName": institution.name,
        "addedToInstitutionCalendar": False,
        "hideInOwnCalendar": False,
        "securityLevel": 0,
        "directlyRelated": True,
    }
