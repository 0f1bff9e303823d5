"""The session bootstrap Aula clients rely on.

1. `profiles.getProfilesByLogin&access_token=…` checks the OAuth2 token, signs its user into a cookie
   session (assurance level from the token's scope) and sets the `Csrfp-Token` cookie.
2. `profiles.getProfileContext&portalrole=…` activates a portal role in that session.
3. Everything else runs on the session alone, needs the activated profile, and every POST carries the
   header `csrfp-token` with the cookie's value. Django's own CSRF check is off for the API view: this
   check replaces it (the token lives in the session, so a cookie planted by another site is useless).

The token is accepted on the two bootstrap methods only (docs/decisions/0004-aula-token-in-query.md).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare

from kinabog.accounts.session import mark_seen, set_assurance_level
from kinabog.audit import actions as audit

from . import errors
from .registry import ApiMethod
from .tokens import find_valid_token, level_of

CSRFP_COOKIE = "Csrfp-Token"
CSRFP_HEADER = "csrfp-token"
# The header as WSGI hands it over: read from META, not `request.headers`, which would build a dictionary of
# every header for this one on every write.
CSRFP_META_KEY = "HTTP_" + CSRFP_HEADER.upper().replace("-", "_")
CSRFP_KEY = "kinabog_api_csrfp_token"
ACTIVATED_KEY = "kinabog_api_profile_activated"
TOKEN_KEY = "kinabog_api_token_id"  # noqa: S105 — a session key name, not a secret


def authenticate(request: HttpRequest, method: ApiMethod) -> None:
    """Sign in with the access token where the method takes one; refuse when nobody is signed in."""
    raw_token = request.GET.get("access_token")
    if method.bootstrap and raw_token is not None:
        _sign_in_with_token(request, raw_token)
    if not request.user.is_authenticated:
        if getattr(request, "session_expired", False):
            raise errors.session_expired()
        raise errors.not_authenticated()
    if method.bootstrap:
        ensure_csrfp_token(request)


def _sign_in_with_token(request: HttpRequest, raw_token: str) -> None:
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        # A browser sent here by another site: a link carrying someone else's token must not sign the
        # person into that account (login CSRF). Apps and scripts send no Sec-Fetch-* headers.
        raise errors.refused()
    token = find_valid_token(raw_token)
    if token is None:
        raise errors.invalid_token()
    same_user = request.user.is_authenticated and request.user.pk == token.user_id
    if same_user and request.session.get(TOKEN_KEY) == token.pk:
        return  # the session this token opened; its level is not raised again on every call
    if not same_user:
        login(request, token.user, backend=settings.AUTHENTICATION_BACKENDS[0])  # rotates the session key
        request.session.pop(ACTIVATED_KEY, None)
        request.session[CSRFP_KEY] = _new_csrfp_value()
    level = level_of(token) or 2
    set_assurance_level(request, level)
    request.session[TOKEN_KEY] = token.pk
    mark_seen(request)
    # Which application opened a session for whom, and at which level.
    audit.record(actor_id=token.user_id, action="api_sign_in", obj=token, assurance_level=level)


def check_csrfp(request: HttpRequest) -> None:
    expected = request.session.get(CSRFP_KEY)
    sent = str(request.META.get(CSRFP_META_KEY, ""))
    if not expected or not sent or not constant_time_compare(sent, expected):
        raise errors.csrf_failed()


def ensure_csrfp_token(request: HttpRequest) -> str:
    value = request.session.get(CSRFP_KEY)
    if not value:
        value = request.session[CSRFP_KEY] = _new_csrfp_value()
    return str(value)


def _new_csrfp_value() -> str:
    return secrets.token_urlsafe(32)


def write_csrfp_cookie(request: HttpRequest, response: HttpResponse, *, always: bool = False) -> None:
    """Give the client the session's csrfp value as the `Csrfp-Token` cookie when it lacks it."""
    if not request.user.is_authenticated:
        return
    value = request.session.get(CSRFP_KEY)
    if value and (always or request.COOKIES.get(CSRFP_COOKIE) != value):
        # Readable by the client (not HttpOnly): it copies the value into the csrfp-token header.
        response.set_cookie(
            CSRFP_COOKIE,
            value,
            path="/",
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=False,
        )


def activate_profile(request: HttpRequest) -> None:
    request.session[ACTIVATED_KEY] = True


def is_profile_activated(request: HttpRequest) -> bool:
    return bool(request.session.get(ACTIVATED_KEY))


def keep_alive(request: HttpRequest) -> None:
    """Restart the idle timer now (the middleware only notes activity once a minute)."""
    mark_seen(request)
    request.kinabog_refresh_csrfp = True  # type: ignore[attr-defined]
