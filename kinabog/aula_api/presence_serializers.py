"""Komme/gå in Aula's shapes (presence.*): field names as the clients read them.

Presence times are `HH:MM:SS` strings and dates `YYYY-MM-DD`, as Aula sends them; a time that is not
set is null. Children are named as the queries decided the viewer may see them (an alias for a
protected child).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from .serializers import institution_role, short_name

# How a child goes home (Aula's activityType) and the object each type is sent in.
PICKUP, SELF_DECIDER, SEND_HOME, GO_HOME_WITH = 0, 1, 2, 3
ACTIVITY_KEYS = {PICKUP: "pickup", SELF_DECIDER: "selfDecider", SEND_HOME: "sendHome", GO_HOME_WITH: "goHomeWith"}


def time_text(value: time | None) -> str | None:
    return value.strftime("%H:%M:%S") if value else None


def moment_text(value: datetime | None) -> str | None:
    """The local time of day of a moment (check-in, check-out, sleep)."""
    return timezone.localtime(value).strftime("%H:%M:%S") if value else None


def date_text(value: date | None) -> str | None:
    return value.isoformat() if value else None


def main_group(child: Any) -> dict[str, Any] | None:
    group = child.main_group
    if group is None:
        return None
    institution = child.profile.institution
    return {
        "id": group.id,
        "name": group.name,
        "shortName": group.name,
        "institutionCode": institution.code,
        "institutionName": institution.name,
        "uniGroupType": None,
    }


def child_profile(child: Any) -> dict[str, Any]:
    """A child's institution profile (child_days.PresenceChild) as presence methods show it."""
    profile = child.profile
    institution = profile.institution
    return {
        "id": profile.id,
        "profileId": profile.person_id,
        "institutionCode": institution.code,
        "institutionName": institution.name,
        "role": "child",
        "name": child.display_name,
        "shortName": short_name(child.display_name),
        "institutionRole": institution_role(profile),
        "metadata": child.main_group.name if child.main_group else "",
        "profilePicture": None,
        "mainGroup": main_group(child),
    }


# --- presence.getDailyOverview ----------------------------------------------------------------------------


def daily_overview(row: Any) -> dict[str, Any]:
    day = row.day
    planned = row.planned
    location = day.location if day is not None else None
    return {
        "id": day.id if day is not None else None,
        "institutionProfile": child_profile(row.child),
        "mainGroup": main_group(row.child),
        "status": row.status,
        "location": (
            {"id": location.id, "name": location.name, "symbol": None, "description": ""} if location else None
        ),
        "sleepIntervals": [
            {"id": s.id, "startTime": moment_text(s.start), "endTime": moment_text(s.end)} for s in row.sleep_intervals
        ],
        "checkInTime": moment_text(day.check_in_at) if day is not None else None,
        "checkOutTime": moment_text(day.check_out_at) if day is not None else None,
        "entryTime": time_text(planned.entry_time) if planned else None,
        "exitTime": time_text(planned.exit_time) if planned else None,
        "exitWith": planned.exit_with if planned else "",
        "comment": day.comment if day is not None and day.comment else (planned.comment if planned else ""),
        "activityType": planned.activity_type if planned else None,
        "spareTimeActivity": None,
        "selfDeciderStartTime": time_text(planned.self_decider_start) if planned else None,
        "selfDeciderEndTime": time_text(planned.self_decider_end) if planned else None,
        # Times from a repeating template are the child's usual times, not set for this day alone.
        "isDefaultEntryTime": bool(planned and planned.repeat != "never"),
        "isDefaultExitTime": bool(planned and planned.repeat != "never"),
        "isPlannedTimesOutsideOpeningHours": row.planned_outside_opening_hours,
        "vacationNote": row.vacation_note,
    }


# --- presence.getPresenceTemplates --------------------------------------------------------------------------


def _activity(template: Any) -> dict[str, Any | None]:
    """The departure objects; only the one of the template's activity type is filled."""
    objects: dict[str, Any | None] = dict.fromkeys(ACTIVITY_KEYS.values())
    if template is None:
        return objects
    entry, exit_ = time_text(template.entry_time), time_text(template.exit_time)
    kind = template.activity_type
    if kind == PICKUP:
        objects["pickup"] = {"entryTime": entry, "exitTime": exit_, "exitWith": template.exit_with}
    elif kind == SELF_DECIDER:
        objects["selfDecider"] = {
            "entryTime": entry,
            "exitStartTime": time_text(template.self_decider_start),
            "exitEndTime": time_text(template.self_decider_end),
        }
    elif kind == SEND_HOME:
        objects["sendHome"] = {"entryTime": entry, "exitTime": exit_}
    elif kind == GO_HOME_WITH:
        objects["goHomeWith"] = {"entryTime": entry, "exitTime": exit_, "exitWith": template.exit_with}
    return objects


