"""Komme/gå pages for staff and guardians. Thin: parse, call a query or an action, render.

Staff see the day's children of an institution (or one group) and check them in and out, one or
several at once; guardians see their children's day and week and set planned times, pickup,
sickness and vacation. Administration and the kiosk screen live in views_admin and views_kiosk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kinabog.accounts.session import current_viewer
from kinabog.core.errors import InvalidInput, NotFound
from kinabog.core.json_answer import json_answer
from kinabog.institutions.access import Viewer

from . import actions, queries
from .forms import GO_HOME_WITH, PickupPersonForm, PlannedTimesForm, VacationForm, parse_date
from .templatetags.presence_tags import status_class, status_pill

Status = queries.Status

# The status filter of the staff page, keyed as StaffDay.counts is.
STATUS_FILTERS = queries.COUNTED_STATUSES
COUNT_STATUSES = (
    ("present", Status.PRESENT),
    ("not_arrived", Status.NOT_PRESENT),
    ("sick", Status.SICK),
    ("vacation", Status.REPORTED_ABSENT),
    ("checked_out", Status.CHECKED_OUT),
)
# Statuses staff set directly; sleeping has its own start and stop, checked out goes through check-out.
STAFF_STATUSES = (Status.PRESENT, Status.FIELDTRIP, Status.SICK, Status.REPORTED_ABSENT, Status.NOT_PRESENT)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _ints(values: list[str]) -> list[int]:
    return sorted({int(v) for v in values if v.isdigit()})


@login_required
def index_view(request: HttpRequest) -> HttpResponse:
    """Guardians get their children; staff with one institution its day; others a choice."""
    viewer = current_viewer(request)
    if viewer.portal_role == "guardian":
        return _guardian_page(request, viewer)
    places = queries.presence_institutions(viewer)
    if len(places) == 1 and places[0].works_here and not (places[0].configures or places[0].kiosks):
        return redirect("presence:staff", institution_id=places[0].institution.id)
    return render(request, "presence/institutions.html", {"places": places})


# --- Staff --------------------------------------------------------------------------------------------------


def _chosen_group(params: Mapping[str, str], viewer: Viewer, groups: list[Any]) -> int | None:
    """The group filter: as asked, else the viewer's own group when they belong to exactly one."""
    valid = {g.id for g in groups}
    raw = params.get("gruppe")
    if raw is None:
        own = [g.id for g in groups if g.id in viewer.group_ids]
        return own[0] if len(own) == 1 else None
    group_id = _int(raw)
    return group_id if group_id in valid else None


def _staff_context(viewer: Viewer, institution_id: int, params: Mapping[str, str]) -> dict[str, Any]:
    """The staff page; `params` holds the filters (`gruppe`, `status`) from the query string or a form."""
    institution = queries.staff_institution(viewer, institution_id)
    groups = queries.children_groups(institution.id)
    group_id = _chosen_group(params, viewer, groups)
    status_key = params.get("status", "")
    status_key = status_key if status_key in STATUS_FILTERS else ""
    day = queries.staff_day(viewer, institution.id, timezone.localdate(), group_id)
    rows = [r for r in day.rows if not status_key or r.status in STATUS_FILTERS[status_key]]
    locations = queries.locations_of(institution.id)
    filters = {"gruppe": str(group_id) if group_id else "alle"}
    return {
        "institution": institution,
        "groups": groups,
        "group_id": group_id,
        "status_key": status_key,
        "day": day,
        "rows": rows,
        "count_links": [(key, queries.STATUS_LABELS[s], day.counts[key]) for key, s in COUNT_STATUSES],
        "filters": filters,
        "filter_query": urlencode(filters),
        "locations": locations,
        "location_names": {location.id: location.name for location in locations},
        "settings": queries.settings_for(institution.id),
        "statuses": [(int(s), queries.STATUS_LABELS[s]) for s in STAFF_STATUSES],
    }


