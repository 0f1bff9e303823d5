"""Login, logout, step-up, role and language switching. Thin: parse, call a query or action, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kinabog.core.errors import InvalidInput

from . import actions, queries
from .forms import LoginForm, TotpCodeForm
from .session import current_viewer, stepped_up_until
from .throttle import TooManyAttempts

LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` address when it stays on this site; otherwise the fallback."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _error_status(error: InvalidInput) -> int:
    return 429 if isinstance(error, TooManyAttempts) else 400


def _remember_language(request: HttpRequest, response: HttpResponse, language: str) -> None:
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=LANGUAGE_COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )


@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    home = reverse(settings.LOGIN_REDIRECT_URL)
    if request.user.is_authenticated and request.method == "GET":
        return HttpResponseRedirect(_safe_next(request, home))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.sign_in(request, form.cleaned_data["username"], form.cleaned_data["password"])
        except InvalidInput as error:
            form.add_error(None, error.message)
            status = _error_status(error)
        else:
            response = HttpResponseRedirect(_safe_next(request, home))
            if user.preferred_language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                _remember_language(request, response, user.preferred_language)
            return response
    elif request.method == "POST":
        status = 400
    context = {"form": form, "next": _safe_next(request, ""), "expired": request.GET.get("expired") == "1"}
    return render(request, "accounts/login.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@never_cache
@login_required
def step_up_view(request: HttpRequest) -> HttpResponse:
    """Assurance level 3: enrol an authenticator app if the login has none, then enter a code."""
    device = actions.ensure_totp_device(request.user)  # type: ignore[arg-type]
    form = TotpCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.step_up(request, device, form.cleaned_data["code"])
            except InvalidInput as error:
                form.add_error("code", error.message)
                status = _error_status(error)
            else:
                return HttpResponseRedirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
        else:
            status = 400
    enrolment = queries.totp_enrolment(device, request.user.get_username())
    context = {
        "form": form,
        "next": _safe_next(request, ""),
        "enrolment": enrolment,
        "stepped_up_until": stepped_up_until(request),
    }
    template = "accounts/step_up_enrol.html" if enrolment else "accounts/step_up.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def switch_role_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    try:
        actions.switch_portal_role(request, request.POST.get("role", ""), viewer.available_roles)
    except InvalidInput as error:
        return HttpResponseBadRequest(error.message, content_type="text/plain; charset=utf-8")
    return redirect("institutions:overview")


@require_POST
def set_language_view(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_safe_next(request, reverse("institutions:overview")))
    if language in dict(settings.LANGUAGES):
        _remember_language(request, response, language)
        if request.user.is_authenticated:
            actions.set_preferred_language(request.user, language)  # type: ignore[arg-type]
    return response
