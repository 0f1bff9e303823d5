"""Helpers for tests: signing in as the demo people and counting queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kinabog.accounts.models import User
from kinabog.accounts.session import ASSURANCE_KEY, PORTAL_ROLE_KEY, STEPPED_UP_AT_KEY


def sign_in(client: Client, username: str, *, role: str | None = None, level: int = 2) -> User:
    """Sign a test client in as a demo person, in a portal role and at an assurance level."""
    import time

    user = User.objects.get(username=username)
    client.force_login(user)
    session = client.session
    session[ASSURANCE_KEY] = level
    if level >= 3:
        session[STEPPED_UP_AT_KEY] = time.time()
    if role:
        session[PORTAL_ROLE_KEY] = role
    session.save()
    return user


@contextmanager
def assert_max_queries(limit: int) -> Iterator[CaptureQueriesContext]:
    """Fail when the block runs more than `limit` queries; the message lists them."""
    with CaptureQueriesContext(connection) as context:
        yield context
    count = len(context.captured_queries)
    if count > limit:
        listing = "\n".join(f"{i + 1}. {q['sql']}" for i, q in enumerate(context.captured_queries))
        raise AssertionError(f"{count} queries, budget {limit}:\n{listing}")
