"""Django's PostgreSQL backend, with statements of any number of values.

With server-side binding (decision 0013) every value of a statement travels as a parameter of the protocol's
Bind message, which counts them in 16 bits: at most 65,535. Django's default, binding in the client, has no
such limit, and some statements need more: a filter on the ids of a whole municipality's guardians, an
update of many rows at once. Such a statement is bound in the client here, as Django would bind it, and is
not prepared; every other statement is bound on the server. Everything else is Django's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from django.db.backends.postgresql import base

# PostgreSQL's Bind message counts its parameters in a 16-bit integer.
MAX_PARAMETERS = 65_535


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


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:  # type: ignore[attr-defined]
            params["cursor_factory"] = ServerBindingCursor
        return params
