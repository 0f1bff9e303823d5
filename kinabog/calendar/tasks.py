"""Calendar work for Celery: notifications after a write, and the reminders sent every few minutes.

Idempotent: notifications carry a key per person and event, reminders are recorded once per occurrence.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notify_task(kind: str, *args: Any, **kwargs: Any) -> int:
    from .notify import HANDLERS

    return HANDLERS[kind](*args, **kwargs)


def schedule_notification(kind: str, *args: Any, **kwargs: Any) -> None:
    """Queue a notification fan-out; without a broker it runs here and now (eager).

    A broker that does not answer must not turn a saved change into an error: it then runs in-process.
    """
    try:
        notify_task.delay(kind, *args, **kwargs)
    except Exception:  # any broker failure
        logger.warning("calendar %s: broker unavailable, notifying in-process", kind, exc_info=True)
        from .notify import HANDLERS

        HANDLERS[kind](*args, **kwargs)


@shared_task(acks_late=True)
def send_calendar_reminders() -> int:
    """Send the reminders that are due (celery beat runs this every five minutes)."""
    from .reminders import send_due_reminders

    return send_due_reminders()
