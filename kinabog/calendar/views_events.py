"""Kalender: creating and editing events and series, inviting individual people, and changing one time of
a series (cancel, move, restore) or deleting an event. Thin: parse, call a query or an action, render.

The people picker works without JavaScript: "Find" posts the form and comes back with the matches as
checkboxes; what was typed into the event form is kept meanwhile.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinabog.accounts.session import current_viewer
from kinabog.core.errors import InvalidInput, NotFound
from kinabog.institutions.access import Viewer

from . import access, actions, attachments, invitee_queries, occurrence_actions, queries, resource_queries
from .forms import EventForm, MoveOccurrenceForm


def parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 19]


# --- Creating and editing -------------------------------------------------------------------------------


@login_required
def create_event_view(request: HttpRequest) -> HttpResponse:
    return _event_form_page(request, None)


@login_required
def edit_event_view(request: HttpRequest, event_id: int) -> HttpResponse:
    return _event_form_page(request, event_id)


def _group_choices(viewer: Viewer, event: Any) -> list[tuple[int, str]]:
    return [
        (g.id, f"{g.name} ({g.institution.name})" if g.institution else g.name)
        for g in queries.event_group_choices(viewer, event)
    ]


def _initial(event: Any) -> dict[str, Any]:
    """The edit form filled from the event; a series shows its first time."""
    return {
        "title": event.title,
        "type": event.type,
        "group": [g.id for g in event.groups.all()],
        "starts_at": timezone.localtime(event.starts_at),
        "ends_at": timezone.localtime(event.ends_at),
        "all_day": event.all_day,
        "place": event.place,
        "description": event.description,
        "response_required": event.response_required,
        "reminder_minutes": event.reminder_minutes,
        "resources": resource_queries.resource_ids_of_event(event),
        "repeat": event.repeat,
        "repeat_interval": event.repeat_interval,
        "repeat_weekdays": queries.weekdays_of(event.repeat_weekdays),
        "repeat_until": event.repeat_until,
    }


def _posted_initial(request: HttpRequest, form: EventForm) -> dict[str, Any]:
    """What was typed, to show again unchecked after a search for people."""
    post = request.POST
    return {
        name: post.getlist(name) if isinstance(field, forms.MultipleChoiceField) else post.get(name)
        for name, field in form.fields.items()
        if name in post
    }


def _event_input(data: dict[str, Any], invitees: list[int]) -> actions.EventInput:
    return actions.EventInput(
        title=data["title"],
        type=data["type"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        all_day=data["all_day"],
        place=data["place"],
        description=data["description"],
        group_ids=tuple(data["group"]),
        invitee_profile_ids=tuple(invitees),
        response_required=data["response_required"],
        reminder_minutes=data.get("reminder_minutes"),
        resource_ids=tuple(data.get("resources") or ()),
        repeat=data["repeat"] or "never",
        repeat_interval=data["repeat_interval"] or 1,
        repeat_weekdays=tuple(data["repeat_weekdays"]),
        repeat_until=data["repeat_until"],
    )


def _attached_choices(event: Any) -> list[tuple[int, str]]:
    """The event's files as "remove" checkboxes of the edit form."""
    if event is None:
        return []
    return [
        (row.id, _("Remove %(name)s (%(size)s)") % {"name": row.name, "size": filesizeformat(row.size)})
        for row in queries.attachments_of(event)
    ]


def _save(viewer: Viewer, event: Any, form: EventForm, invitees: list[int]) -> Any:
    """Create or change the event with its files: all of it is written, or nothing."""
    data = form.cleaned_data
    event_input = _event_input(data, invitees)
    if event is None:
        return attachments.create_event_with_files(viewer, event_input, data["attachments"])
    return attachments.update_event_with_files(
        viewer, event.id, event_input, files=data["attachments"], remove_ids=data.get("remove_attachments") or ()
    )


def _picker(request: HttpRequest, viewer: Viewer, chosen: list[int], searched: bool, error: str) -> dict[str, Any]:
    """Chosen people (checked) and, after "Find", the matches (unchecked)."""
    query = request.POST.get("q", "").strip()[:100] if searched else ""
    chosen_items = invitee_queries.describe_invitees(viewer, chosen)
    known = {c.id for c in chosen_items}
    found = [c for c in invitee_queries.find_invitees(viewer, query) if c.id not in known] if query else []
    return {"chosen": chosen_items, "found": found, "query": query, "searched": searched, "error": error}


