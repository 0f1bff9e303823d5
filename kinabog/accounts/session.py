"""The signed-in session: portal role, assurance level, and the Viewer built from them."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest

from kinabog.institutions.access import ANONYMOUS, Viewer
from kinabog.institutions.queries import cached_viewer

PORTAL_ROLE_KEY = "kinabog_portal_role"
ASSURANCE_KEY = "kinabog_assurance_level"
STEPPED_UP_AT_KEY = "kinabog_stepped_up_at"
LAST_SEEN_KEY = "kinabog_last_seen"


def assurance_level(request: HttpRequest) -> int:
    """2 after a password (or a level-2 token), 3 after step-up until the step-up lapses."""
    if not request.user.is_authenticated:
        return 0
    level = int(request.session.get(ASSURANCE_KEY, 2))
    if level >= 3:
        stepped_up_at = float(request.session.get(STEPPED_UP_AT_KEY, 0))
        if time.time() - stepped_up_at > settings.STEP_UP_SECONDS:
            request.session[ASSURANCE_KEY] = 2
            return 2
    return level


def set_assurance_level(request: HttpRequest, level: int) -> None:
    request.session[ASSURANCE_KEY] = level
    if level >= 3:
        request.session[STEPPED_UP_AT_KEY] = time.time()
    _forget_viewer(request)


def stepped_up_until(request: HttpRequest) -> datetime | None:
    """When the current step-up lapses, or None at level 2."""
    if assurance_level(request) < 3:
        return None
    stepped_up_at = float(request.session.get(STEPPED_UP_AT_KEY, 0))
    return datetime.fromtimestamp(stepped_up_at + settings.STEP_UP_SECONDS, tz=UTC)


def mark_seen(request: HttpRequest) -> None:
    """Note activity now; IdleTimeoutMiddleware ends the session after SESSION_IDLE_SECONDS without it."""
    request.session[LAST_SEEN_KEY] = time.time()


def idle_seconds(request: HttpRequest) -> float | None:
    """Seconds since the last noted activity, or None when none is noted yet."""
    last_seen = request.session.get(LAST_SEEN_KEY)
    return None if last_seen is None else time.time() - float(last_seen)


def set_portal_role(request: HttpRequest, role: str) -> None:
    request.session[PORTAL_ROLE_KEY] = role
    _forget_viewer(request)


def current_viewer(request: HttpRequest) -> Viewer:
    """The Viewer for this request, built once and cached on the request."""
    cached = getattr(request, "_kinabog_viewer", None)
    if cached is not None:
        return cached
    if not request.user.is_authenticated:
        viewer = ANONYMOUS
    else:
        # The token read with the login (accounts.backends) holds for the request's first Viewer; once the
        # request has changed what its Viewer shows (a new portal role), the token is read again.
        token = (
            None
            if getattr(request, "_kinabog_viewer_forgotten", False)
            else getattr(request.user, "access_token", None)
        )
        viewer = cached_viewer(
            request.user.pk, request.session.get(PORTAL_ROLE_KEY), assurance_level(request), token=token
        )
        if viewer.portal_role and request.session.get(PORTAL_ROLE_KEY) != viewer.portal_role:
            request.session[PORTAL_ROLE_KEY] = viewer.portal_role
    request._kinabog_viewer = viewer  # type: ignore[attr-defined]
    return viewer


def _forget_viewer(request: HttpRequest) -> None:
    if hasattr(request, "_kinabog_viewer"):
        del request._kinabog_viewer  # type: ignore[attr-defined]
    request._kinabog_viewer_forgotten = True  # type: ignore[attr-defined]
