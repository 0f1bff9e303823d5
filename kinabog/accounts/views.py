"""Login, logout, role and language switching."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kinabog.core.errors import InvalidInput

from . import actions
from .forms import LoginForm
from .session import current_viewer


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.sign_in(request, form.cleaned_data["username"], form.cleaned_data["password"])
        except InvalidInput as error:
            form.add_error(None, error.message)
            status = 400
        else:
            return HttpResponseRedirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": _safe_next(request, ""), "expired": request.GET.get("expired") == "1"},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@login_required
@require_POST
def switch_role_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    try:
        actions.switch_portal_role(request, request.POST.get("role", ""), viewer.available_roles)
    except InvalidInput:
        return HttpResponse(status=400)
    return redirect("institutions:overview")


@require_POST
def set_language_view(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_safe_next(request, reverse("institutions:overview")))
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
            secure=request.is_secure(),
        )
        if request.user.is_authenticated:
            request.user.preferred_language = language  # type: ignore[union-attr]
            request.user.save(update_fields=["preferred_language"])  # type: ignore[union-attr]
    return response
