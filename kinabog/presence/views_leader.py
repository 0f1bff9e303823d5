"""Leader pages of komme/gå: occupancy (belægning), staff shifts, vacation requests, exports, integrations.

Also the guardian's side of vacation requests: the list of requests and the answer page per child.
Thin: parse, call a query or an action, render.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kinabog.accounts.session import current_viewer
from kinabog.core.errors import InvalidInput, NotFound

from . import access, exports, feed, occupancy, shifts, vacation_requests
from .forms_leader import (
    ExportForm,
    FeedKeyForm,
    ShiftForm,
    VacationAnswerForm,
    VacationRequestForm,
    WebhookForm,
)

BAR_STEP = 5  # bar widths in steps of 5 %: the stylesheet has a class for each (no inline styles under the CSP)


def _form_error(form: forms.Form, error: InvalidInput) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _date_param(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _int_param(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


# --- The leader's start page ---------------------------------------------------------------------------------


@login_required
def leader_view(request: HttpRequest) -> HttpResponse:
    """The institutions the viewer has overviews for, with what they may do at each."""
    viewer = current_viewer(request)
    places = [
        {
            "institution": institution,
            "requests": vacation_requests.may_handle(viewer, institution.id),
            "shifts": shifts.may_plan(viewer, institution.id),
            "exports": access.can_export(viewer, institution.id),
            "integrations": feed.may_manage(viewer, institution.id),
        }
        for institution in occupancy.overview_institutions(viewer)
    ]
    if not places:
        raise NotFound
    return render(request, "presence/leader/index.html", {"places": places})


# --- Occupancy -------------------------------------------------------------------------------------------------


def _width(value: int | None, scale: int) -> int:
    if not value:
        return 0
    return max(BAR_STEP, round(value * 100 / scale / BAR_STEP) * BAR_STEP)


@login_required
def occupancy_view(request: HttpRequest, institution_id: int) -> HttpResponse:
    """Expected and actual children per half hour, for a day or a week; children per adult where known."""
    viewer = current_viewer(request)
    today = timezone.localdate()
    chosen = _date_param(request.GET.get("dato"), today)
    week = request.GET.get("visning", "uge") != "dag"
    start, end = (_monday(chosen), _monday(chosen) + timedelta(days=6)) if week else (chosen, chosen)
    result = occupancy.occupancy(viewer, institution_id, start, end, _int_param(request.GET.get("gruppe")))
    scale = result.scale
    chart = [
        {
            "day": day,
            "slots": [
                {"slot": s, "expected_w": _width(s.expected, scale), "actual_w": _width(s.actual, scale)}
                for s in day.slots
            ],
        }
        for day in result.days
        if day.is_open or day.slots
    ]
    grid = [
        {
            "label": f"{start_time:%H:%M}–{end_time:%H:%M}",
            "cells": [{"slot": c, "expected_w": _width(c.expected, scale)} if c else None for c in cells],
        }
        for (start_time, end_time), cells in result.rows()
    ]
    step = timedelta(days=7 if week else 1)
    context = {
        "occ": result,
        "chart": chart,
        "grid": grid,
        "week": week,
        "chosen": chosen,
        "previous": chosen - step,
        "next": chosen + step,
        "today": today,
        "may_plan": shifts.may_plan(viewer, institution_id),
    }
    return render(request, "presence/leader/occupancy.html", context)


# --- Shifts ----------------------------------------------------------------------------------------------------


@login_required
def shifts_view(request: HttpRequest, institution_id: int) -> HttpResponse:
    """The week's shifts, a form to add one, and copying the week to the next."""
    viewer = current_viewer(request)
    institution = occupancy.overview_institution(viewer, institution_id)
    monday = _monday(_date_param(request.GET.get("uge"), timezone.localdate()))
    people = shifts.staff_people(viewer, institution_id)  # NotFound unless the viewer plans shifts
    _children, groups, _group = occupancy.visible_children(viewer, institution, None)
    form = ShiftForm(request.POST or None, people=people, groups=groups, initial={"date": monday})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                shifts.add_shift(
                    viewer,
                    institution_id,
                    person_id=data["person"],
                    day=data["date"],
                    start=data["start"],
                    end=data["end"],
                    group_id=data["group"],
                )
            except InvalidInput as error:
                _form_error(form, error)
            else:
                messages.success(request, _("The shift is added."))
                return redirect(f"{request.path}?uge={_monday(data['date']).isoformat()}")
        status = 400
    context = {
        "institution": institution,
        "form": form,
        "shifts": shifts.shifts_between(viewer, institution_id, monday, monday + timedelta(days=6)),
        "monday": monday,
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
    }
    return render(request, "presence/leader/shifts.html", context, status=status)


