"""Writing audit rows."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kinabog.core.sql import insert

from .models import AuditEntry


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
    """Write one audit row, now. Written out (core.sql.insert): every message sent and every sign-in writes one,
    and the ORM's insert cost a send more CPU than its own thread's."""
    return insert(
        AuditEntry,
        {
            "at": timezone.now(),
            "actor_id": actor_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "reason": reason,
            "assurance_level": assurance_level,
        },
    )
