"""System checks: what Kinabog needs of the database it runs on.

Database checks run with `manage.py check --database default` and before `manage.py migrate` writes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core import checks
from django.db import connections

# PostgreSQL settings under which a commit may return before it is on disk, with the value that says so.
NOT_DURABLE = {"fsync": "off", "synchronous_commit": "off"}


@checks.register(checks.Tags.database)
def commits_are_durable(
    app_configs: Any = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Warn where PostgreSQL answers a commit before it is on disk: a crash would then lose check-ins, messages and
    consents that Kinabog had told people were saved (decision 0022)."""
    problems: list[checks.CheckMessage] = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, setting FROM pg_settings WHERE name IN (%s, %s)", list(NOT_DURABLE))
            found = {name for name, setting in cursor.fetchall() if NOT_DURABLE[name] == setting}
        for name in sorted(found):
            problems.append(
                checks.Warning(
                    f"PostgreSQL's {name} is off for database '{alias}': a commit may be answered before it is on "
                    "disk, and a crash would lose what people were told was saved.",
                    hint=f"Set {name} = on (the default) for Kinabog's database; see docs/decisions/0022.",
                    id="kinabog.W001",
                )
            )
    return problems
