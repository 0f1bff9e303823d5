"""Notification pages: the list with deep links, marking as seen, and e-mail settings. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinabog.accounts.session import current_viewer

from . import actions, queries
from .forms import DeliveryForm

MAX_PAGE = 500


def _page_number(request: HttpRequest) -> int:
    try:
        page = int(request.GET.get("side", "1"))
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)


@login_required
def list_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    page = _page_number(request)
    size = queries.PAGE_SIZE
    rows = queries.my_notifications(viewer, offset=(page - 1) * size, limit=size + 1)
    context = {
        "notifications": rows[:size],
        "page": page,
        "has_next": len(rows) > size,
        "unseen": queries.unseen_count(viewer),
    }
    return render(request, "notifications/list.html", context)


@login_required
def open_view(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's deep link; following it marks it as seen."""
    viewer = current_viewer(request)
    notification = queries.get_notification(viewer, notification_id)
    if viewer.person_id is not None:
        actions.mark_seen(viewer.person_id, [notification.id])
    # Links are stored as paths on this site; anything else goes back to the list.
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect("notifications:list")
    return HttpResponseRedirect(notification.url)


@login_required
@require_POST
def mark_seen_view(request: HttpRequest) -> HttpResponse:
    """Mark one notification (`notification`) or all of them as seen."""
    viewer = current_viewer(request)
    raw_id = request.POST.get("notification", "")
    ids = [queries.get_notification(viewer, int(raw_id)).id] if raw_id.isdigit() else None
    if viewer.person_id is not None:
        actions.mark_seen(viewer.person_id, ids)
    messages.success(request, _("Marked as seen."))
    return redirect("notifications:list")


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    form = DeliveryForm(request.POST or None, current=queries.my_delivery_settings(viewer))
    if request.method == "POST" and form.is_valid():
        actions.set_delivery(viewer, form.choices())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form}, status=400 if form.errors else 200)
