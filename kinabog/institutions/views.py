"""Pages about people, children and groups. Thin: parse, call a query or action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinabog.accounts.session import current_viewer
from kinabog.accounts.stepup import sensitive
from kinabog.core.errors import NotFound
from kinabog.posts import queries as posts_queries

from . import actions, queries
from .forms import ContactDetailsForm

OVERVIEW_POSTS = 10


@login_required
def overview_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    context = {
        "children": queries.my_children(viewer),
        "profiles": queries.my_profiles(viewer),
        "groups": queries.my_groups(viewer),
        "administered": queries.institutions_administered(viewer),
        "feed": posts_queries.feed(viewer, limit=OVERVIEW_POSTS),
        "may_write_posts": posts_queries.may_write_posts(viewer),
        "moderates": bool(posts_queries.moderated_institution_ids(viewer)),
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


# --- Administration: permission sets and communication blocks ------------------------------------


@login_required
def administration_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    institutions = queries.institutions_administered(viewer)
    municipalities = queries.municipalities_administered(viewer)
    if not institutions and not municipalities:
        raise NotFound
    return render(
        request, "institutions/administration.html", {"institutions": institutions, "municipalities": municipalities}
    )


@login_required
def permissions_view(request: HttpRequest, kind: str, scope_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    scope = queries.get_permission_scope(viewer, kind, scope_id)
    if request.method == "POST":
        wanted: dict[str, set[str]] = {}
        for item in request.POST.getlist("grant"):
            role_key, _sep, permission = item.rpartition("|")
            wanted.setdefault(role_key, set()).add(permission)
        actions.set_permission_matrix(viewer, scope, wanted)
        messages.success(request, _("The permissions are saved."))
        return redirect("institutions:permissions", kind=kind, scope_id=scope_id)
    matrix = queries.permission_matrix(scope)
    rows = [(key, label, matrix[key]) for key, label in queries.ROLE_KEY_LABELS.items()]
    return render(
        request,
        "institutions/permissions.html",
        {"scope": scope, "rows": rows, "permissions": queries.PERMISSION_CHOICES},
    )


@login_required
@require_POST
def message_read_status_view(request: HttpRequest, institution_id: int) -> HttpResponse:
    actions.set_message_read_status(current_viewer(request), institution_id, request.POST.get("visible") == "on")
    messages.success(request, _("The setting is saved."))
    return redirect("institutions:administration")


@login_required
def communication_view(request: HttpRequest, municipality_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    scope = queries.get_permission_scope(viewer, "municipality", municipality_id)
    if request.method == "POST":
        blocked = set()
        for item in request.POST.getlist("block"):
            from_role, _sep, to_role = item.partition("|")
            blocked.add((from_role, to_role))
        actions.set_communication_blocks(viewer, scope.id, blocked)
        messages.success(request, _("The communication rules are saved."))
        return redirect("institutions:communication", municipality_id=scope.id)
    blocked_now = queries.blocked_channels(scope.id)
    roles = queries.PORTAL_ROLE_CHOICES
    rows = [
        (value, label, [(to_value, to_label, (value, to_value) in blocked_now) for to_value, to_label in roles])
        for value, label in roles
    ]
    return render(request, "institutions/communication.html", {"scope": scope, "rows": rows, "roles": roles})
