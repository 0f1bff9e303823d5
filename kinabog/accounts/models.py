"""Logins: how a person signs in. The person they are lives in institutions.Person."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login. One login may act in several portal roles (a teacher who is also a parent)."""

    preferred_language = models.CharField(_("language"), max_length=8, blank=True)

    class Meta:
        db_table = "accounts_user"


class TotpDevice(models.Model):
    """A time-based one-time-password app enrolled for step-up to assurance level 3."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=False)
    last_used_counter = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)


class LoginFailure(models.Model):
    """One failed login attempt, kept for throttling. Old rows are pruned on login."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)
