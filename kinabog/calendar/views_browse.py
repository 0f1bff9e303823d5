"""Kalender: the day, month and agenda pages, and the calendars of a group and of a child.

Thin: parse the date, call a read of `browse`, render. Each page has the same view switcher
(Dag / Uge / Måned / Agenda), previous/next links and a link to today. A date that cannot be read shows
today with a note saying so; nothing fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kinabog.accounts.session import current_viewer
from kinabog.core.errors import NotFound

from . import browse, queries
from .browse import CalendarDay
from .views_birthdays import parse_month

DAY, WEEK, MONTH, AGENDA = "dag", "uge", "maaned", "agenda"
KINDS = (DAY, WEEK, MONTH, AGENDA)
PARAMS = {DAY: "dato", WEEK: "uge", MONTH: "maaned", AGENDA: "fra"}
OWN_PAGES = {DAY: "calendar:day", WEEK: "calendar:week", MONTH: "calendar:month", AGENDA: "calendar:agenda"}
# Dates outside these years are refused as bad input (and keep date arithmetic far from its limits).
FIRST_YEAR, LAST_YEAR = queries.FIRST_YEAR, queries.LAST_YEAR
MAX_ID = 2**63 - 1

Loader = Callable[[date, date], list[CalendarDay]]


@dataclass(frozen=True)
class Scope:
    """Whose calendar a page shows and where its links lead: one's own, a group's or a child's."""

    title: str
    base: str = ""  # the group's or child's calendar address; empty for one's own pages
    subtitle: str = ""
    back_url: str = ""
    back_label: str = ""

    def url(self, kind: str, day: date) -> str:
        value = day.strftime("%Y-%m") if kind == MONTH else day.isoformat()
        if not self.base:
            return f"{reverse(OWN_PAGES[kind])}?{urlencode({PARAMS[kind]: value})}"
        return f"{self.base}?{urlencode({'visning': kind, PARAMS[kind]: value})}"


def _labels() -> dict[str, str]:
    return {DAY: _("Day"), WEEK: _("Week"), MONTH: _("Month"), AGENDA: _("Agenda")}


def _parse_date(value: str | None) -> tuple[date, bool]:
    """The date asked for and whether it was unreadable (then today)."""
    if not value:
        return timezone.localdate(), False
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return timezone.localdate(), True
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return timezone.localdate(), True
    return day, False


def _parse_month(value: str | None) -> tuple[date, bool]:
    """The first day of the month asked for (YYYY-MM) and whether it was unreadable."""
    if not value:
        return timezone.localdate().replace(day=1), False
    first = parse_month(value)
    if first is not None:
        return first, False
    return timezone.localdate().replace(day=1), True


def _parse(request: HttpRequest, kind: str) -> tuple[date, bool]:
    value = request.GET.get(PARAMS[kind])
    return _parse_month(value) if kind == MONTH else _parse_date(value)


def _page(request: HttpRequest, scope: Scope, kind: str, anchor: date, bad_input: bool, load: Loader) -> HttpResponse:
    today = timezone.localdate()
    first_of_month = anchor.replace(day=1)
    if kind == DAY:
        start = end = period_start = period_end = anchor
        previous, following = anchor - timedelta(days=1), anchor + timedelta(days=1)
    elif kind == WEEK:
        start = period_start = anchor - timedelta(days=anchor.weekday())
        end = period_end = start + timedelta(days=6)
        previous, following = start - timedelta(days=7), start + timedelta(days=7)
    elif kind == MONTH:
        start, end = browse.month_range(first_of_month)
        period_start, period_end = first_of_month, browse.next_month(first_of_month) - timedelta(days=1)
        previous, following = browse.previous_month(first_of_month), browse.next_month(first_of_month)
    else:
        start = period_start = anchor
        end = period_end = anchor + timedelta(days=browse.AGENDA_DAYS - 1)
        previous, following = anchor - timedelta(days=browse.AGENDA_DAYS), end + timedelta(days=1)
    days = load(start, end)
    switch_to = today if period_start <= today <= period_end else period_start
    labels = _labels()
    context = {
        "kind": kind,
        "scope": scope,
        "days": days,
        "weeks": browse.weeks_of(days) if kind == MONTH else [],
        "agenda_days": [d for d in days if d.has_items] if kind == AGENDA else [],
        "anything": any(d.has_items for d in days if period_start <= d.date <= period_end),
        "period_start": period_start,
        "period_end": period_end,
        "today": today,
        "views": [(k, labels[k], scope.url(k, switch_to), k == kind) for k in KINDS],
        "previous_url": scope.url(kind, previous),
        "next_url": scope.url(kind, following),
        "today_url": scope.url(kind, today),
        "shows_today": period_start <= today <= period_end,
        "bad_input": bad_input,
    }
    return render(request, "calendar/browse.html", context)