@login_required
def staff_view(request: HttpRequest, institution_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    context = _staff_context(viewer, institution_id, request.GET)
    return render(request, "presence/staff_day.html", context)


def _perform(
    viewer: Viewer, action: str, child_ids: list[int], data: Any, days: list[Any] | None = None
) -> tuple[int, list[str]]:
    """Run a staff action for each child; returns how many succeeded and the problems of the rest (and
    appends the days a check-in, check-out or sleep changed to `days`, where given)."""
    per_child: dict[str, Callable[[Viewer, int], Any]] = {
        "check_in": actions.check_in,
        "check_out": actions.check_out,
        "sleep_start": actions.start_sleep,
        "sleep_end": actions.end_sleep,
    }
    if action == "status":
        status = _int(data.get("status_value"))
        if status not in STAFF_STATUSES:
            raise InvalidInput(_("Choose a status."), field="status")
        return actions.set_status(viewer, child_ids, status), []
    if action == "location":
        location_id = _int(data.get("location"))
        actions.set_location(viewer, child_ids, location_id)
        return len(child_ids), []
    if action == "comment":
        for child_id in child_ids:
            actions.set_comment(viewer, child_id, data.get("comment", ""))
        return len(child_ids), []
    if action not in per_child:
        raise InvalidInput(_("Choose what to do."))
    done, problems = 0, []
    for child_id in child_ids:
        try:
            day = per_child[action](viewer, child_id)
            done += 1
            if days is not None:
                days.append(day)
        except InvalidInput as error:
            name = queries.get_child(viewer, child_id).display_name
            problems.append(f"{name}: {error.message}")
    return done, problems


DONE_MESSAGES = {
    "check_in": lambda n: ngettext("%(count)d child checked in.", "%(count)d children checked in.", n),
    "check_out": lambda n: ngettext("%(count)d child checked out.", "%(count)d children checked out.", n),
    "sleep_start": lambda n: ngettext("%(count)d child is sleeping.", "%(count)d children are sleeping.", n),
    "sleep_end": lambda n: ngettext("%(count)d child woke up.", "%(count)d children woke up.", n),
    "status": lambda n: ngettext("Status changed for %(count)d child.", "Status changed for %(count)d children.", n),
    "location": lambda n: ngettext("Place changed for %(count)d child.", "Place changed for %(count)d children.", n),
    "comment": lambda n: ngettext("Note saved for %(count)d child.", "Note saved for %(count)d children.", n),
}


def _registration(
    request: HttpRequest, viewer: Viewer, child_ids: list[int], days: list[Any] | None = None
) -> tuple[str, int, list[str]]:
    """Parse and run a registration POST: a row's quick button or the action bar for ticked children."""
    quick_action, _sep, quick_child = request.POST.get("quick", "").partition(":")
    if quick_action:
        action, child_ids = quick_action, _ints([quick_child])
    else:
        action = request.POST.get("handling", "")
    if not child_ids:
        raise InvalidInput(_("Tick one or more children first."), field="children")
    if len(child_ids) == 1:  # one child (a row's quick button): the action's own transaction is all it needs
        return action, *_perform(viewer, action, child_ids, request.POST, days)
    with transaction.atomic():  # a child the viewer may not handle undoes the whole request (404)
        done, problems = _perform(viewer, action, child_ids, request.POST, days)
    return action, done, problems


@login_required
@require_POST
def staff_action_view(request: HttpRequest, institution_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    queries.require_staff_institution(viewer, institution_id)
    query = {key: request.POST.get(key, "") for key in ("gruppe", "status")}
    days: list[Any] = []
    try:
        action, done, problems = _registration(request, viewer, _ints(request.POST.getlist("barn")), days)
    except InvalidInput as error:
        done, problems, action = 0, [error.message], ""
    if _wants_json(request):
        return _registration_answer(action, done, problems, days)
    if not done:
        context = _staff_context(viewer, institution_id, query)
        context["problems"] = problems
        return render(request, "presence/staff_day.html", context, status=400)
    messages.success(request, DONE_MESSAGES[action](done) % {"count": done})
    for problem in problems:
        messages.warning(request, problem)
    url = reverse("presence:staff", kwargs={"institution_id": institution_id})
    return redirect(f"{url}?{urlencode({k: v for k, v in query.items() if v})}")


def _wants_json(request: HttpRequest) -> bool:
    """The day view's script asks for JSON: a row's button then answers in place instead of reloading. Read
    from META: `request.headers` would build a dictionary of every header for this one, on every tap."""
    return str(request.META.get("HTTP_ACCEPT", "")).startswith("application/json")


NEXT_ACTIONS = {Status.NOT_PRESENT: "check_in", Status.CHECKED_OUT: "check_in", Status.REPORTED_ABSENT: "check_in"}


def _registration_answer(action: str, done: int, problems: list[str], days: list[Any]) -> HttpResponse:
    """What the script needs to change the rows in place: each child's new status, its label as the row
    shows it, the count it now belongs to and the button the row offers next."""
    if not done:
        return json_answer({"problems": problems}, status=400)
    labels = {"check_in": _("Check in"), "check_out": _("Check out")}
    children = []
    for day in days:
        next_action = "check_out" if day.status in queries.IN_CARE else NEXT_ACTIONS.get(day.status)
        children.append(
            {
                "id": day.child_id,
                "status": day.status,
                "statusClass": status_class(day.status),
                "count": queries.COUNT_KEYS.get(day.status, ""),
                "pill": status_pill(day.status, day),
                "next": {"action": next_action, "label": labels[next_action]} if next_action else None,
            }
        )
    message = DONE_MESSAGES[action](done) % {"count": done}
    return json_answer({"message": message, "problems": problems, "children": children})


# --- A child's day ------------------------------------------------------------------------------------------


def _render_child_day(
    request: HttpRequest, viewer: Viewer, child_id: int, *, problems: list[str] | None = None
) -> HttpResponse:
    today = timezone.localdate()
    day = queries.child_day(viewer, child_id, today)
    context = {
        "day": day,
        "today": today,
        "problems": problems or [],
        "locations": queries.locations_of(day.child.profile.institution_id) if day.may_register else [],
        "settings": queries.settings_for(day.child.profile.institution_id),
        "statuses": [(int(s), queries.STATUS_LABELS[s]) for s in STAFF_STATUSES],
    }
    return render(request, "presence/child_day.html", context, status=400 if problems else 200)


@login_required
def child_day_view(request: HttpRequest, child_id: int) -> HttpResponse:
    return _render_child_day(request, current_viewer(request), child_id)


@login_required
@require_POST
def child_action_view(request: HttpRequest, child_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    if not queries.child_day(viewer, child_id, timezone.localdate()).may_register:
        raise NotFound
    try:
        action, done, problems = _registration(request, viewer, [child_id])
    except InvalidInput as error:
        return _render_child_day(request, viewer, child_id, problems=[error.message])
    if problems:
        return _render_child_day(request, viewer, child_id, problems=problems)
    messages.success(request, DONE_MESSAGES[action](done) % {"count": done})
    return redirect("presence:child_day", child_id=child_id)


# --- Guardians ----------------------------------------------------------------------------------------------


def _week_start(request: HttpRequest, today: date) -> date:
    """The Monday of the week asked for (`uge`), else this week's; at the weekend, next week's."""
    asked = parse_date(request.GET.get("uge"))
    if asked is not None and abs((asked - today).days) <= 400:
        return asked - timedelta(days=asked.weekday())
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(days=7) if today.weekday() >= 5 else monday


def _guardian_page(
    request: HttpRequest, viewer: Viewer, *, problem: tuple[int, str] | None = None, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    monday = _week_start(request, today)
    context = {
        "children": queries.guardian_overview(viewer, today, monday),
        "today": today,
        "monday": monday,
        "previous_week": monday - timedelta(days=7),
        "next_week": monday + timedelta(days=7),
        "problem": problem,
    }
    return render(request, "presence/guardian.html", context, status=status)


@login_required
@require_POST
def report_sick_view(request: HttpRequest, child_id: int) -> HttpResponse:
    """Report the child sick for today (`syg=1`) or undo it (`syg=0`)."""
    viewer = current_viewer(request)
    sick = request.POST.get("syg", "1") != "0"
    try:
        actions.report_sick(viewer, child_id, sick=sick)
    except InvalidInput as error:
        return _guardian_page(request, viewer, problem=(child_id, error.message), status=400)
    messages.success(request, _("The child is reported sick today.") if sick else _("The sick report is undone."))
    return redirect("presence:index")


def _form_error(form: Any, error: InvalidInput) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
def planned_times_view(request: HttpRequest, child_id: int) -> HttpResponse:
    """Set komme/gå-tider for a day (`dato`), once or repeating, and who picks up."""
    viewer = current_viewer(request)
    child = queries.guardian_child(viewer, child_id, "planned_times")
    today = timezone.localdate()
    day = parse_date(request.GET.get("dato")) or today
    planned = queries.planned_on(child, day)
    pickup_names = queries.guardian_names(viewer, child) + [p.name for p in queries.pickup_people(child)]
    go_home_names = queries.go_home_with_choices(viewer, child)
    initial: dict[str, Any] = {"by_date": max(day, today), "repeat": "never", "activity_type": 0}
    if planned is not None:
        initial.update(
            entry_time=planned.entry_time,
            exit_time=planned.exit_time,
            activity_type=planned.activity_type,
            self_decider_start=planned.self_decider_start,
            self_decider_end=planned.self_decider_end,
            comment=planned.comment,
            exit_with=planned.exit_with,
            go_home_with=planned.exit_with,
        )
        names = go_home_names if planned.activity_type == GO_HOME_WITH else pickup_names
        if planned.exit_with and planned.exit_with not in names:
            names.append(planned.exit_with)
    form = PlannedTimesForm(
        request.POST or None, initial=initial, pickup_names=pickup_names, go_home_names=go_home_names
    )
    if request.method == "POST" and form.is_valid():
        try:
            template = actions.save_template(viewer, child.profile.id, **form.action_arguments())
        except InvalidInput as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The planned times are saved."))
            monday = template.by_date - timedelta(days=template.by_date.weekday())
            return redirect(f"{reverse('presence:index')}?{urlencode({'uge': monday.isoformat()})}")
    context = {
        "child": child,
        "form": form,
        "day": day,
        "pickup_list": queries.settings_for(child.profile.institution_id).guardians_pickup,
    }
    return render(request, "presence/planned_times.html", context, status=400 if form.errors else 200)


@login_required
def vacation_view(request: HttpRequest, child_id: int) -> HttpResponse:
    """Register ferie/fri for a period."""
    viewer = current_viewer(request)
    child = queries.guardian_child(viewer, child_id, "vacation")
    today = timezone.localdate()
    form = VacationForm(request.POST or None, initial={"start_date": today, "end_date": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.register_vacation(viewer, child.profile.id, data["start_date"], data["end_date"], data["comment"])
        except InvalidInput as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The vacation is registered."))
            return redirect("presence:vacation", child_id=child.profile.id)
    context = {"child": child, "form": form, "vacations": queries.child_vacations(child, today)}
    return render(request, "presence/vacation.html", context, status=400 if form.errors else 200)


@login_required
def pickup_people_view(request: HttpRequest, child_id: int) -> HttpResponse:
    """The list of people who may pick the child up, kept by the child's guardians."""
    viewer = current_viewer(request)
    child = queries.guardian_child(viewer, child_id, "pickup")
    form = PickupPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_pickup_person(viewer, child.profile.id, form.cleaned_data["name"])
        except InvalidInput as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The name is added."))
            return redirect("presence:pickup_people", child_id=child.profile.id)
    context = {
        "child": child,
        "form": form,
        "people": queries.pickup_people(child),
        "guardians": queries.guardian_names(viewer, child),
    }
    return render(request, "presence/pickup_people.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def remove_pickup_person_view(request: HttpRequest, child_id: int, pickup_id: int) -> HttpResponse:
    actions.remove_pickup_person(current_viewer(request), child_id, pickup_id)
    messages.success(request, _("The name is removed."))
    return redirect("presence:pickup_people", child_id=child_id)
