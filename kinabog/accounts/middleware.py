"""Session idle expiry and the choice of language."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils import translation

from .session import idle_seconds, mark_seen

# Machine clients get no login page: after expiry their request goes on signed out and they answer
# in their own format (the Aula API's envelope, OAuth errors, the health check).
NOT_REDIRECTED_PREFIXES = ("/api/", "/o/", "/healthz")
# Note activity at most once a minute, so ordinary page views do not all write the session.
SEEN_RESOLUTION_SECONDS = 60


class IdleTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_SECONDS without a request (60 minutes, as in Aula).

    A page request on an expired session is sent to the login page with `expired=1`, so the login page
    can say why, and with `next` for a GET so the person comes back to where they were.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            idle = idle_seconds(request)
            if idle is not None and idle > settings.SESSION_IDLE_SECONDS:
                logout(request)
                request.session_expired = True  # type: ignore[attr-defined]
                if not request.path_info.startswith(NOT_REDIRECTED_PREFIXES):
                    return HttpResponseRedirect(expired_login_url(request))
            elif idle is None or idle > SEEN_RESOLUTION_SECONDS:
                mark_seen(request)
        return self.get_response(request)


def expired_login_url(request: HttpRequest) -> str:
    login_url = resolve_url(settings.LOGIN_URL)
    query = {"expired": "1"}
    if request.method == "GET" and request.path != login_url:
        query["next"] = request.get_full_path()
    return f"{login_url}?{urlencode(query)}"


class LanguageMiddleware:
    """Danish unless the person chose English (cookie), whatever the browser asks for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
