"""Lokaler og udstyr: administration for an institution's administrators, and a resource's week of bookings.

Thin: parse, call a query or an action, render.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinabog.accounts.session import current_viewer
from kinabog.core.errors import InvalidInput

from . import access, queries, resource_actions, resource_queries
from .forms_resources import ResourceForm


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _monday(value: str | None) -> date:
    try:
        day = date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    if not queries.readable_year(day.year):
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


def _list_url(institution_id: int) -> str:
    return f"{reverse('calendar:resources')}?institution={institution_id}"


def _input(form: ResourceForm) -> resource_actions.ResourceInput:
    data = form.cleaned_data
    return resource_actions.ResourceInput(
        name=data["name"], kind=data["kind"], capacity=data["capacity"], description=data["description"]
    )


def _form_error(form: ResourceForm, error: InvalidInput) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
def resources_view(request: HttpRequest) -> HttpResponse:
    """The rooms and equipment of one administered institution, and a form to add one."""
    viewer = current_viewer(request)
    administration = resource_queries.resource_administration(viewer, _int(request.GET.get("institution")))
    institution = administration.institution
    form = ResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resource = resource_actions.create_resource(viewer, institution.id, _input(form))
        except InvalidInput as error:
            _form_error(form, error)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": resource.name})
            return redirect(_list_url(institution.id))
    context = {"administration": administration, "institution": institution, "form": form}
    return render(request, "calendar/resources.html", context, status=400 if form.errors else 200)


@login_required
def edit_resource_view(request: HttpRequest, resource_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    resource = resource_queries.get_administered_resource(viewer, resource_id)
    initial = {
        "name": resource.name,
        "kind": resource.kind,
        "capacity": resource.capacity,
        "description": resource.description,
    }
    form = ResourceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            resource_actions.update_resource(viewer, resource.id, _input(form))
        except InvalidInput as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect(_list_url(resource.institution_id))
    context = {"resource": resource, "form": form}
    return render(request, "calendar/resource_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def resource_active_view(request: HttpRequest, resource_id: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    resource = resource_actions.set_resource_active(current_viewer(request), resource_id, active)
    if active:
        messages.success(request, _("%(name)s can be booked again.") % {"name": resource.name})
    else:
        messages.success(
            request,
            _("%(name)s is deactivated. Its bookings remain, but it cannot be booked.") % {"name": resource.name},
        )
    return redirect(_list_url(resource.institution_id))


@login_required
@require_POST
def delete_resource_view(request: HttpRequest, resource_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    institution_id = resource_queries.get_administered_resource(viewer, resource_id).institution_id
    try:
        name = resource_actions.delete_resource(viewer, resource_id)
    except InvalidInput as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is deleted.") % {"name": name})
    return redirect(_list_url(institution_id))


@login_required
def resource_week_view(request: HttpRequest, resource_id: int) -> HttpResponse:
    """A resource's bookings, one week at a time: when, booked by whom, and for what if the viewer may know."""
    viewer = current_viewer(request)
    resource = resource_queries.get_visible_resource(viewer, resource_id)
    monday = _monday(request.GET.get("uge"))
    context = {
        "resource": resource,
        "kind": resource_queries.kind_label(resource.kind),
        "days": resource_queries.resource_week(viewer, resource, monday),
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
        "today": timezone.localdate(),
        "administers": access.can_administer_resources(
            viewer, resource.institution_id, resource.institution.municipality_id
        ),
    }
    return render(request, "calendar/resource_week.html", context)
