"""Messages, recipients, search hits and notifications in Aula's shapes (conventions as in serializers.py).

Names of others are shown as the viewer may see them (an alias for a protected person). A sensitive
thread read without step-up is listed with `sensitive: true` and neither subject nor text.
Times are ISO-8601 with the Copenhagen offset, as Aula sends them.
"""

from __future__ import annotations

from datetime import datetime
from html import escape as escape_html
from typing import Any

from django.urls import reverse
from django.utils import timezone

from kinabog.core import html as core_html
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import Viewer
from kinabog.messaging import queries as messaging_queries

from .serializers import short_name

PREVIEW_LENGTH = 200
# Threads with at most this many participants list them on getThreads; larger ones give a count.
LISTED_RECIPIENTS = 10
PROFILE_OWNER = "institutionProfile"
INBOX_OWNER = "commonInbox"
GROUP_OWNER = "group"  # a Kinabog extension of startNewThread's recipients
# Message kinds → Aula's messageType.
MESSAGE_TYPES = {
    "message": "Message",
    "auto_reply": "AutoReply",
    "recipients_added": "RecipientsAdded",
    "left": "RecipientRemoved",
    "forward": "Forward",
}
SENSITIVE_LEVEL, NORMAL_LEVEL = 3, 2


def iso(moment: datetime | None) -> str | None:
    """A moment in Copenhagen time, as Aula sends them (the project's TIME_ZONE, which no request changes):
    a page of threads converts forty of these, and `timezone.localtime` looks the zone up each time."""
    return moment.astimezone(timezone.get_default_timezone()).isoformat(timespec="seconds") if moment else None


def preview(html: str) -> str:
    """A short plain-text preview of a message, as HTML (Aula's latestMessage is truncated)."""
    return escape_html(core_html.preview(html, PREVIEW_LENGTH))


# --- Mailbox owners and senders -------------------------------------------------------------------


def profile_owner(profile: Any) -> dict[str, Any]:
    return {
        "id": profile.id,
        "mailBoxOwnerType": PROFILE_OWNER,
        "profileId": profile.person_id,
        "portalRole": profile.portal_role,
        "isDeactivated": not profile.is_active,
        "isDeleted": False,
        "otpInboxId": None,
    }


def own_owner(viewer: Viewer, profile_id: int) -> dict[str, Any]:
    """The viewer's own mailbox (one of their profiles in the active role), from the viewer alone."""
    return {
        "id": profile_id,
        "mailBoxOwnerType": PROFILE_OWNER,
        "profileId": viewer.person_id,
        "portalRole": viewer.portal_role,
        "isDeactivated": False,
        "isDeleted": False,
        "otpInboxId": None,
    }


def inbox_owner(inbox: Any) -> dict[str, Any]:
    return {
        "id": inbox.id,
        "mailBoxOwnerType": INBOX_OWNER,
        "profileId": None,
        "portalRole": None,
        "isDeactivated": False,
        "isDeleted": False,
        "otpInboxId": None,
    }


def sender(viewer: Viewer, profile: Any | None, inbox: Any | None) -> dict[str, Any] | None:
    """Aula's MessageSender for a profile (with `person` loaded) or a common inbox."""
    if inbox is not None:
        name, owner = inbox.name, inbox_owner(inbox)
    elif profile is not None:
        name = institution_queries.display_name(viewer, profile.person, {profile.institution_id})
        owner = profile_owner(profile)
    else:
        return None
    return {
        "fullName": name,
        "shortName": short_name(name),
        "answerDirectlyName": name,
        "metadata": "",
        "profilePicture": None,
        "mailBoxOwner": owner,
    }


def recipient(viewer: Viewer, subscription: Any) -> dict[str, Any]:
    """A participant: a subscription with `profile__person` and `common_inbox` loaded, or a
    `listing.Participant`."""
    shown = sender(viewer, subscription.profile, subscription.common_inbox) or {}
    # Who has read what is not shown here: read status is for staff, on the message pages.
    return {**shown, "lastReadMessageId": None, "lastReadTimestamp": None, "leaveTime": None, "deletedAt": None}


