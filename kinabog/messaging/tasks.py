"""Side effects of messages, run by a Celery worker after the sender has the answer. Idempotent."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def after_new_message_task(message_id: int) -> None:
    from .actions import after_new_message

    after_new_message(message_id)


def schedule_after_new_message(message_id: int) -> None:
    """Queue the side effects; without a broker they run here and now (eager), as they did before.

    A broker that does not answer must not turn a sent message into an error: the side effects then
    run in this process instead.
    """
    try:
        after_new_message_task.delay(message_id)
    except Exception:  # any broker failure
        logger.warning("message %s: broker unavailable, notifying in-process", message_id, exc_info=True)
        from .actions import after_new_message

        after_new_message(message_id)