def day_template(day: date, template: Any, on_vacation: bool) -> dict[str, Any]:
    return {
        "id": template.id if template else None,
        "dayOfWeek": day.isoweekday(),
        "byDate": day.isoformat(),
        "repeatPattern": template.repeat if template else None,
        "repeatFromDate": date_text(template.by_date) if template else None,
        "repeatToDate": date_text(template.repeat_until) if template else None,
        "isOnVacation": on_vacation,
        "activityType": template.activity_type if template else None,
        "entryTime": time_text(template.entry_time) if template else None,
        "exitTime": time_text(template.exit_time) if template else None,
        "exitWith": template.exit_with if template else "",
        "comment": template.comment if template else "",
        "selfDeciderStartTime": time_text(template.self_decider_start) if template else None,
        "selfDeciderEndTime": time_text(template.self_decider_end) if template else None,
        "spareTimeActivity": None,
        **_activity(template),
    }


def presence_templates(weeks: list[Any], today: date) -> dict[str, Any]:
    return {
        "currentDate": today.isoformat(),
        "presenceWeekTemplates": [
            {
                "institutionProfile": child_profile(week.child),
                "dayTemplates": [day_template(d.date, d.template, d.on_vacation) for d in week.days],
            }
            for week in weeks
        ],
    }


# --- presence.getPickupResponsibles ---------------------------------------------------------------------------


def pickup_responsibles(pickup: Any) -> dict[str, Any]:
    child_id = pickup.child.profile.id
    return {
        "uniStudentId": child_id,
        "relatedPersons": [
            {"institutionProfileId": r.institution_profile_id, "name": r.name, "relation": r.relation}
            for r in pickup.related
        ],
        "pickupSuggestions": [{"id": s.id, "uniStudentId": child_id, "pickUpName": s.name} for s in pickup.suggestions],
    }


# --- presence.getPresenceConfigurationByChildIds ------------------------------------------------------------------


def _permission(on: bool, *, editable: bool = True) -> str:
    if not on:
        return "deactivated"
    return "editable" if editable else "readable"


def presence_configuration(config: Any) -> dict[str, Any]:
    settings = config.settings
    institution = config.child.profile.institution
    guardian_modules = {
        "ReportSick": _permission(settings.guardians_report_sick, editable=config.may_edit),
        "PickupType": _permission(settings.guardians_pickup, editable=config.may_edit),
        "PickupTimes": _permission(settings.guardians_planned_times, editable=config.may_edit),
        "DropOffTime": _permission(settings.guardians_planned_times, editable=config.may_edit),
        "Vacation": _permission(settings.guardians_vacation, editable=config.may_edit),
        "Sleep": _permission(settings.show_sleep, editable=False),
        "Location": "readable",
        "DailyMessage": "readable",
        "FieldTrip": "readable",
        "SpareTimeActivity": "deactivated",
    }
    employee_modules = dict.fromkeys(guardian_modules, "editable")
    employee_modules["Sleep"] = _permission(settings.show_sleep)
    employee_modules["SpareTimeActivity"] = "deactivated"
    return {
        "uniStudentId": config.child.profile.id,
        "presenceConfiguration": {
            "selfDecider": True,
            "goHomeWith": True,
            "sendHome": True,
            "pickUp": True,
            "institution": {"institutionCode": institution.code, "name": institution.name},
            "departments": [{"group": {"id": g.id, "name": g.name}, "filteringGroups": []} for g in config.departments],
            "dashboardModuleSettings": [
                {
                    "presenceDashboardContext": context,
                    "presenceModules": [{"moduleType": k, "permission": v} for k, v in modules.items()],
                }
                for context, modules in (("Guardian", guardian_modules), ("Employee", employee_modules))
            ],
        },
    }


# --- presence.getVacationRegistrationsByChildren ------------------------------------------------------------------


def vacation_registrations(child: Any, requests: list[Any]) -> dict[str, Any]:
    return {
        "child": child_profile(child),
        "vacationRegistrations": [
            {
                "vacationRegistrationId": r.request.id,
                "title": r.request.title,
                "startDate": r.request.start_date.isoformat(),
                "endDate": r.request.end_date.isoformat(),
                "noteToGuardian": r.request.note_to_guardians,
                "responseId": r.response.id if r.response else None,
                "responseDeadline": r.request.deadline.isoformat(),
                "isEditable": r.is_editable,
                "isMissingAnswer": r.is_missing_answer,
                "isPresenceTimesRequired": r.request.presence_times_required,
            }
            for r in requests
        ],
    }


# --- presence.getOpeningHoursByInstitutionCodes ---------------------------------------------------------------------


def opening_hours(overview: list[tuple[Any, list[Any]]]) -> dict[str, Any]:
    return {
        "openingHoursOverviewDto": [
            {
                "institutionCode": institution.code,
                "openingHoursDto": [
                    {
                        "date": day.date.isoformat(),
                        "openTime": time_text(day.opens),
                        "closeTime": time_text(day.closes),
                        "name": day.name,
                        "type": day.kind,
                    }
                    for day in days
                ],
            }
            for institution, days in overview
        ]
    }