class Names:
    """The senders and recipients named on one page, each built once. A page of twenty threads names the same
    few people on most of its rows (the viewer on every one), up to a hundred times; each is the same JSON
    wherever it is named, so the page may share it. Not kept beyond the page: what a viewer may see of a
    name can change between requests."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self._senders: dict[tuple[int | None, int | None], dict[str, Any] | None] = {}
        self._recipients: dict[tuple[int | None, int | None], dict[str, Any]] = {}

    def sender(self, profile: Any | None, inbox: Any | None) -> dict[str, Any] | None:
        key = (profile.id if profile is not None else None, inbox.id if inbox is not None else None)
        if key not in self._senders:
            self._senders[key] = sender(self.viewer, profile, inbox)
        return self._senders[key]

    def recipient(self, subscription: Any) -> dict[str, Any]:
        key = (subscription.profile_id, subscription.common_inbox_id)
        shown = self._recipients.get(key)
        if shown is None:
            shown = self._recipients[key] = recipient(self.viewer, subscription)
        return shown


# --- messaging.getThreads ------------------------------------------------------------------------


def thread_summary(
    viewer: Viewer,
    subscription: Any,
    participants: list[Any] | None,
    *,
    has_attachments: bool,
    names: Names | None = None,
) -> dict[str, Any]:
    """One row of getThreads, from a subscription loaded by listing.inbox_by_page_number; `has_attachments`
    tells whether the latest message has any; `names`, the page's, builds each name once."""
    names = names or Names(viewer)
    thread = subscription.thread
    hidden = thread.is_sensitive and not viewer.is_stepped_up
    listed = [names.recipient(p) for p in participants or []]
    # The inbox lists the viewer's own subscriptions: their profiles are the viewer's.
    own = next((p for p in viewer.profiles if p.id == subscription.profile_id), None)
    return {
        "id": thread.id,
        "subject": "" if hidden else thread.subject,
        "read": subscription.is_read,
        "sensitive": thread.is_sensitive,
        "muted": subscription.muted,
        "marked": subscription.marked,
        "leaveTime": None,
        "lastReadMessageId": None,
        "institutionCode": own.institution_code if own else None,
        "startedTime": iso(thread.created_at),
        "creator": names.sender(thread.creator, thread.creator_inbox),
        "recipients": listed,
        "extraRecipientsCount": max(thread.participant_count - len(listed), 0),
        "regardingChildren": [],
        "latestMessage": _latest_message(names, thread, hidden, has_attachments),
        "messageDraft": None,
        "mailBoxOwner": own_owner(viewer, own.id) if own else None,
        "subscriptionId": subscription.id,
        "subscriptionType": "unbundled",
        "numberOfBundleItems": None,
        "bundleId": None,
        "primarySubscriptionId": None,
        "isThreadOrSubscriptionDeleted": False,
        "isArchived": False,
        "folderId": None,
        "folderType": "normal",
        "currentFolder": None,
        "threadEntityLinkDto": None,
    }


def _latest_message(names: Names, thread: Any, hidden: bool, has_attachments: bool) -> dict[str, Any] | None:
    message = thread.last_message
    if message is None:
        return None
    return {
        "id": str(message.id),
        "threadId": thread.id,
        "sendDateTime": iso(message.sent_at),
        "text": {"html": "" if hidden else preview(message.text)},
        "sender": names.sender(message.sender, message.sender_inbox),
        "newRecipient": None,
        "hasAttachments": has_attachments,
        "pendingMedia": False,
    }


# --- messaging.getMessagesForThread ----------------------------------------------------------------


def message(viewer: Viewer, row: Any, *, can_reply: bool) -> dict[str, Any]:
    """One message (sender person, sender inbox and attachments loaded)."""
    kind = MESSAGE_TYPES.get(row.kind, "Other")
    if row.deleted_at is not None:
        kind = "MessageDeleted"
    elif kind == "Message" and row.edited_at is not None:
        kind = "MessageEdited"
    shown = sender(viewer, row.sender, row.sender_inbox)
    name = shown["fullName"] if shown else None
    attachments = list(row.attachments.all())
    return {
        "id": str(row.id),
        "messageType": kind,
        "sendDateTime": iso(row.sent_at),
        "deletedAt": iso(row.deleted_at),
        "text": {"html": row.text},
        "sender": shown,
        "canReplyToMessage": can_reply and row.kind == "message" and row.deleted_at is None,
        "hasAttachments": bool(attachments),
        "pendingMedia": False,
        "attachments": [_attachment(a) for a in attachments],
        "newRecipient": None,
        "newRecipients": None,
        "originalRecipients": None,
        "leaverName": name if row.kind == "left" else None,
        "leaverNames": None,
        "inviterName": name if row.kind == "recipients_added" else None,
    }


def _attachment(row: Any) -> dict[str, Any]:
    # Served by the message pages, which check again that the viewer takes part in the thread.
    url = reverse("messaging:attachment", args=[row.id])
    return {"id": row.id, "name": row.name, "file": {"name": row.name, "url": url}, "media": None, "link": None}


