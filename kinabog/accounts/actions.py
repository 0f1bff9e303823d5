"""Writes about logins: sign-in with throttling, role switching, step-up."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.core.errors import InvalidInput

from .models import LoginFailure, User
from .session import set_assurance_level, set_portal_role


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def is_throttled(username: str, ip_address: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    failures = LoginFailure.objects.filter(at__gte=since)
    by_user = failures.filter(username=username.lower()).count()
    by_address = failures.filter(ip_address=ip_address).count()
    # One address may serve a whole school's network: allow it more attempts than one username.
    return by_user >= settings.LOGIN_FAILURE_LIMIT or by_address >= settings.LOGIN_FAILURE_LIMIT * 10


def sign_in(request: HttpRequest, username: str, password: str) -> User:
    """Password login at assurance level 2. Refuses the same way whether or not the user exists."""
    username = username.strip()
    address = client_address(request)
    if is_throttled(username, address):
        raise InvalidInput(
            _("Too many failed attempts. Wait 15 minutes and try again, or ask your institution for help.")
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username.lower(), ip_address=address, at=timezone.now())
        raise InvalidInput(_("The username or password is not correct."))
    login(request, user)  # rotates the session key
    set_assurance_level(request, 2)
    _prune_failures(username)
    return user  # type: ignore[return-value]


def _prune_failures(username: str) -> None:
    old = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    LoginFailure.objects.filter(Q(username=username.lower()) | Q(at__lt=old)).delete()


def switch_portal_role(request: HttpRequest, role: str, available: tuple[str, ...]) -> None:
    if role not in available:
        raise InvalidInput(_("You do not have that role."))
    set_portal_role(request, role)
