"""Small display helpers for the komme/gå templates.

A child's status badge and planned times appear on every row of the staff's day, seven times a child on a
guardian's week and in the answer to every tap on "check in": they are built here, in Python, rather than
included as templates, where each would cost a template of its own per use (docs/performance.md).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from kinabog.presence import queries
from kinabog.presence.models import ActivityType

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


def _clock(value: datetime | time | None) -> str:
    """'07:45', in local time for a moment, as the template filter time:"H:i" shows it; '' for none."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return value.strftime("%H:%M")


_pill_starts: dict[tuple[int, str | None], str] = {}


def _pill_start(status: int) -> str:
    """A badge's opening tag and its escaped label, once per status and language in a process: a staff member's
    day shows one on every child's row."""
    key = (status, get_language())
    start = _pill_starts.get(key)
    if start is None:
        label = status_label(status)
        start = _pill_starts[key] = format_html('<span class="pill status-{}">{}', status_class(status), label)
    return start


@register.simple_tag
def status_pill(status: int, day: Any = None, sleeping_since: datetime | None = None) -> SafeString:
    """A child's status as a coloured badge, with the time it changed where that says something: checked
    out at, checked in at, sleeping since."""
    detail = ""  # a time is digits and a colon; the one word is escaped
    if status == queries.Status.CHECKED_OUT and getattr(day, "check_out_at", None):
        detail = " " + _clock(day.check_out_at)
    elif status == queries.Status.PRESENT and getattr(day, "check_in_at", None):
        detail = " " + _clock(day.check_in_at)
    elif status == queries.Status.SLEEPING and sleeping_since:
        detail = f" {conditional_escape(gettext('since'))} {_clock(sleeping_since)}"
    return mark_safe(f"{_pill_start(status)}{detail}</span>")  # noqa: S308 - escaped above


@register.simple_tag
def planned(plan: Any) -> SafeString:
    """A day's planned times and how the child goes home, or that none are planned."""
    if not plan:
        return format_html('<span class="plan muted">{}</span>', gettext("No planned times"))
    times = ""
    if plan.entry_time or plan.exit_time:
        times = f"{_clock(plan.entry_time) or '…'}–{_clock(plan.exit_time) or '…'} · "
    kind = plan.activity_type
    going: SafeString | str = ""
    if kind == ActivityType.PICKED_UP_BY:
        going = format_html("{} {}", gettext("Picked up by"), plan.exit_with or "…")
    elif kind == ActivityType.SELF_DECIDER:
        until = f" {_clock(plan.self_decider_start)}–{_clock(plan.self_decider_end)}" if plan.self_decider_start else ""
        going = format_html("{}{}", gettext("Decides for themself"), until)
    elif kind == ActivityType.SEND_HOME:
        going = gettext("Sent home")
    elif kind == ActivityType.GO_HOME_WITH:
        going = format_html("{} {}", gettext("Goes home with"), plan.exit_with)
    return format_html('<span class="plan">{}{}</span>', times, going)
