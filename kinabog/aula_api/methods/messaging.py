"""messaging.*: threads, messages, answers and read state (Beskeder).

A viewer sees only threads they (or a common inbox they work in) take part in; any other thread id
answers the not-found envelope, the same as an id that does not exist. Sensitive threads are listed
without subject or text below level 3 and their messages answer the step-up envelope (401, subCode 8).
"""

from __future__ import annotations

from typing import Any

from kinabog.messaging import access, actions, listing, queries
from kinabog.notifications import actions as notifications

from .. import errors
from .. import messaging_serializers as serializers
from ..params import ApiRequest, to_int
from ..registry import api_method

MAX_PAGE = 1000
MAX_MESSAGES_PER_PAGE = 100
THREAD_FILTERS = frozenset({"", "all", "unread"})
GROUP_ROLES = frozenset({"", "guardian", "employee", "child"})


def _page(api: ApiRequest) -> int:
    page = api.optional_integer("page", 0)
    if page is None or not 0 <= page <= MAX_PAGE:
        raise errors.bad_parameters()
    return page


@api_method("messaging.getThreads")
def get_threads(api: ApiRequest) -> dict[str, Any]:
    """The viewer's inbox, 20 threads a page (`page` 0-based), newest first; `filterOn=unread` narrows it."""
    page = _page(api)
    filter_on = (api.text("filterOn") or "").lower()
    if filter_on not in THREAD_FILTERS:
        raise errors.bad_parameters()
    viewer = api.viewer
    result = listing.inbox_by_page_number(viewer, page, unread_only=filter_on == "unread")
    named = [s.thread for s in result.subscriptions if access.sees_recipients(viewer, s.thread)]
    participants = listing.participants_of_small_threads(named, serializers.LISTED_RECIPIENTS)
    names = serializers.Names(viewer)
    return {
        "threads": [
            serializers.thread_summary(
                viewer,
                s,
                participants.get(s.thread_id),
                has_attachments=s.thread.last_message_id in result.with_attachments,
                names=names,
            )
            for s in result.subscriptions
        ],
        "page": page,
        "moreMessagesExist": result.more,
        "bundleId": None,
    }


@api_method("messaging.getMessagesForThread")
def get_messages_for_thread(api: ApiRequest) -> dict[str, Any]:
    """One page (0-based, newest first) of a thread's messages. Reading it marks it read."""
    thread_id = api.integer("threadId")
    page = _page(api)
    limit = api.optional_integer("limit", queries.PAGE_SIZE)
    if limit is None or not 1 <= limit <= MAX_MESSAGES_PER_PAGE:
        raise errors.bad_parameters()
    viewer = api.viewer
    # NotFound for a thread the viewer takes no part in; StepUpRequired for a sensitive one below level 3.
    common_inbox_id = api.optional_integer("commonInboxId")
    subscription = actions.open_thread(viewer, thread_id, common_inbox_id)
    if viewer.person_id is not None:
        notifications.mark_thread_seen(viewer.person_id, thread_id)
    thread = subscription.thread
    messages = queries.thread_messages_by_page_number(thread, page, limit=limit)
    participants = queries.participants(thread) if access.sees_recipients(viewer, thread, common_inbox_id) else []
    return serializers.thread_detail(viewer, subscription, messages, page, participants)


@api_method("messaging.startNewThread", verbs=("POST",))
def start_new_thread(api: ApiRequest) -> int:
    """Start a thread; answers the new thread's id.

    Recipients are `{id, mailBoxOwnerType}` with the type `institutionProfile` or `commonInbox`, or — a
    Kinabog extension — `group` with an optional `portalRole` (guardian, employee, child) to reach only
    that part of the group.
    """
    text = _message_text(api)
    recipients = _recipients(api.json_objects("recipients"))
    if api.json_objects("bccRecipients"):
        raise errors.bad_parameters()  # not supported: refused rather than sent without them
    thread = actions.start_thread(
        api.viewer,
        subject=api.text("subject") or "",
        text=text,
        recipients=recipients,
        sensitive=api.flag("sensitive"),
    )
    return int(thread.id)


@api_method("messaging.reply", verbs=("POST",))
def reply(api: ApiRequest) -> list[dict[str, Any]]:
    """Answer a thread (as a common inbox with `commonInboxId`). In a message to a whole group the
    answer goes to its sender only, in a thread of its own; the answer carries that thread's id."""
    thread_id = api.integer("threadId")
    text = _message_text(api)
    viewer = api.viewer
    common_inbox_id = api.optional_integer("commonInboxId")
    if common_inbox_id is None:
        row = actions.reply(viewer, thread_id, text)
    else:
        row = actions.reply_from_common_inbox(viewer, common_inbox_id, thread_id, text)
    shown = serializers.message(viewer, row, can_reply=True)
    return [{**shown, "threadId": row.thread_id}]


@api_method("messaging.setLastReadMessage", verbs=("POST",))
def set_last_read_message(api: ApiRequest) -> bool:
    """Mark a thread read up to a message. Kinabog keeps read state per thread, so the whole thread is read."""
    api.integer("messageId")
    thread_id = api.integer("threadId")
    if api.optional_integer("commonInboxId") is not None:
        raise errors.bad_parameters()  # read state of common inboxes is kept on the message pages
    viewer = api.viewer
    actions.set_state(viewer, thread_id, read=True)
    if viewer.person_id is not None:
        notifications.mark_thread_seen(viewer.person_id, thread_id)
    return True


def _message_text(api: ApiRequest) -> str:
    """`message: {text}`; the text may also come as `{html}` the way Aula sends it back.

    Attachments are not taken through this API yet: a message with them is refused, not sent without them.
    """
    message = api.json_object("message")
    if message.get("attachmentIds"):
        raise errors.bad_parameters()
    text = message.get("text")
    if isinstance(text, dict):
        text = text.get("html")
    if not isinstance(text, str):
        raise errors.bad_parameters()
    return text


def _recipients(items: list[dict[str, Any]]) -> actions.Recipients:
    recipients = actions.Recipients()
    for item in items:
        owner_type = str(item.get("mailBoxOwnerType", "")).lower()
        owner_id = to_int(item.get("id"))
        if owner_type == serializers.PROFILE_OWNER.lower():
            recipients.profile_ids.append(owner_id)
        elif owner_type == serializers.INBOX_OWNER.lower():
            recipients.common_inbox_ids.append(owner_id)
        elif owner_type == serializers.GROUP_OWNER:
            role = item.get("portalRole") or ""
            if not isinstance(role, str) or role.lower() not in GROUP_ROLES:
                raise errors.bad_parameters()
            recipients.groups.append((owner_id, role.lower()))
        else:
            raise errors.bad_parameters()
    return recipients
