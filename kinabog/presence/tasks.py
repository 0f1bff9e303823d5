"""Background work of komme/gå. Idempotent: running a task twice does no harm."""

from __future__ import annotations

from celery import shared_task

from . import feed


@shared_task(bind=True, acks_late=True, max_retries=feed.MAX_ATTEMPTS)
def deliver_webhook(self, delivery_id: int) -> str:  # type: ignore[no-untyped-def]
    """One attempt to deliver a webhook; a failure is retried with exponential backoff."""
    outcome = feed.attempt_delivery(delivery_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    return str(outcome.state)


@shared_task(acks_late=True)
def send_due_webhook_deliveries() -> int:
    """The sweep run by celery beat: deliveries whose task was lost, or that wait for a retry."""
    return feed.send_due_deliveries()
