"""Writing audit rows."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connection
from django.utils import timezone

from kinabog.core.sql import loaded, table

from .models import AuditEntry

# Every column of a row, in the order the statement lists them.
COLUMNS = ("at", "actor_id", "action", "object_type", "object_id", "reason", "assurance_level")


def record(*, actor_id: int | None, action: str, obj: Any, reason: str = "", assurance_level: int = 0) -> AuditEntry:
    """Audit an action on a model instance."""
    return record_event(
        actor_id=actor_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        reason=reason,
        assurance_level=assurance_level,
    )


def record_event(
    *, actor_id: int | None, action: str, object_type: str, object_id: str, reason: str = "", assurance_level: int = 0
) -> AuditEntry:
    """Write one audit row, now. A written-out insert: every message sent and every sign-in writes one, and the
    ORM's insert cost a send more CPU than its own thread's."""
    at = timezone.now()
    values = {
        "at": at,
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "reason": reason,
        "assurance_level": assurance_level,
    }
    params = [connection.ops.adapt_datetimefield_value(at), *(values[column] for column in COLUMNS[1:])]
    with connection.cursor() as cursor:
        cursor.execute(_insert_statement(), params)
        (entry_id,) = cursor.fetchone()
    return loaded(AuditEntry, {**values, "id": entry_id})


@cache
def _insert_statement() -> str:
    """The insert, written once per process (the table's name is the only text put into it)."""
    marks = ", ".join(["%s"] * len(COLUMNS))
    return f"INSERT INTO {table(AuditEntry)} ({', '.join(COLUMNS)}) VALUES ({marks}) RETURNING id"  # noqa: S608