def _event_form_page(request: HttpRequest, event_id: int | None) -> HttpResponse:
    viewer = current_viewer(request)
    event = queries.get_editable_event(viewer, event_id) if event_id is not None else None
    if event is None and not access.can_create_events(viewer):
        raise NotFound
    posted = request.method == "POST"
    searched = posted and request.POST.get("action") == "search"
    if posted:
        chosen = _ids(request.POST.getlist("invitee"))
    else:
        chosen = invitee_queries.individual_invitee_ids(event) if event is not None else []
    choices = {
        "groups": _group_choices(viewer, event),
        "resources": resource_queries.bookable_choices(viewer, event),
        "attached": _attached_choices(event),
    }
    if searched:
        form = EventForm(initial=_posted_initial(request, EventForm(**choices)), **choices)
    elif posted:
        form = EventForm(request.POST, request.FILES, **choices)
    else:
        form = EventForm(initial=_initial(event) if event is not None else None, **choices)
    picker_error = ""
    if posted and not searched and form.is_valid():
        try:
            saved = _save(viewer, event, form, chosen)
        except InvalidInput as error:
            if error.field == "invitees":
                picker_error = error.message
            else:
                form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The event is created.") if event is None else _("The event is saved."))
            return redirect("calendar:event", saved.id)
    context = {
        "form": form,
        "event": event,
        "picker": _picker(request, viewer, chosen, searched, picker_error),
        "failed": posted and not searched,
        # Browsers do not send chosen files again: say so when some were chosen.
        "files_dropped": posted and bool(request.FILES.getlist("attachments")),
    }
    return render(request, "calendar/event_form.html", context, status=400 if posted and not searched else 200)


# --- One time of a series ----------------------------------------------------------------------------------


def _when(occurrence: Any) -> str:
    start = timezone.localtime(occurrence.starts_at)
    if occurrence.event.all_day:
        return date_format(start, "l j. F Y")
    return f"{date_format(start, 'l j. F Y')} {start:%H:%M}–{timezone.localtime(occurrence.ends_at):%H:%M}"


@login_required
def cancel_occurrence_view(request: HttpRequest, event_id: int) -> HttpResponse:
    """ "Aflys denne gang": a confirmation page for the date in ?dato=, then the cancellation."""
    viewer = current_viewer(request)
    event, exceptions = queries.get_managed_series(viewer, event_id)
    source = request.POST if request.method == "POST" else request.GET
    day = parse_date(source.get("dato"))
    occurrence = queries.occurrence_on(event, exceptions, day)
    error = ""
    if request.method == "POST":
        try:
            if occurrence is None or day is None:
                raise InvalidInput(_("The series has no time on that date."), field="occurrence_date")
            occurrence_actions.cancel_occurrence(viewer, event.id, day)
        except InvalidInput as invalid:
            error = invalid.message
        else:
            messages.success(request, _("The time %(when)s is cancelled.") % {"when": _when(occurrence)})
            return redirect("calendar:event", event.id)
    elif occurrence is None:
        raise NotFound
    context = {
        "event": event,
        "occurrence": occurrence,
        "when": _when(occurrence) if occurrence else "",
        "error": error,
    }
    return render(request, "calendar/occurrence_cancel.html", context, status=400 if error else 200)


@login_required
def move_occurrence_view(request: HttpRequest, event_id: int) -> HttpResponse:
    """ "Flyt denne gang": a new start and end for the date in ?dato=."""
    viewer = current_viewer(request)
    event, exceptions = queries.get_managed_series(viewer, event_id)
    posted = request.method == "POST"
    day = parse_date((request.POST if posted else request.GET).get("dato"))
    occurrence = queries.occurrence_on(event, exceptions, day)
    if occurrence is None and not posted:
        raise NotFound
    initial = {}
    if occurrence is not None:
        initial = {
            "starts_at": timezone.localtime(occurrence.starts_at),
            "ends_at": timezone.localtime(occurrence.ends_at),
        }
    form = MoveOccurrenceForm(request.POST if posted else None, initial=initial)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            if occurrence is None or day is None:
                raise InvalidInput(_("The series has no time on that date."), field="occurrence_date")
            occurrence_actions.move_occurrence(viewer, event.id, day, data["starts_at"], data["ends_at"])
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The time is moved."))
            return redirect("calendar:event", event.id)
    context = {
        "event": event,
        "occurrence": occurrence,
        "day": day,
        "when": _when(occurrence) if occurrence else "",
        "form": form,
    }
    return render(request, "calendar/occurrence_move.html", context, status=400 if posted else 200)


@login_required
@require_POST
def restore_occurrence_view(request: HttpRequest, event_id: int) -> HttpResponse:
    """Give a cancelled or moved time back its series time."""
    day = parse_date(request.POST.get("dato"))
    if day is None:
        raise NotFound
    try:
        occurrence_actions.restore_occurrence(current_viewer(request), event_id, day)
    except InvalidInput as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The time on %(date)s is as in the series again.") % {"date": date_format(day)})
    return redirect("calendar:event", event_id)


# --- Deleting -----------------------------------------------------------------------------------------------


@login_required
def delete_event_view(request: HttpRequest, event_id: int) -> HttpResponse:
    """A confirmation page; the event (a series with all its times) is deleted on POST."""
    viewer = current_viewer(request)
    event = queries.get_managed_event(viewer, event_id)
    if request.method == "POST":
        actions.delete_event(viewer, event.id)
        messages.success(request, _("The event “%(title)s” is deleted.") % {"title": event.title})
        return redirect("calendar:week")
    context = {"event": event, "series": queries.series_view(event)}
    return render(request, "calendar/event_delete.html", context)
