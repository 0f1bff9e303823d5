"""Creating notifications: set-based, after commit, safe to run twice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.core.errors import InvalidInput, NotFound
from kinabog.institutions.access import Viewer

from .models import Area, Delivery, Notification, NotificationSetting


def notify_new_message(message_id: int) -> int:
    """One notification per participant (not the sender, not those who muted or left) of a new message.

    Sensitive threads get a notification without subject or sender. Returns rows written; a second
    run writes none (one notification per person per message).
    """
    from kinabog.messaging.models import Message, Subscription

    message = Message.objects.select_related("thread", "sender__person").filter(pk=message_id).first()
    if message is None:
        return 0
    thread = message.thread
    sensitive = thread.is_sensitive
    event_type = "NewSensitiveMessagePrivateInbox" if sensitive else "NewMessagePrivateInbox"
    title = "" if sensitive else thread.subject[:255]
    sender_person = message.sender.person if message.sender else None
    sender_name = "" if sensitive or sender_person is None else _public_name(sender_person)
    url = reverse("messaging:thread", args=[thread.id])
    table = Notification._meta.db_table
    subscriptions = Subscription._meta.db_table
    sql = (
        f"INSERT INTO {table} (person_id, profile_id, area, event_type, thread_id, title, sender_name, url, "  # noqa: S608
        f"created_at, dedupe_key) "
        f"SELECT s.person_id, s.profile_id, %s, %s, %s, %s, %s, %s, %s, %s FROM {subscriptions} s "
        f"WHERE s.thread_id = %s AND s.person_id IS NOT NULL AND s.muted = FALSE AND s.left_at IS NULL "
        f"AND s.person_id <> %s "
        f"ON CONFLICT (person_id, dedupe_key) DO NOTHING"
    )
    params: list[Any] = [
        Area.MESSAGES,
        event_type,
        thread.id,
        title,
        sender_name,
        url,
        timezone.now(),
        f"message:{message.id}",
        thread.id,
        sender_person.id if sender_person else -1,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = max(cursor.rowcount, 0)
    from . import tasks

    tasks.send_instant_emails.delay(f"message:{message.id}")
    return written


def _public_name(person) -> str:  # type: ignore[no-untyped-def]
    return person.alias if person.is_protected else person.full_name


def mark_seen(person_id: int, notification_ids: list[int] | None = None) -> int:
    rows = Notification.objects.filter(person_id=person_id, seen_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(id__in=notification_ids)
    return rows.update(seen_at=timezone.now())


def mark_thread_seen(person_id: int, thread_id: int) -> int:
    """Reading a thread clears the person's notifications about it."""
    return Notification.objects.filter(person_id=person_id, thread_id=thread_id, seen_at__isnull=True).update(
        seen_at=timezone.now()
    )


def set_delivery(viewer: Viewer, choices: Mapping[str, str]) -> None:
    """Save how the viewer wants e-mail about each area, all areas in one statement."""
    if viewer.person_id is None:
        raise NotFound
    if not set(choices) <= set(Area.values) or not set(choices.values()) <= set(Delivery.values):
        raise InvalidInput(_("Choose how you want to hear about each area."), field="delivery")
    rows = [NotificationSetting(person_id=viewer.person_id, area=a, delivery=d) for a, d in choices.items()]
    NotificationSetting.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["person", "area"],
        update_fields=["delivery"],
    )
