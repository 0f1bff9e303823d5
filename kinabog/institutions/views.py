"""Pages about people, children and groups. Thin: parse, call a query or action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kinabog.accounts.session import current_viewer
from kinabog.accounts.stepup import sensitive

from . import actions, queries
from .forms import ContactDetailsForm


@login_required
def overview_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    context = {
        "children": queries.my_children(viewer),
        "profiles": queries.my_profiles(viewer),
        "groups": queries.my_groups(viewer),
        "administered": queries.institutions_administered(viewer),
    }
    return render(request, "institutions/overview.html", context)


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    person = queries.own_person(viewer)
    form = ContactDetailsForm(request.POST or None, instance=person)
    if request.method == "POST":
        if form.is_valid():
            actions.update_own_contact_details(viewer, form.cleaned_data)
            messages.success(request, _("Your contact details are saved."))
            return redirect("institutions:profile")
        # Nothing is written when the form has errors; the instance is reloaded for display.
        form.instance.refresh_from_db()
    context = {"person": person, "form": form, "profiles": queries.my_profiles(viewer)}
    return render(request, "institutions/profile.html", context, status=400 if form.errors else 200)


@login_required
def child_view(request: HttpRequest, child_id: int) -> HttpResponse:
    child = queries.get_child(current_viewer(request), child_id)
    return render(request, "institutions/child.html", {"child": child})


@login_required
@sensitive
def child_supplementary_view(request: HttpRequest, child_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    child = queries.get_child(viewer, child_id)
    data = actions.read_supplementary_data(viewer, child_id, reason="child page")
    return render(request, "institutions/supplementary.html", {"child": child, "data": data})


@login_required
def group_view(request: HttpRequest, group_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    group = queries.get_group(viewer, group_id)
    members = queries.group_members(viewer, group)
    return render(request, "institutions/group.html", {"group": group, "members": members})
