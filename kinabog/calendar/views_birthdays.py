"""Fødselsdage: a group's birthdays month by month. Thin: parse, call a query, render."""

from __future__ import annotations

import calendar as stdlib_calendar
import re
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.accounts.session import current_viewer
from kinabog.institutions import queries as institution_queries

from . import birthdays, queries

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None) -> date | None:
    """The first day of a `YYYY-MM` month; None when the text is no such month."""
    match = MONTH.match((value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and queries.readable_year(year)):
        return None
    return date(year, month, 1)


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@login_required
def birthdays_view(request: HttpRequest, group_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    group = institution_queries.get_group(viewer, group_id)  # 404 unless the viewer sees the group's content
    error = ""
    raw = request.GET.get("maaned")
    first = parse_month(raw) if raw is not None else timezone.localdate().replace(day=1)
    if first is None:
        error = _("Write the month as year and month, for example %(example)s.") % {
            "example": timezone.localdate().strftime("%Y-%m")
        }
        first = timezone.localdate().replace(day=1)
    last = first.replace(day=stdlib_calendar.monthrange(first.year, first.month)[1])
    context = {
        "group": group,
        "birthdays": birthdays.birthdays_between(viewer, [group.id], first, last),
        "month": first,
        "previous": _shift(first, -1),
        "next": _shift(first, 1),
        "error": error,
    }
    return render(request, "calendar/birthdays.html", context, status=400 if error else 200)
