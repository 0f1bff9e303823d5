"""Signing in with a username and password (Django's ModelBackend), and loading the signed-in login."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Subquery

from kinabog.institutions.models import AccessVersion

from .models import User


class LoginBackend(ModelBackend):
    """Django's ModelBackend, except that the login loaded for every signed-in request carries the access
    version's token (decision 0008), read in the same query: the cached Viewer then costs no query of its
    own (accounts.session.current_viewer)."""

    def get_user(self, user_id: Any) -> User | None:
        token = AccessVersion.objects.filter(pk=1).values("token")[:1]
        user = User._default_manager.annotate(access_token=Subquery(token)).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