@login_required
@require_POST
def delete_shift_view(request: HttpRequest, institution_id: int, shift_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    shifts.delete_shift(viewer, shift_id)
    messages.success(request, _("The shift is deleted."))
    week = _date_param(request.POST.get("uge"), timezone.localdate())
    return redirect(f"{reverse('presence:shifts', args=[institution_id])}?uge={week.isoformat()}")


@login_required
@require_POST
def copy_shifts_view(request: HttpRequest, institution_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    monday = _monday(_date_param(request.POST.get("uge"), timezone.localdate()))
    count = shifts.copy_week(viewer, institution_id, monday)
    messages.success(
        request, ngettext("%(count)d shift is copied.", "%(count)d shifts are copied.", count) % {"count": count}
    )
    following = (monday + timedelta(days=7)).isoformat()
    return redirect(f"{reverse('presence:shifts', args=[institution_id])}?uge={following}")


# --- Vacation requests: staff -------------------------------------------------------------------------------------


@login_required
def vacation_requests_view(request: HttpRequest, institution_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    institution = occupancy.overview_institution(viewer, institution_id)
    requests = vacation_requests.requests_for_institution(viewer, institution_id)
    return render(
        request,
        "presence/leader/vacation_requests.html",
        {"institution": institution, "requests": requests, "today": timezone.localdate()},
    )


@login_required
def vacation_request_create_view(request: HttpRequest, institution_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    groups = vacation_requests.choosable_groups(viewer, institution_id)  # NotFound unless staff there
    institution = occupancy.overview_institution(viewer, institution_id)
    form = VacationRequestForm(request.POST or None, groups=groups)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = vacation_requests.create_request(
                    viewer,
                    institution_id,
                    title=data["title"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    deadline=data["deadline"],
                    note=data["note"],
                    group_ids=data["groups"],
                    presence_times_required=data["presence_times_required"],
                )
            except InvalidInput as error:
                _form_error(form, error)
            else:
                messages.success(request, _("The request is sent to the guardians."))
                return redirect("presence:vacation_request", request_id=created.id)
        return render(
            request,
            "presence/leader/vacation_request_form.html",
            {"form": form, "institution": institution},
            status=400,
        )
    return render(request, "presence/leader/vacation_request_form.html", {"form": form, "institution": institution})


@login_required
def vacation_request_view(request: HttpRequest, request_id: int) -> HttpResponse:
    """The answers: per child and day, who has not answered, and how many come each day."""
    viewer = current_viewer(request)
    answers = vacation_requests.request_answers(viewer, request_id)
    context = {
        "answers": answers,
        "request_obj": answers.request,
        "deadline_passed": timezone.localdate() > answers.request.deadline,
    }
    return render(request, "presence/leader/vacation_request.html", context)


@login_required
@require_POST
def vacation_remind_view(request: HttpRequest, request_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    try:
        count = vacation_requests.send_reminder(viewer, request_id)
    except InvalidInput as error:
        messages.error(request, error.message)
    else:
        if count:
            messages.success(
                request,
                ngettext("%(count)d guardian is reminded.", "%(count)d reminders are sent.", count) % {"count": count},
            )
        else:
            messages.info(request, _("Nobody was reminded: everyone has answered or was reminded today."))
    return redirect("presence:vacation_request", request_id=request_id)


# --- Vacation requests: guardians ----------------------------------------------------------------------------------


@login_required
def guardian_vacation_requests_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    rows = vacation_requests.requests_for_guardian(viewer)
    return render(request, "presence/leader/guardian_requests.html", {"rows": rows})


@login_required
def vacation_answer_view(request: HttpRequest, request_id: int, child_id: int) -> HttpResponse:
    """A guardian answers a request for one child, day by day, until the deadline."""
    viewer = current_viewer(request)
    found = vacation_requests.get_request_for_guardian(viewer, request_id, child_id)
    form = VacationAnswerForm(
        request.POST or None,
        days=found.days,
        answers=found.answers,
        times_required=found.request.presence_times_required,
        initial={"comment": found.response.comment if found.response else ""},
    )
    if request.method == "POST":
        if not found.is_editable:
            form.is_valid()
            form.add_error(None, _("The deadline has passed. Contact the institution to change the answer."))
        elif form.is_valid():
            try:
                vacation_requests.answer_request(
                    viewer, request_id, child_id, form.answers(), form.cleaned_data["comment"]
                )
            except InvalidInput as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Thank you. The answer is saved."))
                return redirect("presence:guardian_vacation_requests")
        status = 400
    else:
        status = 200
    return render(request, "presence/leader/vacation_answer.html", {"found": found, "form": form}, status=status)


# --- Exports -----------------------------------------------------------------------------------------------------


@login_required
def exports_view(request: HttpRequest, institution_id: int) -> HttpResponse:
    """The export form; with `format` (xlsx or csv) the file itself."""
    viewer = current_viewer(request)
    if institution_id not in {i.id for i in exports.export_institutions(viewer)}:
        raise NotFound
    institution = occupancy.overview_institution(viewer, institution_id)
    _children, groups, _group = occupancy.visible_children(viewer, institution, None)
    today = timezone.localdate()
    wanted = request.GET.get("format")
    initial = {"start": _monday(today) - timedelta(days=28), "end": today}
    form = ExportForm(request.GET if wanted else None, groups=groups, initial=initial)
    if wanted in ("xlsx", "csv") and form.is_valid():
        data = form.cleaned_data
        kinds = exports.KINDS if wanted == "xlsx" else (data["kind"],)
        try:
            export = exports.build_export(
                viewer, institution_id, data["start"], data["end"], group_id=data["group"], kinds=kinds
            )
        except InvalidInput as error:
            _form_error(form, error)
        else:
            return _download(export, wanted, data["kind"])
    status = 400 if form.errors else 200
    return render(request, "presence/leader/exports.html", {"institution": institution, "form": form}, status=status)


def _download(export: exports.Export, wanted: str, kind: str) -> HttpResponse:
    if wanted == "xlsx":
        response = HttpResponse(
            exports.as_xlsx(export),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = export.filename("xlsx")
    else:
        response = HttpResponse(exports.as_csv(export.tables[0]), content_type="text/csv; charset=utf-8")
        name = export.filename("csv", kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Integrations: feed keys and webhooks ---------------------------------------------------------------------------


@login_required
def integrations_view(request: HttpRequest, institution_id: int) -> HttpResponse:
    """Keys for the check-in feed and webhooks; a new key or secret is shown once, on this answer only."""
    viewer = current_viewer(request)
    keys = feed.keys_for(viewer, institution_id)  # NotFound unless an administrator there
    institution = occupancy.overview_institution(viewer, institution_id)
    posted = request.POST.get("section") if request.method == "POST" else None
    key_form = FeedKeyForm(request.POST if posted == "key" else None, prefix="key")
    webhook_form = WebhookForm(request.POST if posted == "webhook" else None, prefix="webhook")
    shown: dict[str, Any] = {}
    status = 200
    if posted == "key" and key_form.is_valid():
        try:
            _key, shown["key"] = feed.create_key(viewer, institution_id, key_form.cleaned_data["name"])
        except InvalidInput as error:
            _form_error(key_form, error)
    elif posted == "webhook" and webhook_form.is_valid():
        try:
            shown["webhook"], shown["secret"] = feed.create_webhook(
                viewer, institution_id, webhook_form.cleaned_data["url"]
            )
        except InvalidInput as error:
            _form_error(webhook_form, error)
    if key_form.errors or webhook_form.errors:
        status = 400
    if shown:
        keys = feed.keys_for(viewer, institution_id)
    context = {
        "institution": institution,
        "keys": keys,
        "webhooks": feed.webhooks_for(viewer, institution_id),
        "deliveries": feed.recent_deliveries(viewer, institution_id),
        "key_form": key_form,
        "webhook_form": webhook_form,
        "shown": shown,
        "feed_url": request.build_absolute_uri(reverse("presence:feed_events")),
    }
    response = render(request, "presence/leader/integrations.html", context, status=status)
    response["Cache-Control"] = "no-store"  # a page that shows a secret is never cached
    return response


@login_required
@require_POST
def revoke_key_view(request: HttpRequest, institution_id: int, key_id: int) -> HttpResponse:
    feed.revoke_key(current_viewer(request), key_id)
    messages.success(request, _("The key no longer works."))
    return redirect("presence:integrations", institution_id=institution_id)


@login_required
@require_POST
def deactivate_webhook_view(request: HttpRequest, institution_id: int, webhook_id: int) -> HttpResponse:
    feed.deactivate_webhook(current_viewer(request), webhook_id)
    messages.success(request, _("Nothing more is sent to the webhook."))
    return redirect("presence:integrations", institution_id=institution_id)
