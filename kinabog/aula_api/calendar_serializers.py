"""Calendar objects in Aula's shapes: a series' `repeating`, an event's details (invitees, samtale times).

Times are ISO-8601 with the Copenhagen offset, as calendar.getEventsByProfileIdsAndResourceIds sends them.
Names of others are what the viewer may see (an alias for a protected person). Contact data (e-mail,
phone) is never sent with invitees: the contact lists are the place for it. File addresses are absolute
(Aula hands out full URLs); they answer only to people who see the event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from kinabog.calendar import detail_queries, queries
from kinabog.core.files import IMAGE_TYPES
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import Viewer

from .serializers import _shown_names, institution_role, short_name

SLOT_INDEX = 0  # one meeting per time: Kinabog's times have a single index


def when(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def repeating(event: Any) -> dict[str, Any] | None:
    """Aula's repeating pattern of a series; None for a single event."""
    if event.repeat == "never":
        return None
    first = timezone.localtime(event.starts_at)
    days = queries.weekdays_of(event.repeat_weekdays) or [first.weekday()]
    return {
        "pattern": event.repeat,
        "interval": event.repeat_interval,
        "weekdayMask": [day in days for day in range(7)] if event.repeat == "weekly" else [False] * 7,
        "dayInMonth": first.day if event.repeat == "monthly" else None,
        "maxDate": event.repeat_until.isoformat() if event.repeat_until else None,
        "occurenceLimit": None,
        "originalStartDateTime": when(event.starts_at),
        "originalEndDateTime": when(event.ends_at),
    }


def occurrence_moment(row: queries.ProfileEvent) -> str | None:
    """Which time of a series the row is (its series date at the series' time, also when moved)."""
    occurrence = row.occurrence
    if occurrence is None or row.event.repeat == "never":
        return None
    first = timezone.localtime(row.event.starts_at)
    original = datetime.combine(occurrence.occurrence_date, first.time(), timezone.get_current_timezone())
    return when(original)


def inst_profile(viewer: Viewer, profile: Any, institution: Any) -> dict[str, Any]:
    """An institution profile (person loaded) as invitees and answers name it."""
    person = profile.person
    shown = institution_queries.display_name(viewer, person, {profile.institution_id})
    first, last = _shown_names(person.first_name, person.last_name, person.full_name, shown)
    return {
        "id": profile.id,
        "profileId": person.id,
        "firstName": first,
        "lastName": last,
        "fullName": shown,
        "shortName": short_name(shown),
        "role": profile.role,
        "institutionRole": institution_role(profile),
        "institutionCode": institution.code,
        "institutionName": institution.name,
        "profilePictureUrl": None,
        "email": None,
        "phone": None,
    }


def creator(viewer: Viewer, event: Any) -> dict[str, Any] | None:
    profile = event.creator
    if profile is None:
        return None
    name = institution_queries.display_name(viewer, profile.person, {profile.institution_id})
    return {
        "institutionProfileId": profile.id,
        "profileId": profile.person_id,
        "name": name,
        "shortName": short_name(name),
        "role": profile.role,
        "institutionRole": institution_role(profile),
        "institutionCode": event.institution.code,
        "institutionName": event.institution.name,
    }


def invitee(viewer: Viewer, row: queries.InvitationView, institution: Any) -> dict[str, Any]:
    invitation = row.invitation
    return {
        "instProfile": inst_profile(viewer, invitation.profile, institution),
        "responseType": invitation.response,
        "responseDateTime": when(invitation.answered_at),
        "numberOfAdultParticipants": None,
        "numberOfChildParticipants": None,
    }


def _answer(viewer: Viewer, answer: detail_queries.SlotAnswer | None, taken: bool, institution: Any) -> list[Any]:
    """The booking of a time: whose it is when the viewer may know, else only that the time is taken."""
    if answer is None:
        if not taken:
            return []
        return [{"id": None, "selectedTimeSlotIndex": SLOT_INDEX, "concerningProfile": None, "instProfile": None}]
    child, booker = answer.child_profile, answer.booker_profile
    return [
        {
            "id": answer.booking.id,
            "selectedTimeSlotIndex": SLOT_INDEX,
            "concerningProfile": inst_profile(viewer, child, institution) if child else None,
            "instProfile": inst_profile(viewer, booker, institution) if booker else None,
            "bookedDateTime": when(answer.booking.booked_at),
        }
    ]


def time_slot(viewer: Viewer, details: detail_queries.EventDetails) -> dict[str, Any] | None:
    """A samtale's times (Aula's timeSlot); None for other events."""
    event = details.event
    if event.type != "schoolHomeMeeting":
        return None
    institution = event.institution
    return {
        "meetingDuration": event.slot_minutes,
        "breakLength": event.break_minutes or 0,
        "meetingsBetweenBreaks": event.meetings_between_breaks or 0,
        "childRequired": True,
        "numberOfParticipantsPerTimeSlot": 1,
        "canUpdateResponseToEvent": details.manages or not details.past_deadline,
        "timeSlots": [
            {
                "id": row.slot.id,
                "startDate": when(row.slot.starts_at),
                "endDate": when(row.slot.ends_at),
                "timeSlotIndexes": [{"startTime": when(row.slot.starts_at), "endTime": when(row.slot.ends_at)}],
                "answers": _answer(viewer, row.answer, row.taken, institution),
                "isBlocked": row.slot.blocked,
                "primaryResource": None,
                "primaryResourceText": row.slot.location,
            }
            for row in details.slots
        ],
    }


def attachment(row: Any, absolute: Callable[[str], str]) -> dict[str, Any]:
    """A file of an event in the shape of Aula's attachments (posts and messages use the same)."""
    url = absolute(reverse("calendar:attachment", args=[row.id]))
    media = None
    if row.content_type in IMAGE_TYPES:
        media = {"file": {"name": row.name, "url": url}, "thumbnailUrl": url, "mediaType": "image"}
    return {
        "id": row.id,
        "name": row.name,
        "url": url,
        "file": {"name": row.name, "url": url},
        "media": media,
        "link": None,
        "document": None,
        "contentType": row.content_type,
        "size": row.size,
    }


def details(
    viewer: Viewer, details: detail_queries.EventDetails, absolute: Callable[[str], str] = str
) -> dict[str, Any]:
    """What EventDetails adds to the Event of the lists."""
    event = details.event
    return {
        "description": {"html": event.description},
        "invitees": [invitee(viewer, row, event.institution) for row in details.invitations],
        "coOrganizers": [],
        "invitedGroupHomeChildren": [],
        "hasAttachments": bool(details.attachments),
        "attachments": [attachment(row, absolute) for row in details.attachments],
        "creator": creator(viewer, event),
        "lesson": None,
        "timeSlot": time_slot(viewer, details),
        "vacationRegistration": None,
        "canEditStartDate": details.manages,
        "canAnswerForSeries": event.repeat != "never",
        "doRequestNumberOfParticipants": False,
        "lastReminderDateTime": None,
    }
