"""Signing in with a username and password (Django's ModelBackend), and loading the signed-in login."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connection

from kinabog.core.sql import Columns, table
from kinabog.institutions.models import AccessVersion

from .models import User

_LOGIN = Columns(User, "u", [f.attname for f in User._meta.concrete_fields])


class LoginBackend(ModelBackend):
    """Django's ModelBackend, except that the login loaded for every signed-in request carries the access
    version's token (decision 0008), read in the same query: the cached Viewer then costs no query of its
    own (accounts.session.current_viewer)."""

    def get_user(self, user_id: Any) -> User | None:
        # Written out: on every signed-in request, building the ORM's query cost more than answering it.
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        sql = (
            f"SELECT {_LOGIN.sql}, (SELECT v.token FROM {table(AccessVersion)} v WHERE v.id = 1) "  # noqa: S608
            f"FROM {table(User)} u WHERE u.id = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        user = _LOGIN.load(row) if row is not None else None
        if user is None:
            return None
        user.access_token = row[-1]
        return user if self.user_can_authenticate(user) else None
