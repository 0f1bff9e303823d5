"""Django's PostgreSQL backend, with statements of any number of values and moments read in C.

With server-side binding (decision 0013) every value of a statement travels as a parameter of the protocol's
Bind message, which counts them in 16 bits: at most 65,535. Django's default, binding in the client, has no
such limit, and some statements need more: a filter on the ids of a whole municipality's guardians, an
update of many rows at once. Such a statement is bound in the client here, as Django would bind it, and is
not prepared; every other statement is bound on the server.

Django reads every `timestamptz` through a loader of its own, built on psycopg's pure-Python one, to give the
moment Django's UTC: about 5 µs a value, 65 values on an inbox page. Where psycopg's C extension is installed
(`psycopg-binary`, as in requirements.txt) and the connection works in UTC (USE_TZ, no TIME_ZONE for the
database: Django then sets the session's time zone to UTC), the C loader gives the same moments, already in
UTC, five times faster; it is registered on each new connection.

A persistent connection's health check (`CONN_HEALTH_CHECKS`) asks the server `SELECT 1` before the first
statement of every request: a tenth of a ping's CPU, at the morning peak a round trip on thousands of requests a
second whose connection answered a few milliseconds earlier. Here a connection that answered within
`SOUND_FOR_SECONDS` is taken as sound without asking (decision 0017); one that has been idle longer is checked
as Django checks it. Everything else is Django's.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzLoader

# PostgreSQL's Bind message counts its parameters in a 16-bit integer.
MAX_PARAMETERS = 65_535
# A connection whose health was last known this recently is not asked again before a request (decision 0017).
SOUND_FOR_SECONDS = 5.0


class ServerBindingCursor(base.ServerBindingCursor):  # type: ignore[name-defined,misc]
    def execute(
        self,
        query: Any,
        params: Sequence[Any] | Mapping[str, Any] | None = None,
        *,
        prepare: bool | None = None,
        binary: bool | None = None,
    ) -> ServerBindingCursor:
        if params is not None and len(params) > MAX_PARAMETERS:
            with psycopg.ClientCursor(self.connection) as client:
                query = client.mogrify(query, params)
            params, prepare = None, False
        super().execute(query, params, prepare=prepare, binary=binary)
        return self


# The loader psycopg itself registers: its C one where the extension is installed.
_DEFAULT_TZ_LOADER: Any = psycopg.adapters.get_loader(psycopg.postgres.types["timestamptz"].oid, Format.TEXT)


class UtcTimestamptzLoader(TimestamptzLoader):
    """A `timestamptz` as an aware datetime in UTC, parsed by psycopg's C loader. The session's time zone must
    be UTC (the C loader gives the moment in the session's zone); `timezone` is what Django compares with its
    own to decide whether a cursor needs its loader (`DatabaseWrapper.create_cursor`)."""

    timezone = datetime.UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        self._load = _DEFAULT_TZ_LOADER(oid, context).load

    def load(self, data: Any) -> datetime.datetime:
        return self._load(data)  # type: ignore[no-any-return]


# Only the C loader is worth the swap; without the extension Django's own loader stays.
FAST_MOMENTS = _DEFAULT_TZ_LOADER is not TimestamptzLoader


class DatabaseWrapper(base.DatabaseWrapper):
    # When the connection was last known to work: opened, or passed a health check.
    sound_at = float("-inf")

    def connect(self) -> None:
        super().connect()
        self.sound_at = time.monotonic()

    def close_if_health_check_failed(self) -> None:
        """Django's health check, unless the connection was known to work within `SOUND_FOR_SECONDS`. A request
        whose connection broke meanwhile fails as it would between Django's check and its first statement; the
        error then has Django check and close the connection at the end of that request."""
        if self.connection is None or not self.health_check_enabled or self.health_check_done:  # type: ignore[attr-defined,has-type]
            return
        if time.monotonic() - self.sound_at < SOUND_FOR_SECONDS:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
        if self.connection is not None:
            self.sound_at = time.monotonic()

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        if FAST_MOMENTS and self.timezone is datetime.UTC:
            # Django sets the session's time zone to UTC (ensure_timezone) before the first cursor, and every
            # loader reads the zone when a cursor makes it.
            connection.adapters.register_loader("timestamptz", UtcTimestamptzLoader)
        return connection

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:  # type: ignore[attr-defined]
            params["cursor_factory"] = ServerBindingCursor
        return params
