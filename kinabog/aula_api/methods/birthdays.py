"""calendar.getBirthdayEventsFor*: children's birthdays for a group or for institutions.

Only children whose custody holder has given the consent `birthday_in_group`, never name-protected
children, and only in groups whose content the viewer sees (kinabog.calendar.birthdays decides).
`birthday` is the day the birthday falls on in the asked window (`YYYY-MM-DD`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinabog.calendar import birthdays
from kinabog.calendar import queries as calendar_queries
from kinabog.institutions import queries as institution_queries

from .. import errors
from ..params import ApiRequest
from ..registry import api_method

AULA_FORMAT = "%Y-%m-%d %H:%M:%S.%f%z"


def _day(value: str | None) -> date:
    """A day from `YYYY-MM-DD`, Aula's `YYYY-MM-DD HH:mm:ss.SSSS+ZZZZ` or ISO-8601 (local date)."""
    text = (value or "").strip()
    if not text:
        raise errors.bad_parameters()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    for parse in (lambda t: datetime.strptime(t, AULA_FORMAT), datetime.fromisoformat):
        try:
            moment = parse(text)
        except ValueError:
            continue
        return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    raise errors.bad_parameters()


def _window(api: ApiRequest) -> tuple[date, date]:
    start, end = _day(api.text("start") or api.text("Start")), _day(api.text("end") or api.text("End"))
    if not (calendar_queries.readable_year(start.year) and calendar_queries.readable_year(end.year)):
        raise errors.bad_parameters()
    if end < start:
        raise errors.bad_parameters(_("The end comes before the start."))
    if (end - start).days >= birthdays.MAX_DAYS:
        raise errors.bad_parameters(_("Choose a period of at most a year."))
    return start, end


def _texts(api: ApiRequest, *names: str) -> list[str]:
    """An array of strings (`instCodes[]=…`), under any of the names clients send."""
    for name in names:
        if name in api.body:
            values = api.body[name]
            if not isinstance(values, list) or not all(isinstance(v, str | int) for v in values):
                raise errors.bad_parameters()
            return [str(v).strip() for v in values]
        found = api.http.GET.getlist(f"{name}[]") or api.http.GET.getlist(name)
        if found:
            return [v.strip() for v in found]
    return []


def _birthday(row: birthdays.Birthday) -> dict[str, Any]:
    return {
        "birthday": row.date.isoformat(),
        "name": row.name,
        "institutionCode": row.institution_code,
        "institutionProfileId": row.institution_profile_id,
        "mainGroupName": row.group_name,
    }


@api_method("calendar.getBirthdayEventsForGroup")
def get_birthday_events_for_group(api: ApiRequest) -> list[dict[str, Any]]:
    """A group's birthdays in [start, end]; a group the viewer may not see answers 404."""
    group_id = api.integer("groupId")
    start, end = _window(api)
    group = institution_queries.get_group(api.viewer, group_id)
    return [_birthday(row) for row in birthdays.birthdays_between(api.viewer, [group.id], start, end)]


@api_method("calendar.getBirthdayEventsForInstitutions")
def get_birthday_events_for_institutions(api: ApiRequest) -> list[dict[str, Any]]:
    """Birthdays in the main groups of institutions (`instCodes[]`, or `institutionId`) the viewer sees."""
    codes = _texts(api, "instCodes", "InstCodes")
    institution_id = api.optional_integer("institutionId")
    if len(codes) > 100:
        raise errors.bad_parameters()
    if not codes and institution_id is None:
        raise errors.bad_parameters()
    start, end = _window(api)
    ids = [institution_id] if institution_id is not None else []
    return [_birthday(row) for row in birthdays.birthdays_for_institutions(api.viewer, codes, ids, start, end)]
