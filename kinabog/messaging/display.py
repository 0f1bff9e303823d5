"""What the message pages show of what queries return: names as the viewer may see them, previews,
sensitive threads closed until level 3, and which buttons a thread offers.

Pure functions of the viewer and rows already loaded; the one exception, read_status, asks queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import unescape

from django.utils import timezone

from kinabog.core import html as core_html
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import PortalRole

from . import access, actions, queries
from .models import Message, MessageKind, Subscription, Thread

PREVIEW_LENGTH = 110


def is_staff(viewer: Viewer) -> bool:
    """Staff have folders, auto-replies and read status."""
    return viewer.portal_role == PortalRole.EMPLOYEE


@dataclass(frozen=True)
class InboxEntry:
    subscription: Subscription
    thread: Thread
    # A sensitive thread before step-up: the list shows that it exists, nothing of its content.
    closed: bool
    subject: str
    sender: str
    preview: str
    deleted: bool  # the newest message was deleted
    restorable_until: datetime | None  # in the trash: the last moment it can be restored

    @property
    def restorable(self) -> bool:
        return self.restorable_until is not None and self.restorable_until > timezone.now()


def inbox_entries(viewer: Viewer, subscriptions: list[Subscription]) -> list[InboxEntry]:
    entries = []
    for subscription in subscriptions:
        thread = subscription.thread
        message = thread.last_message
        closed = thread.is_sensitive and not viewer.is_stepped_up
        restorable_until = (
            subscription.deleted_at + timedelta(days=actions.TRASH_DAYS) if subscription.deleted_at else None
        )
        entries.append(
            InboxEntry(
                subscription=subscription,
                thread=thread,
                closed=closed,
                subject="" if closed else thread.subject,
                sender="" if closed or message is None else queries.display_sender(viewer, message),
                preview="" if closed or message is None else preview(message),
                deleted=bool(message and message.deleted_at),
                restorable_until=restorable_until,
            )
        )
    return entries


def preview(message: Message) -> str:
    return "" if message.deleted_at else core_html.preview(message.text, PREVIEW_LENGTH)


@dataclass(frozen=True)
class MessageEntry:
    message: Message
    sender: str
    answered_by: str  # the staff member who answered on behalf of a common inbox
    is_own: bool  # the viewer wrote it and may still edit or delete it

    @property
    def kind(self) -> str:
        return self.message.kind


def message_entries(viewer: Viewer, messages: list[Message]) -> list[MessageEntry]:
    entries = []
    for message in messages:
        sender = message.sender
        answered_by = ""
        if message.sender_inbox_id and sender is not None:
            answered_by = institution_queries.display_name(viewer, sender.person, {sender.institution_id})
        is_own = (
            message.kind == MessageKind.MESSAGE
            and message.deleted_at is None
            and sender is not None
            and sender.person_id == viewer.person_id
        )
        entries.append(MessageEntry(message, queries.display_sender(viewer, message), answered_by, is_own))
    return entries


@dataclass(frozen=True)
class ThreadInfo:
    subscription: Subscription
    thread: Thread
    creator_name: str
    is_creator: bool
    # A broadcast: the viewer's answer goes privately to its starter, and the recipients stay unnamed.
    answers_go_to_creator: bool
    may_answer_sender_only: bool
    may_add_recipients: bool
    participants: list[str]
    more_participants: int


def thread_info(viewer: Viewer, subscription: Subscription, common_inbox_id: int | None = None) -> ThreadInfo:
    thread = subscription.thread
    creator = thread.creator
    creator_name = institution_queries.display_name(viewer, creator.person, {creator.institution_id}) if creator else ""
    is_creator = creator is not None and creator.person_id == viewer.person_id and common_inbox_id is None
    answers_go_to_creator = not access.sees_recipients(viewer, thread, common_inbox_id)
    names: list[str] = []
    if not answers_go_to_creator:
        names = participant_names(viewer, queries.participants(thread))
    return ThreadInfo(
        subscription=subscription,
        thread=thread,
        creator_name=creator_name,
        is_creator=is_creator,
        answers_go_to_creator=answers_go_to_creator,
        may_answer_sender_only=(
            common_inbox_id is None
            and not thread.is_broadcast
            and creator is not None
            and not is_creator
            and thread.participant_count > 2
        ),
        may_add_recipients=common_inbox_id is None and not thread.is_broadcast,
        participants=names,
        more_participants=max(thread.participant_count - len(names), 0) if names else 0,
    )


def participant_names(viewer: Viewer, subscriptions: list[Subscription]) -> list[str]:
    names = []
    for subscription in subscriptions:
        if subscription.common_inbox_id and subscription.common_inbox:
            names.append(subscription.common_inbox.name)
        elif subscription.profile is not None:
            profile = subscription.profile
            names.append(institution_queries.display_name(viewer, profile.person, {profile.institution_id}))
    return names


@dataclass(frozen=True)
class ReadEntry:
    name: str
    is_read: bool
    read_at: datetime | None


def read_status(viewer: Viewer, subscription: Subscription) -> list[ReadEntry] | None:
    """Who has read the thread, for staff; None where the starter's institution has switched it off."""
    thread = subscription.thread
    if thread.creator is not None and not thread.creator.institution.show_message_read_status:
        return None
    rows = queries.read_status(viewer, thread)
    if rows is None:
        return None
    return [
        ReadEntry(
            institution_queries.display_name(viewer, row.profile.person, {row.profile.institution_id}),
            row.is_read,
            row.read_at,
        )
        for row in rows
        if row.person_id != viewer.person_id and row.profile is not None
    ]


BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
PARAGRAPH_END = re.compile(r"</(p|div|li|blockquote)>", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")


def editable_text(html: str) -> str:
    """A stored message as plain text for the edit box; plain_text_to_html turns it back."""
    text = PARAGRAPH_END.sub("\n\n", BREAK.sub("\n", html))
    text = unescape(TAG.sub("", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
