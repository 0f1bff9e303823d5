"""Small display helpers for the komme/gå templates."""

from __future__ import annotations

from typing import Any

from django import template

from kinabog.presence import queries

register = template.Library()

# A CSS class per status, so the colour of a badge says the same as its text.
STATUS_CLASS: dict[int, str] = {
    queries.Status.NOT_PRESENT: "waiting",
    queries.Status.SICK: "sick",
    queries.Status.REPORTED_ABSENT: "off",
    queries.Status.PRESENT: "here",
    queries.Status.FIELDTRIP: "here",
    queries.Status.SLEEPING: "here",
    queries.Status.SPARE_TIME_ACTIVITY: "here",
    queries.Status.PHYSICAL_PLACEMENT: "here",
    queries.Status.CHECKED_OUT: "gone",
}


@register.filter
def status_label(status: int) -> str:
    return str(queries.STATUS_LABELS.get(status, ""))


@register.filter
def status_class(status: int) -> str:
    return STATUS_CLASS.get(status, "waiting")


@register.filter
def count_key(status: int) -> str:
    """Which of the staff page's counts a status belongs to ('' for none)."""
    return queries.COUNT_KEYS.get(status, "")


@register.filter
def in_care(status: int) -> bool:
    return status in queries.IN_CARE


@register.filter
def initials(name: str) -> str:
    """'Emil Hansen' → 'EH'; an alias such as 'Lærke B.' → 'LB'."""
    letters = [part[0] for part in name.replace(".", " ").split() if part[:1].isalpha()]
    return "".join(letters[:1] + letters[1:][-1:]).upper()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def kiosk_state(status: int) -> str:
    """What a screen in the hallway may say: come, gone, not coming today (never why), or not yet come."""
    if status in queries.IN_CARE:
        return "here"
    if status == queries.Status.CHECKED_OUT:
        return "gone"
    if status in (queries.Status.SICK, queries.Status.REPORTED_ABSENT):
        return "away"
    return "waiting"
