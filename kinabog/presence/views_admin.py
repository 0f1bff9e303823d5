"""Komme/gå setup for an institution's administrators: opening hours, closed days, places, modules, screens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kinabog.accounts.session import current_viewer
from kinabog.core.errors import InvalidInput
from kinabog.institutions.access import Viewer

from . import actions, queries
from .forms import KioskForm, LocationForm, OpeningHoursForm, PresenceSettingsForm, SpecialDayForm

SECTIONS = ("hours", "special", "location", "settings")


def _form_error(form: forms.Form, error: InvalidInput) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _setup_forms(setup: queries.InstitutionSetup, posted: str, data: Any) -> dict[str, forms.Form]:
    """One form per section; only the posted section is bound to the request's data."""
    return {
        "hours": OpeningHoursForm(
            data if posted == "hours" else None, initial=OpeningHoursForm.initial_from(setup.hours), prefix="hours"
        ),
        "special": SpecialDayForm(data if posted == "special" else None, prefix="special"),
        "location": LocationForm(data if posted == "location" else None, prefix="location"),
        "settings": PresenceSettingsForm(
            data if posted == "settings" else None,
            initial=PresenceSettingsForm.initial_from(setup.settings),
            prefix="settings",
        ),
    }


def _save_section(viewer: Viewer, institution_id: int, section: str, form: Any) -> str:
    """Save one valid section; returns the message to show."""
    if section == "hours":
        actions.set_opening_hours(viewer, institution_id, form.hours())
        return _("The opening hours are saved.")
    if section == "special":
        data = form.cleaned_data
        count = actions.save_special_days(
            viewer,
            institution_id,
            start=data["start_date"],
            end=data.get("end_date"),
            name=data.get("name", ""),
            closed=data["closed"],
            opens=data.get("opens"),
            closes=data.get("closes"),
        )
        return ngettext("%(count)d day is saved.", "%(count)d days are saved.", count) % {"count": count}
    if section == "location":
        actions.add_location(viewer, institution_id, form.cleaned_data["name"])
        return _("The place is added.")
    actions.update_presence_settings(
        viewer, institution_id, {name: form.cleaned_data[name] for name in queries.SETTINGS_FIELDS}
    )
    return _("The settings are saved.")


@login_required
def setup_view(request: HttpRequest, institution_id: int) -> HttpResponse:
    """Opening hours, closed days, places and the modules guardians may use; each section is its own form."""
    viewer = current_viewer(request)
    setup = queries.institution_setup(viewer, institution_id, timezone.localdate())
    section = request.POST.get("section", "") if request.method == "POST" else ""
    if request.method == "POST" and section not in SECTIONS:
        section = ""
    setup_forms = _setup_forms(setup, section, request.POST)
    failed = request.method == "POST"
    if section:
        form = setup_forms[section]
        if form.is_valid():
            try:
                message = _save_section(viewer, setup.institution.id, section, form)
            except InvalidInput as error:
                _form_error(form, error)
            else:
                messages.success(request, message)
                return redirect("presence:setup", institution_id=setup.institution.id)
    context = {"setup": setup, "forms": setup_forms, "failed_section": section if failed else ""}
    return render(request, "presence/setup.html", context, status=400 if failed else 200)


@login_required
@require_POST
def delete_special_day_view(request: HttpRequest, institution_id: int, special_day_id: int) -> HttpResponse:
    actions.delete_special_day(current_viewer(request), institution_id, special_day_id)
    messages.success(request, _("The day is removed."))
    return redirect("presence:setup", institution_id=institution_id)


@login_required
@require_POST
def remove_location_view(request: HttpRequest, institution_id: int, location_id: int) -> HttpResponse:
    actions.remove_location(current_viewer(request), institution_id, location_id)
    messages.success(request, _("The place is removed."))
    return redirect("presence:setup", institution_id=institution_id)


# --- Kiosk screens ----------------------------------------------------------------------------------------


@login_required
def kiosks_view(request: HttpRequest, institution_id: int) -> HttpResponse:
    """Create a screen (its pairing code is shown once, here) and see the institution's screens."""
    viewer = current_viewer(request)
    institution = queries.kiosk_institution(viewer, institution_id)
    groups = queries.children_groups(institution.id)
    form = KioskForm(request.POST or None, group_choices=[(g.id, g.name) for g in groups])
    created = code = None
    if request.method == "POST" and form.is_valid():
        try:
            created, code = actions.create_kiosk(
                viewer, institution.id, form.cleaned_data["name"], form.cleaned_data["groups"]
            )
        except InvalidInput as error:
            _form_error(form, error)
        else:
            form = KioskForm(group_choices=[(g.id, g.name) for g in groups])
    context = {
        "institution": institution,
        "form": form,
        "created": created,
        "code": code,
        "minutes": actions.PAIRING_MINUTES,
        "screens": queries.kiosk_screens(viewer, institution.id),
        "now": timezone.now(),
    }
    response = render(request, "presence/kiosks.html", context, status=400 if form.errors else 200)
    if code:
        response["Cache-Control"] = "no-store"  # the one-time code must not stay in a cache
    return response


@login_required
@require_POST
def revoke_kiosk_view(request: HttpRequest, institution_id: int, device_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    queries.kiosk_institution(viewer, institution_id)
    actions.revoke_kiosk(viewer, device_id)
    messages.success(request, _("The screen is revoked. It shows the pairing page from now on."))
    return redirect("presence:kiosks", institution_id=institution_id)
