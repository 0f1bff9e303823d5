"""Logins: how a person signs in. The person they are lives in institutions.Person."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login. One login may act in several portal roles (a teacher who is also a parent)."""

    preferred_language = models.CharField(_("language"), max_length=8, blank=True)
    # Not a column: the access version's token, read with the login of every signed-in request
    # (accounts.backends.LoginBackend.get_user, decision 0008).
    access_token: str | None

    class Meta:
        db_table = "accounts_user"


class TotpDevice(models.Model):
    """A time-based one-time-password app enrolled for step-up to assurance level 3.

    The device is created unconfirmed when enrolment starts and confirmed by the first valid code.
    `last_used_counter` is the time step of the last accepted code: a code is accepted only for a
    later step, so a code cannot be used twice.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=False)
    last_used_counter = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        state = "confirmed" if self.confirmed else "pending"
        return f"TOTP device of user {self.user_id} ({state})"


class AttemptKind(models.TextChoices):
    PASSWORD = "password", _("Password")
    CODE = "code", _("One-time code")


class LoginFailure(models.Model):
    """One failed attempt (a password at login or a code at step-up), kept for throttling.

    Rows older than the window are pruned on the next success.
    """

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=16, choices=AttemptKind.choices, default=AttemptKind.PASSWORD)

    def __str__(self) -> str:
        return f"{self.kind} failure for {self.username} from {self.ip_address} at {self.at:%Y-%m-%d %H:%M:%S}"
