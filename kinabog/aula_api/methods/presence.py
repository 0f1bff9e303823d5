"""presence.*: komme/gå — the child's day, planned times, sickness, pickup, vacation requests, opening hours."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from kinabog.presence import child_days, vacation_requests

from .. import errors
from .. import presence_serializers as serializers
from ..params import ApiRequest
from ..registry import api_method

SICK = 1
NOT_SICK = (0, 3)  # the dashboard undoes with 0, the komme/gå page with 3
REPEAT_PATTERNS = frozenset({"never", "weekly", "every_2_weeks"})


def _optional_date(value: Any) -> date | None:
    """`YYYY-MM-DD`, or the date part of an ISO date-time (`expiresAt`); empty is no date."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise errors.bad_parameters()
    text = value.strip()
    try:
        if len(text) > 10:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        return date.fromisoformat(text)
    except ValueError:
        raise errors.bad_parameters() from None


def _date(value: Any) -> date:
    found = _optional_date(value)
    if found is None:
        raise errors.bad_parameters()
    return found


def _time(value: Any) -> time | None:
    """`HH:mm` or `HH:mm:ss`; empty is no time."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value.strip()) not in (5, 8):
        raise errors.bad_parameters()
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise errors.bad_parameters() from None


def _text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise errors.bad_parameters()
    return value.strip()[:limit]


@api_method("presence.getDailyOverview")
def get_daily_overview(api: ApiRequest) -> list[dict[str, Any]]:
    """Today for each child: status, check-in and out, planned times, sleep, location."""
    rows = child_days.daily_overview(api.viewer, api.integers("childIds"))
    return [serializers.daily_overview(row) for row in rows]


@api_method("presence.getPresenceTemplates")
def get_presence_templates(api: ApiRequest) -> dict[str, Any]:
    """The planned times of each child for every day from `fromDate` to `toDate`."""
    start, end = _date(api.text("fromDate")), _date(api.text("toDate"))
    weeks = child_days.planned_days(api.viewer, api.integers("filterInstitutionProfileIds"), start, end)
    return serializers.presence_templates(weeks, timezone.localdate())


@api_method("presence.updatePresenceTemplate", verbs=("POST",))
def update_presence_template(api: ApiRequest) -> dict[str, Any]:
    """Planned times for a day, or repeating weekly or every two weeks until `expiresAt`."""
    body = api.body
    child_id = api.integer("institutionProfileId")
    by_date = _date(body.get("byDate", api.text("byDate")))
    template_id = api.optional_integer("id")
    activity = body.get("presenceActivity")
    if not isinstance(activity, dict):
        raise errors.bad_parameters()
    activity_type = activity.get("activityType", serializers.PICKUP)
    if isinstance(activity_type, bool) or not isinstance(activity_type, int):
        raise errors.bad_parameters()
    if activity_type not in serializers.ACTIVITY_KEYS:
        raise errors.bad_parameters()
    details = activity.get(serializers.ACTIVITY_KEYS[activity_type]) or {}
    if not isinstance(details, dict):
        raise errors.bad_parameters()
    repeat = body.get("repeatPattern") or "never"
    if repeat not in REPEAT_PATTERNS:
        raise errors.bad_parameters()
    template = child_days.update_template(
        api.viewer,
        child_id,
        template_id=template_id,
        by_date=by_date,
        entry_time=_time(details.get("entryTime")),
        exit_time=_time(details.get("exitTime")),
        repeat=repeat,
        repeat_until=_optional_date(body.get("expiresAt")) if repeat != "never" else None,
        activity_type=activity_type,
        exit_with=_text(details.get("exitWith"), 160),
        self_decider_start=_time(details.get("exitStartTime")),
        self_decider_end=_time(details.get("exitEndTime")),
        comment=_text(body.get("comment"), 250),
    )
    return serializers.day_template(by_date, template, on_vacation=False)


@api_method("presence.updateStatusByInstitutionProfileIds", verbs=("POST",))
def update_status_by_institution_profile_ids(api: ApiRequest) -> bool:
    """A guardian reports children sick today (status 1) or undoes it (0 or 3). Today only."""
    child_ids = api.integers("institutionProfileIds")
    status = api.integer("status")
    if not child_ids or (status != SICK and status not in NOT_SICK):
        raise errors.bad_parameters()
    child_days.set_sick_today(api.viewer, child_ids, sick=status == SICK)
    return True


@api_method("presence.getPickupResponsibles")
def get_pickup_responsibles(api: ApiRequest) -> list[dict[str, Any]]:
    """Who may pick each child up: the child's guardians and the names the family has saved."""
    pickups = child_days.pickup_responsibles(api.viewer, api.integers("uniStudentIds"))
    return [serializers.pickup_responsibles(p) for p in pickups]


@api_method("presence.getPresenceConfigurationByChildIds")
def get_presence_configuration_by_child_ids(api: ApiRequest) -> list[dict[str, Any]]:
    """What komme/gå offers for each child's institution, and what the viewer may change."""
    ids = api.integers("childIds") or api.integers("instProfileIds")
    return [serializers.presence_configuration(c) for c in child_days.configurations(api.viewer, ids)]


@api_method("presence.getVacationRegistrationsByChildren")
def get_vacation_registrations_by_children(api: ApiRequest) -> list[dict[str, Any]]:
    """The ferieanmodninger each child's guardians are asked to answer (or have answered)."""
    ids = api.integers("childIds") or api.integers("instProfileIds")
    children = child_days.presence_children(api.viewer, ids)
    requests = vacation_requests.requests_for_guardian(api.viewer, [c.profile.id for c in children])
    return [
        serializers.vacation_registrations(child, [r for r in requests if r.child.id == child.profile.id])
        for child in children
    ]


@api_method("presence.getOpeningHoursByInstitutionCodes")
def get_opening_hours_by_institution_codes(api: ApiRequest) -> dict[str, Any]:
    """Opening hours per day: general hours, specific hours and closed days."""
    codes = api.http.GET.getlist("institutionCodes[]") or api.http.GET.getlist("institutionCodes")
    if len(codes) > 50:
        raise errors.bad_parameters()
    start, end = _date(api.text("startDate")), _date(api.text("endDate"))
    return serializers.opening_hours(child_days.opening_hours(api.viewer, codes, start, end))
