"""Creating notifications: set-based, after commit, safe to run twice."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.core.errors import InvalidInput, NotFound
from kinabog.core.sql import table
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import InstitutionProfile, Person

from .models import Area, Delivery, Notification, NotificationSetting

if TYPE_CHECKING:
    from kinabog.messaging.models import Message

logger = logging.getLogger(__name__)


def notify_new_message(message: Message | int) -> int:
    """One notification per participant (not the sender, not those who muted or left) of a new message:
    the message with its thread loaded, or its id.

    Sensitive threads get a notification without subject or sender. Returns rows written; a second
    run writes none (one notification per person per message). Runs inside the sender's transaction for an
    ordinary thread (decision 0016), in the worker for a large one. The instant e-mails are queued after
    commit, and only where a participant asked for them: most messages need no e-mail task at all.
    """
    from kinabog.messaging.models import Message, Subscription

    if isinstance(message, int):
        loaded = Message.objects.select_related("thread").filter(pk=message).first()
        if loaded is None:
            return 0
        message = loaded
    thread = message.thread
    sensitive = thread.is_sensitive
    profiles, persons = table(InstitutionProfile), table(Person)
    # The sender's public name, read by the statement itself: the alias of a protected person.
    sender_name = (
        "%s"
        if sensitive
        else f"COALESCE((SELECT CASE WHEN pe.is_protected THEN pe.alias "  # noqa: S608
        f"ELSE TRIM(pe.first_name || ' ' || pe.last_name) END FROM {profiles} p "
        f"JOIN {persons} pe ON pe.id = p.person_id WHERE p.id = %s), '')"
    )
    subscriptions = table(Subscription)
    sql = (
        f"INSERT INTO {table(Notification)} (person_id, profile_id, area, event_type, thread_id, title, "  # noqa: S608
        f"sender_name, url, created_at, dedupe_key) "
        f"SELECT s.person_id, s.profile_id, %s, %s, %s, %s, {sender_name}, %s, %s, %s FROM {subscriptions} s "
        f"WHERE s.thread_id = %s AND s.person_id IS NOT NULL AND s.muted = FALSE AND s.left_at IS NULL "
        f"AND s.person_id <> COALESCE((SELECT p.person_id FROM {profiles} p WHERE p.id = %s), -1) "
        f"ON CONFLICT (person_id, dedupe_key) DO NOTHING"
    )
    dedupe_key = f"message:{message.id}"
    params: list[Any] = [
        Area.MESSAGES,
        "NewSensitiveMessagePrivateInbox" if sensitive else "NewMessagePrivateInbox",
        thread.id,
        "" if sensitive else thread.subject[:255],
        "" if sensitive else message.sender_id,
        reverse("messaging:thread", args=[thread.id]),
        timezone.now(),
        dedupe_key,
        thread.id,
        message.sender_id,
    ]
    # Someone in the thread who wants messages by e-mail at once (the sender too: the task leaves them out).
    wants_email = (
        f"SELECT 1 FROM {table(NotificationSetting)} n JOIN {subscriptions} s ON s.person_id = n.person_id "  # noqa: S608
        "WHERE s.thread_id = %s AND n.area = %s AND n.delivery = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = max(cursor.rowcount, 0)
        cursor.execute(f"{wants_email} LIMIT 1", [thread.id, Area.MESSAGES, Delivery.INSTANT])
        anyone = cursor.fetchone() is not None
    if anyone:
        transaction.on_commit(lambda: send_instant_emails(dedupe_key))
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


def notify_new_post(post_id: int) -> int:
    """One notification per person a new post is for: the groups' members in the chosen portal roles and
    the guardians (with custody or daily care) of the children in them; for a post to the whole
    institution, its people in those roles. One INSERT … SELECT; safe to run twice."""
    from kinabog.posts import notify

    statement = notify.new_post_recipients_sql(post_id)
    if statement is None:
        return 0
    select_sql, select_params, post = statement
    table = Notification._meta.db_table
    sql = (
        f"INSERT INTO {table} (person_id, profile_id, area, event_type, thread_id, title, sender_name, url, "  # noqa: S608
        f"created_at, dedupe_key) "
        f"SELECT q.person_id, MIN(q.profile_id), %s, %s, NULL, %s, %s, %s, %s, %s FROM ({select_sql}) AS q "
        f"WHERE q.person_id <> %s GROUP BY q.person_id "
        f"ON CONFLICT (person_id, dedupe_key) DO NOTHING"
    )
    author = post.author.person if post.author else None
    params: list[Any] = [
        Area.POSTS,
        "PostSharedWithMe",
        post.title[:255],
        _public_name(author) if author else "",
        reverse("posts:post", args=[post.id]),
        timezone.now(),
        f"post:{post.id}",
        *select_params,
        author.id if author else -1,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = max(cursor.rowcount, 0)
    send_instant_emails(f"post:{post.id}")
    return written


def send_instant_emails(dedupe_key: str, *, prefix: bool = False) -> None:
    """Queue the instant e-mails of one event (with `prefix`, also of the keys that continue it); a broker
    that does not answer sends them here instead. Call it after the notifications are committed."""
    from . import tasks

    try:
        tasks.send_instant_emails.delay(dedupe_key, prefix=prefix)
    except Exception:  # any broker failure: the notifications are written, e-mail them in-process
        logger.warning("e-mail %s: broker unavailable, sending in-process", dedupe_key, exc_info=True)
        tasks.send_instant_emails(dedupe_key, prefix=prefix)


def notify_person(
    *, person_id: int, profile_id: int | None, area: str, event_type: str, title: str, url: str, dedupe_key: str
) -> bool:
    """One notification to one person (e.g. a moderator's note to an author); a second call adds none."""
    _row, created = Notification.objects.get_or_create(
        person_id=person_id,
        dedupe_key=dedupe_key,
        defaults={
            "profile_id": profile_id,
            "area": area,
            "event_type": event_type,
            "title": title[:255],
            "url": url,
            "created_at": timezone.now(),
        },
    )
    return created