def own_switcher(kind: str, period_start: date, period_end: date) -> dict[str, object]:
    """The view switcher and today link of one's own calendar, for pages rendered elsewhere (the week)."""
    today = timezone.localdate()
    switch_to = today if period_start <= today <= period_end else period_start
    scope, labels = Scope(title=_("Calendar")), _labels()
    return {
        "views": [(k, labels[k], scope.url(k, switch_to), k == kind) for k in KINDS],
        "today_url": scope.url(kind, today),
    }


def _own(request: HttpRequest, kind: str) -> HttpResponse:
    viewer = current_viewer(request)
    anchor, bad_input = _parse(request, kind)

    def load(start: date, end: date) -> list[CalendarDay]:
        return browse.my_days(viewer, start, end, with_birthdays=kind == MONTH)

    return _page(request, Scope(title=_("Calendar")), kind, anchor, bad_input, load)


@login_required
@require_GET
def day_view(request: HttpRequest) -> HttpResponse:
    return _own(request, DAY)


@login_required
@require_GET
def month_view(request: HttpRequest) -> HttpResponse:
    return _own(request, MONTH)


@login_required
@require_GET
def agenda_view(request: HttpRequest) -> HttpResponse:
    return _own(request, AGENDA)


def _scoped_kind(request: HttpRequest) -> tuple[str, date, bool]:
    """The view (?visning=dag|uge|maaned|agenda, month when not given) and its date."""
    kind = request.GET.get("visning") or MONTH
    unknown_kind = kind not in KINDS
    if unknown_kind:
        kind = MONTH
    anchor, bad_date = _parse(request, kind)
    return kind, anchor, unknown_kind or bad_date


@login_required
@require_GET
def group_calendar_view(request: HttpRequest, group_id: int) -> HttpResponse:
    """The events of one group, for those who see the group's content; 404 for everyone else."""
    if group_id > MAX_ID:
        raise NotFound
    viewer = current_viewer(request)
    group = browse.get_group(viewer, group_id)
    kind, anchor, bad_input = _scoped_kind(request)
    scope = Scope(
        title=_("Calendar for %(name)s") % {"name": group.name},
        base=reverse("calendar:group", args=[group.id]),
        subtitle=group.institution.name if group.institution else "",
        back_url=reverse("institutions:group", args=[group.id]),
        back_label=_("Back to the group"),
    )

    def load(start: date, end: date) -> list[CalendarDay]:
        return browse.group_days(viewer, group, start, end)

    return _page(request, scope, kind, anchor, bad_input, load)


@login_required
@require_GET
def child_calendar_view(request: HttpRequest, child_id: int) -> HttpResponse:
    """A child's events and samtaler, for those who see the child's day; 404 for everyone else."""
    if child_id > MAX_ID:
        raise NotFound
    viewer = current_viewer(request)
    child = browse.get_child(viewer, child_id)
    kind, anchor, bad_input = _scoped_kind(request)
    scope = Scope(
        title=_("Calendar for %(name)s") % {"name": child.display_name},
        base=reverse("calendar:child", args=[child.person.id]),
        subtitle=", ".join(p.institution.name for p in child.person.child_profiles),  # type: ignore[attr-defined]
        back_url=reverse("institutions:child", args=[child.person.id]),
        back_label=_("Back to the child"),
    )

    def load(start: date, end: date) -> list[CalendarDay]:
        return browse.child_days(viewer, child, start, end)

    return _page(request, scope, kind, anchor, bad_input, load)
