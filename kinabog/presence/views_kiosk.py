"""The kiosk screen (storskærm) in the institution's entrance: no personal login.

A screen is paired once with a code an administrator created; it then carries a long secret in an
httponly, SameSite=Strict cookie and acts as itself (every check-in and check-out is recorded with the
screen). A revoked or unknown screen gets the pairing page. CSRF protection applies as everywhere.
The screen stands where anyone can see it: it shows names (aliases for protected children), initials,
whether a child has come or gone and who picks up — no notes, no reasons for absence.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kinabog.accounts import throttle
from kinabog.core.errors import InvalidInput, NotFound

from . import actions, queries
from .forms import PairingForm

KIOSK_COOKIE = "kinabog_kiosk"
KIOSK_COOKIE_MAX_AGE = 60 * 60 * 24 * 365  # a year; revoking the screen ends it sooner


def _device(request: HttpRequest):  # type: ignore[no-untyped-def]
    return actions.kiosk_device(request.COOKIES.get(KIOSK_COOKIE, ""))


def _pairing_page(request: HttpRequest, form: PairingForm, status: int = 200) -> HttpResponse:
    response = render(request, "presence/kiosk_pair.html", {"form": form}, status=status)
    if KIOSK_COOKIE in request.COOKIES:
        response.delete_cookie(KIOSK_COOKIE, samesite="Strict")
    return response


def _pair(request: HttpRequest) -> HttpResponse:
    form = PairingForm(request.POST)
    if not form.is_valid():
        return _pairing_page(request, form, status=400)
    address = throttle.client_address(request)
    key = f"kiosk-pairing:{address}"
    try:
        throttle.check(throttle.AttemptKind.CODE, key, address)
        _device_row, token = actions.pair_kiosk(form.cleaned_data["code"])
    except InvalidInput as error:
        if not isinstance(error, throttle.TooManyAttempts):
            throttle.record_failure(throttle.AttemptKind.CODE, key, address)
        form.add_error("code", error.message)
        return _pairing_page(request, form, status=400)
    response = redirect("presence:kiosk")
    response.set_cookie(
        KIOSK_COOKIE,
        token,
        max_age=KIOSK_COOKIE_MAX_AGE,
        httponly=True,
        secure=request.is_secure(),
        samesite="Strict",
    )
    return response


@never_cache
def screen_view(request: HttpRequest) -> HttpResponse:
    """The children of the screen's groups, or the pairing page for a screen that is not (or no longer) paired."""
    device = _device(request)
    if device is None:
        if request.method == "POST":
            return _pair(request)
        return _pairing_page(request, PairingForm())
    if request.method == "POST":
        return redirect("presence:kiosk")
    rows = queries.kiosk_children(device, timezone.localdate())
    return render(request, "presence/kiosk_children.html", {"device": device, "rows": rows})


@never_cache
def kiosk_child_view(request: HttpRequest, child_id: int) -> HttpResponse:
    """Confirm a check-in or check-out (GET shows the question, POST does it)."""
    device = _device(request)
    if device is None:
        return redirect("presence:kiosk")
    row = queries.kiosk_child(device, child_id, timezone.localdate())
    if request.method == "POST":
        check_in_child = request.POST.get("handling") == "ind"
        if not check_in_child and request.POST.get("handling") != "ud":
            raise NotFound
        picked_up_by = row.planned.exit_with if row.planned and not check_in_child else ""
        try:
            actions.kiosk_check(device, row.profile.id, check_in_child=check_in_child, picked_up_by=picked_up_by)
        except InvalidInput as error:
            context = {"device": device, "row": row, "problem": error.message}
            return render(request, "presence/kiosk_confirm.html", context, status=400)
        done = _("%(name)s is checked in.") if check_in_child else _("%(name)s is checked out. Goodbye!")
        messages.success(request, done % {"name": row.display_name})
        return redirect("presence:kiosk")
    return render(request, "presence/kiosk_confirm.html", {"device": device, "row": row})