def thread_detail(
    viewer: Viewer,
    subscription: Any,
    page: messaging_queries.MessagePage,
    page_number: int,
    participants: list[Any],
) -> dict[str, Any]:
    thread = subscription.thread
    may_reply = messaging_queries.can_reply(viewer, thread)
    messages = [message(viewer, row, can_reply=may_reply) for row in page.messages]
    owner = own_owner(viewer, subscription.profile_id) if subscription.profile_id else None
    return {
        "id": thread.id,
        "subject": thread.subject,
        "sensitive": thread.is_sensitive,
        "messages": messages,
        # The oldest message is on the last page only.
        "firstMessage": messages[-1] if messages and not page.more else None,
        "totalMessageCount": page.total,
        "moreMessagesExist": page.more,
        "page": page_number,
        "threadStartedDateTime": iso(thread.created_at),
        "threadCreator": sender(viewer, thread.creator, thread.creator_inbox),
        "recipients": [recipient(viewer, p) for p in participants],
        "isThreadForwarded": False,
        "hasSecureDocuments": False,
        "muted": subscription.muted,
        "marked": subscription.marked,
        "isMarked": subscription.marked,
        "mailboxOwner": owner,
        "mailBoxOwner": owner,
        "threadEntityLinkDto": None,
        "folderName": None,
    }


# --- search.findRecipients and search.findMessage --------------------------------------------------

RECIPIENT_DOC_TYPES = {"profile": "Profile", "group": "Group", "common_inbox": "CommonInbox"}
RECIPIENT_OWNER_TYPES = {"profile": PROFILE_OWNER, "group": GROUP_OWNER, "common_inbox": INBOX_OWNER}


def recipient_candidate(candidate: messaging_queries.RecipientCandidate) -> dict[str, Any]:
    result = {
        "docType": RECIPIENT_DOC_TYPES[candidate.kind],
        "id": candidate.id,
        "name": candidate.label,
        "label": candidate.label,
        "shortName": short_name(candidate.label),
        "metadata": candidate.detail,
        "mailBoxOwnerType": RECIPIENT_OWNER_TYPES[candidate.kind],
    }
    if candidate.kind == "profile":
        result |= {"institutionProfileId": candidate.id, "fullName": candidate.label, "relatedProfiles": []}
    else:
        result["institutionName"] = candidate.detail
    return result


def message_hit(hit: messaging_queries.MessageHit) -> dict[str, Any]:
    row = hit.message
    thread = row.thread
    own = hit.subscription
    kind = "MessageEdited" if row.edited_at else MESSAGE_TYPES.get(row.kind, "Other")
    return {
        "subscriptionId": own.id if own else None,
        "institutionCode": hit.institution_code,
        "deleted": bool(own and own.deleted_at),
        "marked": bool(own and own.marked),
        "muted": bool(own and own.muted),
        "read": bool(own is None or own.is_read),
        "folderId": own.folder_id if own else None,
        "thread": {
            "id": thread.id,
            "subject": thread.subject,
            "sensitivityLevel": SENSITIVE_LEVEL if thread.is_sensitive else NORMAL_LEVEL,
            "isForwarded": False,
            "threadType": "thread",
        },
        "searchMessage": {
            "id": str(row.id),
            "threadId": thread.id,
            "threadSubject": thread.subject,
            "text": row.text,
            "sendDateTime": iso(row.sent_at),
            "senderDisplayName": hit.sender_name,
            "senderEmail": None,
            "messageType": kind,
            "unread": bool(own and not own.is_read),
            "attachments": [],
        },
        "recipients": [],
        "extraRecipientsCount": thread.participant_count,
        "regardingChildren": [],
        "messageDraft": None,
    }


# --- notifications.getNotificationsForActiveProfile -------------------------------------------------


def notification(row: Any) -> dict[str, Any]:
    """A notification (profile and institution loaded). Sensitive ones carry neither title nor sender."""
    profile = row.profile
    return {
        "notificationId": str(row.id),
        "notificationEventType": row.event_type,
        "notificationArea": row.area,
        # Messages show as a count on Beskeder; everything else in the list of alerts.
        "notificationType": "Badge" if row.area == "Messages" else "Alert",
        "institutionCode": profile.institution.code if profile else None,
        "institutionProfileId": row.profile_id,
        "triggered": iso(row.created_at),
        "expires": None,
        "title": row.title or None,
        "originalTitle": row.title or None,
        "threadId": row.thread_id,
        "senderName": row.sender_name or None,
        "messageText": None,
        "content": None,
        "url": row.url,
        "relatedChildInstitutionProfileId": None,
        "relatedChildName": None,
        "isSeen": row.seen_at is not None,
    }
