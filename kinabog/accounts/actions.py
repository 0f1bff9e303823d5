"""Writes about logins: sign-in with throttling, role switching, language, TOTP enrolment and step-up."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput

from . import throttle, totp
from .models import AttemptKind, TotpDevice, User
from .session import mark_seen, set_assurance_level, set_portal_role


def sign_in(request: HttpRequest, username: str, password: str) -> User:
    """Password login at assurance level 2.

    Refuses with the same message whether or not the username exists; after too many failures for
    the username or the address, refuses even the right password until the window has passed.
    """
    username = username.strip()
    address = throttle.client_address(request)
    throttle.check(AttemptKind.PASSWORD, username, address)
    user = authenticate(request, username=username, password=password)
    if user is None:
        throttle.record_failure(AttemptKind.PASSWORD, username, address)
        raise InvalidInput(_("The username or password is not correct."))
    login(request, user)  # rotates the session key
    set_assurance_level(request, 2)
    mark_seen(request)
    throttle.clear_failures(AttemptKind.PASSWORD, username)
    return user  # type: ignore[return-value]


def switch_portal_role(request: HttpRequest, role: str, available: tuple[str, ...]) -> None:
    if role not in available:
        raise InvalidInput(_("You do not have that role."))
    set_portal_role(request, role)


def set_preferred_language(user: User, language: str) -> None:
    """Remember the login's language, so it follows the person to a new device."""
    if language not in dict(settings.LANGUAGES):
        raise InvalidInput(_("That language is not available."))
    if user.preferred_language != language:
        User.objects.filter(pk=user.pk).update(preferred_language=language)
        user.preferred_language = language


def ensure_totp_device(user: User) -> TotpDevice:
    """The login's authenticator device; a new unconfirmed one (with a fresh secret) when it has none.

    An unconfirmed device keeps its secret until it is confirmed, so reloading the enrolment page does
    not invalidate a QR code the person has already scanned. A confirmed device is never replaced here:
    a password alone must not be enough to move step-up to another phone.
    """
    device, _created = TotpDevice.objects.get_or_create(user=user, defaults={"secret": totp.new_secret()})
    return device


def step_up(request: HttpRequest, device: TotpDevice, code: str) -> None:
    """Raise the session to assurance level 3 with a code from the login's authenticator app.

    The first valid code also confirms a new device. A code is accepted once: only for a later time
    step than the last accepted one. Wrong and reused codes count towards throttling like passwords.
    """
    user = request.user
    username = user.get_username()
    address = throttle.client_address(request)
    throttle.check(AttemptKind.CODE, username, address)
    counter = totp.matching_counter(device.secret, code)
    if counter is None:
        throttle.record_failure(AttemptKind.CODE, username, address)
        raise InvalidInput(
            _("The code is not correct. Use the newest code your app shows and try again."), field="code"
        )
    with transaction.atomic():
        # The condition in the UPDATE makes the check and the use one step: two requests racing with
        # the same code cannot both succeed.
        accepted = TotpDevice.objects.filter(pk=device.pk, last_used_counter__lt=counter).update(
            last_used_counter=counter, confirmed=True
        )
        if accepted:
            audit.record(
                actor_id=user.pk,
                action="step_up" if device.confirmed else "confirm_totp_device",
                obj=device,
                assurance_level=3,
            )
    if not accepted:
        throttle.record_failure(AttemptKind.CODE, username, address)
        raise InvalidInput(
            _("This code has already been used. Wait until your app shows a new code and enter that."), field="code"
        )
    device.last_used_counter, device.confirmed = counter, True
    request.session.cycle_key()  # a new session key for the more trusted session
    set_assurance_level(request, 3)
    mark_seen(request)
    throttle.clear_failures(AttemptKind.CODE, username)
