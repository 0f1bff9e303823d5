"""Throttling of failed attempts: passwords at login and one-time codes at step-up.

After LOGIN_FAILURE_LIMIT failures for one username, or LOGIN_FAILURE_ADDRESS_LIMIT from one address,
within LOGIN_FAILURE_WINDOW_SECONDS, further attempts are refused — even correct ones — until the
oldest failure has left the window. Failures are counted for usernames that do not exist as well,
so the refusal says nothing about whether a login exists.
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext

from kinabog.core.errors import InvalidInput

from .models import AttemptKind, LoginFailure


class TooManyAttempts(InvalidInput):
    """Refused because of earlier failures; the message says how long to wait."""


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def check(kind: AttemptKind, username: str, address: str) -> None:
    """Raise TooManyAttempts when this username or address has failed too often lately (one query)."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    key = _key(username)
    counts = LoginFailure.objects.filter(Q(username=key) | Q(ip_address=address), kind=kind, at__gte=since).aggregate(
        by_user=Count("id", filter=Q(username=key)), by_address=Count("id", filter=Q(ip_address=address))
    )
    too_many_for_user = counts["by_user"] >= settings.LOGIN_FAILURE_LIMIT
    if too_many_for_user or counts["by_address"] >= settings.LOGIN_FAILURE_ADDRESS_LIMIT:
        raise TooManyAttempts(refusal_message(kind), field="code" if kind == AttemptKind.CODE else None)


def refusal_message(kind: AttemptKind) -> str:
    minutes = math.ceil(settings.LOGIN_FAILURE_WINDOW_SECONDS / 60)
    if kind == AttemptKind.CODE:
        text = ngettext(
            "Too many wrong codes. Wait %(minutes)d minute and try again.",
            "Too many wrong codes. Wait %(minutes)d minutes and try again.",
            minutes,
        )
    else:
        text = ngettext(
            "Too many failed attempts. Wait %(minutes)d minute and try again, or ask your institution for help.",
            "Too many failed attempts. Wait %(minutes)d minutes and try again, or ask your institution for help.",
            minutes,
        )
    return text % {"minutes": minutes}


def record_failure(kind: AttemptKind, username: str, address: str) -> None:
    LoginFailure.objects.create(kind=kind, username=_key(username), ip_address=address, at=timezone.now())


def clear_failures(kind: AttemptKind, username: str) -> None:
    """After a success: forget this username's failures of this kind, and everybody's expired ones."""
    expired = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    LoginFailure.objects.filter(Q(kind=kind, username=_key(username)) | Q(at__lt=expired)).delete()
