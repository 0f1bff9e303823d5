"""Helpers for tests: signing in as the demo people and counting queries."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.test import Client
from PIL import Image

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


class QueryLog:
    """The statements a block ran, counted with an execute wrapper (not the capped debug log)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.statements.append(sql)
        return execute(sql, params, many, context)

    @property
    def captured_queries(self) -> list[dict[str, str]]:
        return [{"sql": sql} for sql in self.statements]

    def __len__(self) -> int:
        return len(self.statements)


@contextmanager
def assert_max_queries(limit: int) -> Iterator[QueryLog]:
    """Fail when the block runs more than `limit` queries; the message lists them."""
    log = QueryLog()
    with connection.execute_wrapper(log):
        yield log
    if len(log) > limit:
        listing = "\n".join(f"{i + 1}. {sql}" for i, sql in enumerate(log.statements))
        raise AssertionError(f"{len(log)} queries, budget {limit}:\n{listing}")


# --- Pictures with metadata, for the file checks of messages, posts and events ------------------------------

GPS_IFD = 0x8825
HOME = b"Havnegade 4"


def photo_with_location() -> bytes:
    """A 60×30 JPEG with camera, GPS position and a comment (an address) in its metadata."""
    image = Image.new("RGB", (60, 30), "blue")
    exif = Image.Exif()
    exif[0x010F] = "Kameramærke"
    exif[GPS_IFD] = {1: "N", 2: (55.0, 40.0, 0.0), 3: "E", 4: (12.0, 34.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=HOME)
    return out.getvalue()


def assert_no_metadata(data: bytes) -> None:
    """The picture carries neither the address, nor EXIF, nor a GPS position."""
    assert HOME not in data and b"Exif" not in data and b"Kameram" not in data
    with Image.open(io.BytesIO(data)) as clean:
        assert not dict(clean.getexif()) and not clean.getexif().get_ifd(GPS_IFD)
