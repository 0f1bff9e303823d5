"""Kalender: the week page, events, samtaler (slots for staff, booking for guardians) and the iCal feed.

Thin: parse, call a query or an action, render.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kinabog.accounts.session import current_viewer
from kinabog.core.errors import InvalidInput, NotFound
from kinabog.core.files import IMAGE_TYPES

from . import access, actions, feed, queries, reminders, resource_queries, slot_actions, views_browse
from .forms import ConferenceForm
from .views_events import parse_date


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _monday(value: str | None) -> date:
    try:
        day = date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


@login_required
def week_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    monday = _monday(request.GET.get("uge"))
    context = {
        "days": queries.week(viewer, monday),
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
        "today": timezone.localdate(),
        "may_create": access.can_create_events(viewer),
        **views_browse.own_switcher("uge", monday, monday + timedelta(days=6)),
    }
    return render(request, "calendar/week.html", context)


def _group_choices(request: HttpRequest) -> list[tuple[int, str]]:
    viewer = current_viewer(request)
    return [
        (g.id, f"{g.name} ({g.institution.name})" if g.institution else g.name)
        for g in queries.my_groups_for_events(viewer)
    ]


@login_required
def event_view(request: HttpRequest, event_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    event = queries.get_event(viewer, event_id)
    manages = access.can_manage_event(viewer, event)
    files = queries.attachments_of(event)
    context = {
        "event": event,
        # Pictures are shown in the page; other files are links to download.
        "images": [f for f in files if f.content_type in IMAGE_TYPES],
        "files": [f for f in files if f.content_type not in IMAGE_TYPES],
        "invitations": queries.invitations(viewer, event),
        "manages": manages,
        "counts": queries.answer_counts(event) if manages else None,
        "is_conference": queries.is_conference(event),
        "resources": resource_queries.resources_of_event(event),
        "may_see_resources": access.can_see_resources(viewer, event.institution_id, event.institution.municipality_id),
        # Repetition in words, the next times and (for staff) the changed ones; ?dato= picks one time.
        "series": queries.series_view(event, parse_date(request.GET.get("dato"))),
        "may_edit": queries.may_edit(viewer, event),
        "may_remind": manages and not reminders.is_over(event),
        "reminder": dict(queries.REMINDER_CHOICES).get(event.reminder_minutes) if event.reminder_minutes else None,
    }
    return render(request, "calendar/event.html", context)


@login_required
def attachment_view(request: HttpRequest, attachment_id: int) -> FileResponse:
    """An event's file for people who see the event (404 for everyone else). Pictures open in the browser."""
    row = queries.open_attachment(current_viewer(request), attachment_id)
    try:
        stored = row.file.open("rb")
    except OSError:  # the row without its stored file: nothing to give
        raise NotFound from None
    response = FileResponse(
        stored,
        as_attachment=row.content_type not in IMAGE_TYPES,
        filename=row.name,
        content_type=row.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def answer_view(request: HttpRequest, event_id: int, invitation_id: int) -> HttpResponse:
    try:
        actions.answer(current_viewer(request), event_id, invitation_id, request.POST.get("response", ""))
    except InvalidInput as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your answer is saved."))
    return redirect("calendar:event", event_id)


@login_required
@require_POST
def remind_view(request: HttpRequest, event_id: int) -> HttpResponse:
    """Staff: remind those who have not answered (each at most once a day)."""
    try:
        count = reminders.remind_unanswered(current_viewer(request), event_id)
    except InvalidInput as error:
        messages.error(request, error.message)
    else:
        if count:
            text = ngettext("%(count)d reminder is sent.", "%(count)d reminders are sent.", count)
            messages.success(request, text % {"count": count})
        else:
            messages.info(request, _("Nobody was reminded: everyone has answered or was reminded today."))
    return redirect("calendar:event", event_id)


# --- Samtaler -------------------------------------------------------------------------------------------


@login_required
def create_conference_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    if not access.can_create_events(viewer):
        raise NotFound
    form = ConferenceForm(request.POST or None, groups=_group_choices(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = actions.publish_conference(
                viewer,
                actions.ConferenceInput(
                    title=data["title"],
                    group_id=data["group"],
                    day=data["day"],
                    first_start=data["first_start"],
                    last_end=data["last_end"],
                    slot_minutes=data["slot_minutes"],
                    break_minutes=data["break_minutes"] or 0,
                    meetings_between_breaks=data["meetings_between_breaks"] or 0,
                    location=data["location"],
                    booking_deadline=data["booking_deadline"],
                    description=data["description"],
                ),
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The meeting times are published."))
            return redirect("calendar:slots", event.id)
    return render(request, "calendar/conference_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def slots_view(request: HttpRequest, event_id: int) -> HttpResponse:
    """Staff: every slot with its booking, the children not yet booked, booking on a family's behalf."""
    viewer = current_viewer(request)
    event = queries.get_conference(viewer, event_id)
    if not access.can_manage_event(viewer, event):
        raise NotFound
    if request.method == "POST":
        if request.POST.get("action") in ("block", "unblock"):
            _block_or_unblock(request, event.id)
        else:
            _book_or_cancel(request, event.id)
        return redirect("calendar:slots", event.id)
    overview = queries.conference_overview(viewer, event)
    return render(request, "calendar/slots.html", {"event": event, "overview": overview})


@login_required
def book_view(request: HttpRequest, event_id: int) -> HttpResponse:
    """Guardians: book, move or cancel a time for each child until the deadline."""
    viewer = current_viewer(request)
    event = queries.get_conference(viewer, event_id)
    if request.method == "POST":
        _book_or_cancel(request, event.id)
        return redirect("calendar:book", event.id)
    context = {
        "event": event,
        "children": queries.my_children_to_book(viewer, event),
        "slots": queries.slots_of(event),
        "past_deadline": queries.is_past_deadline(event),
    }
    return render(request, "calendar/book.html", context)


def _book_or_cancel(request: HttpRequest, event_id: int) -> None:
    viewer = current_viewer(request)
    child_id = _int(request.POST.get("child"))
    if child_id is None:
        raise NotFound
    try:
        if request.POST.get("action") == "cancel":
            actions.cancel_booking(viewer, event_id, child_id)
            messages.success(request, _("The booking is cancelled."))
        else:
            slot_id = _int(request.POST.get("slot"))
            if slot_id is None:
                raise InvalidInput(_("Choose a time."), field="slot")
            actions.book(viewer, event_id, slot_id, child_id)
            messages.success(request, _("The time is booked."))
    except InvalidInput as error:
        messages.error(request, error.message)


def _block_or_unblock(request: HttpRequest, event_id: int) -> None:
    """Staff: a blocked time is not offered to families; unblocking offers it again."""
    viewer = current_viewer(request)
    slot_id = _int(request.POST.get("slot"))
    if slot_id is None:
        raise NotFound
    try:
        if request.POST.get("action") == "block":
            slot_actions.block_slot(viewer, event_id, slot_id)
            messages.success(request, _("The time is blocked. Families cannot book it."))
        else:
            slot_actions.unblock_slot(viewer, event_id, slot_id)
            messages.success(request, _("The time is offered to the families again."))
    except InvalidInput as error:
        messages.error(request, error.message)


# --- iCal -----------------------------------------------------------------------------------------------


@login_required
def feed_settings_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            actions.revoke_feed_token(viewer)
            messages.success(request, _("The subscription address no longer works."))
        else:
            actions.regenerate_feed_token(viewer)
            messages.success(request, _("You have a new subscription address. The old one no longer works."))
        return redirect("calendar:feed_settings")
    token = queries.my_feed_token(viewer)
    url = request.build_absolute_uri(reverse("calendar:ical", args=[token.token])) if token else ""
    return render(request, "calendar/feed_settings.html", {"feed_url": url})


@require_GET
@never_cache
def ical_view(request: HttpRequest, token: str) -> HttpResponse:
    viewer = queries.viewer_for_feed(token)
    response = HttpResponse(feed.feed(viewer, request.get_host()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kinabog.ics"'
    return response
