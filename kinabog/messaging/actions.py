"""Writes of messages: check access → write → audit → notify after commit.

Recipients are expanded and stored set-based: one INSERT … SELECT writes every subscription of a
thread, one row per person however many of the chosen groups they are in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput, NotFound, Refused, StepUpRequired
from kinabog.core.html import is_blank, sanitise
from kinabog.core.sql import insert, marks, table
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import ProfileInfo, Viewer
from kinabog.institutions.models import InstitutionProfile, PortalRole
from kinabog.notifications import actions as notifications

from . import access, queries, tasks
from .models import AutoReply, CommonInbox, Folder, Message, MessageKind, Subscription, Thread

SUBJECT_MAX = 255
TEXT_MAX = 50_000
TRASH_DAYS = 30
# Threads of at most this many participants get their notifications in the send itself (decision 0016).
SIDE_EFFECTS_IN_SEND_UP_TO = 100


@dataclass
class Recipients:
    profile_ids: list[int] = field(default_factory=list)
    # (group id, portal role filter: "" all, "guardian", "employee", "child")
    groups: list[tuple[int, str]] = field(default_factory=list)
    common_inbox_ids: list[int] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.profile_ids or self.groups or self.common_inbox_ids)


def _writing_profile(viewer: Viewer, institution_hint: int | None = None) -> ProfileInfo:
    """The profile the viewer writes from, as the Viewer knows it: one in the active portal role allowed
    to write."""
    candidates = [p for p in viewer.profiles if "write_message" in viewer.permissions.get(p.institution_id, ())]
    if not candidates:
        raise Refused(_("You may not write messages."))
    return next((p for p in candidates if p.institution_id == institution_hint), candidates[0])


def _sender_profile(viewer: Viewer, institution_hint: int | None = None) -> InstitutionProfile:
    """The profile the viewer writes from, loaded."""
    chosen = _writing_profile(viewer, institution_hint)
    return InstitutionProfile.objects.select_related("institution").get(pk=chosen.id)


def _me(viewer: Viewer) -> int:
    """The viewer's person id; a login without a person takes part in no thread."""
    if viewer.person_id is None:
        raise NotFound
    return viewer.person_id


def _clean_text(text: str) -> str:
    cleaned = sanitise(text)
    if is_blank(cleaned):
        raise InvalidInput(_("Write a message."), field="text")
    if len(cleaned) > TEXT_MAX:
        raise InvalidInput(_("The message is too long."), field="text")
    return cleaned


def _check_recipients(viewer: Viewer, recipients: Recipients) -> None:
    if recipients.is_empty():
        raise InvalidInput(_("Choose at least one recipient."), field="recipients")
    blocked = institution_queries.blocked_channels_for(viewer)
    if set(recipients.profile_ids) - queries.reachable_profile_ids(viewer, recipients.profile_ids, blocked):
        raise InvalidInput(_("You cannot write to one of the chosen recipients."), field="recipients")
    group_ids = [g for g, _role in recipients.groups]
    if set(group_ids) - queries.messageable_group_ids(viewer, group_ids):
        raise InvalidInput(_("You cannot write to one of the chosen groups."), field="recipients")
    valid_roles = {"", PortalRole.GUARDIAN, PortalRole.EMPLOYEE, PortalRole.CHILD}
    if any(role not in valid_roles for _g, role in recipients.groups):
        raise InvalidInput(_("Choose who in the group should receive the message."), field="recipients")
    for _g, role in recipients.groups:
        roles = [role] if role else [PortalRole.GUARDIAN, PortalRole.EMPLOYEE, PortalRole.CHILD]
        if any((viewer.portal_role, r) in blocked for r in roles):
            raise InvalidInput(
                _("Your municipality does not allow messages between these kinds of profile."), field="recipients"
            )
    if set(recipients.common_inbox_ids) - queries.reachable_inbox_ids(viewer, recipients.common_inbox_ids):
        raise InvalidInput(_("You cannot write to one of the chosen common inboxes."), field="recipients")


def _new_message(thread: Thread, sender_id: int, text: str, now: datetime) -> Message:
    """A message from a profile, with its thread loaded."""
    message = insert(
        Message,
        {
            "thread_id": thread.id,
            "kind": MessageKind.MESSAGE,
            "sender_id": sender_id,
            "sender_inbox_id": None,
            "text": text,
            "sent_at": now,
            "edited_at": None,
            "deleted_at": None,
        },
    )
    Message.thread.field.set_cached_value(message, thread)
    return message


def _insert_subscriptions(thread: Thread, recipients: Recipients, sender: ProfileInfo, sender_person_id: int) -> int:
    """Write the sender's subscription (read) and one per recipient person with a single INSERT … SELECT;
    returns how many recipients it wrote."""
    leaves = queries.expand_groups(recipients.groups)
    selects = queries.recipient_selects(leaves, recipients.profile_ids)
    now = thread.last_message_at
    columns = "thread_id, person_id, profile_id, last_message_at, is_read, read_at, marked, muted"
    sql = f"INSERT INTO {Subscription._meta.db_table} ({columns}) SELECT %s, %s, %s, %s, TRUE, %s, FALSE, FALSE"
    params: list[Any] = [thread.id, sender_person_id, sender.id, now, now]
    if selects:
        select_sql, select_params = queries.recipients_select_sql(selects)
        sql += (
            " UNION ALL SELECT %s, q.person_id, q.profile_id, %s, FALSE, NULL, FALSE, FALSE "  # noqa: S608
            f"FROM ({select_sql}) AS q WHERE q.person_id <> %s"
        )
        params += [thread.id, now, *select_params, sender_person_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount - 1, 0)


@transaction.atomic
def start_thread(
    viewer: Viewer,
    *,
    subject: str,
    text: str,
    recipients: Recipients,
    sensitive: bool = False,
    replies_to_sender_only: bool | None = None,
) -> Thread:
    """Start a thread. Refuses, writing nothing, when any part of the input is not acceptable."""
    subject = subject.strip()
    if not subject:
        raise InvalidInput(_("Write a subject."), field="subject")
    if len(subject) > SUBJECT_MAX:
        raise InvalidInput(_("The subject is too long."), field="subject")
    body = _clean_text(text)
    if sensitive and not access.can_mark_sensitive(viewer):
        raise StepUpRequired
    _check_recipients(viewer, recipients)
    sender = _writing_profile(viewer)  # the Viewer's own: a new thread reads no profile
    me = _me(viewer)
    now = timezone.now()
    # Written out (core.sql.insert): the ORM's saves cost a send more CPU than the statements they wrote.
    thread = insert(
        Thread,
        {
            "created_at": now,
            "updated_at": now,
            "municipality_id": sender.municipality_id,
            "subject": subject,
            "creator_id": sender.id,
            "creator_inbox_id": None,
            "is_sensitive": sensitive,
            "is_broadcast": False,
            "reply_to_id": None,
            "reply_person_id": None,
            "last_message_id": None,
            "last_message_at": now,
            "participant_count": 0,
        },
    )
    message = _new_message(thread, sender.id, body, now)
    count = _insert_subscriptions(thread, recipients, sender, me)
    Subscription.objects.bulk_create(
        [Subscription(thread=thread, common_inbox_id=i, last_message_at=now) for i in set(recipients.common_inbox_ids)]
    )
    count += len(set(recipients.common_inbox_ids))
    if count == 0:
        raise InvalidInput(_("None of the chosen recipients can receive messages."), field="recipients")
    if count > access.recipient_limit() and not access.may_use_groups_as_distribution_lists(viewer):
        raise InvalidInput(
            _("A message may have at most %(limit)s recipients.") % {"limit": access.recipient_limit()},
            field="recipients",
        )
    is_broadcast = (
        replies_to_sender_only
        if replies_to_sender_only is not None
        else bool(recipients.groups) and count > access.broadcast_threshold()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(Thread)} SET last_message_id = %s, participant_count = %s, is_broadcast = %s "  # noqa: S608
            "WHERE id = %s",
            [message.id, count + 1, is_broadcast, thread.id],
        )
    thread.last_message = message
    thread.participant_count = count + 1
    thread.is_broadcast = is_broadcast
    audit.record(actor_id=viewer.user_id, action="start_thread", obj=thread, assurance_level=viewer.assurance_level)
    _side_effects(message)
    return thread


@transaction.atomic
def reply(viewer: Viewer, thread_id: int, text: str, *, to_sender_only: bool = False) -> Message:
    """Answer a thread. In a broadcast, and when asked, the answer goes to the starter only."""
    subscription = queries.get_subscription(viewer, thread_id)
    thread = subscription.thread
    body = _clean_text(text)
    if thread.is_sensitive and not viewer.is_stepped_up:
        raise StepUpRequired
    sender = _sender_profile(viewer)
    if (thread.is_broadcast or to_sender_only) and thread.creator and thread.creator.person_id != viewer.person_id:
        return _reply_privately(viewer, thread, sender, body)
    now = timezone.now()
    message = _new_message(thread, sender.id, body, now)
    Message.sender.field.set_cached_value(message, sender)
    Thread.objects.filter(pk=thread.pk).update(last_message=message, last_message_at=now)
    # Everyone else gets the thread back as unread; leavers and the trash stay as they are.
    Subscription.objects.filter(thread=thread, left_at__isnull=True).exclude(person_id=_me(viewer)).update(
        last_message_at=now, is_read=False, deleted_at=None
    )
    Subscription.objects.filter(thread=thread, person_id=_me(viewer)).update(
        last_message_at=now, is_read=True, read_at=now
    )
    _side_effects(message)
    return message


def after_new_message(message: Message | int) -> None:
    """Side effects of a new message (with its thread loaded, or its id): the notifications and the
    auto-replies, each safe to run twice. The message is read once for all of them."""
    if isinstance(message, int):
        loaded = queries.new_message(message)
        if loaded is None:
            return
        message = loaded
    notifications.notify_new_message(message)
    send_auto_replies(message)


def _side_effects(message: Message) -> None:
    """A new message's side effects. In an ordinary thread they are written in the sender's own transaction:
    a few rows cost less than queueing a job for the worker, and the notifications can never be lost or late.
    A large thread's wait for the worker after commit, so the sender does not wait for thousands of rows
    (decision 0016)."""
    if message.thread.participant_count <= SIDE_EFFECTS_IN_SEND_UP_TO:
        after_new_message(message)
    else:
        transaction.on_commit(lambda: tasks.schedule_after_new_message(message.id))


def _reply_privately(viewer: Viewer, thread: Thread, sender: InstitutionProfile, body: str) -> Message:
    """Continue (or start) this person's private thread with the starter of `thread`."""
    assert thread.creator is not None
    now = timezone.now()
    private, created = Thread.objects.get_or_create(
        reply_to=thread,
        reply_person_id=_me(viewer),
        defaults={
            "municipality_id": thread.municipality_id,
            "subject": _("Re: %(subject)s") % {"subject": thread.subject},
            "creator": sender,
            "is_sensitive": thread.is_sensitive,
            "last_message_at": now,
            "participant_count": 2,
        },
    )
    message = Message.objects.create(thread=private, sender=sender, text=body, sent_at=now)
    Thread.objects.filter(pk=private.pk).update(last_message=message, last_message_at=now)
    if created:
        Subscription.objects.bulk_create(
            [
                Subscription(thread=private, person_id=_me(viewer), profile=sender, last_message_at=now, is_read=True),
                Subscription(
                    thread=private,
                    person_id=thread.creator.person_id,
                    profile_id=thread.creator_id,
                    last_message_at=now,
                ),
            ]
        )
    else:
        Subscription.objects.filter(thread=private).exclude(person_id=_me(viewer)).update(
            last_message_at=now, is_read=False, deleted_at=None
        )
        Subscription.objects.filter(thread=private, person_id=_me(viewer)).update(last_message_at=now, is_read=True)
    _side_effects(message)
    return message


def open_thread(viewer: Viewer, thread_id: int, common_inbox_id: int | None = None) -> Subscription:
    """Read a thread: marks it read. Sensitive threads need level 3 and each read is audited."""
    subscription = queries.get_subscription(viewer, thread_id, common_inbox_id)
    if subscription.thread.is_sensitive:
        if not viewer.is_stepped_up:
            raise StepUpRequired
        audit.record(
            actor_id=viewer.user_id,
            action="read_sensitive_thread",
            obj=subscription.thread,
            assurance_level=viewer.assurance_level,
        )
    if not subscription.is_read:
        now = timezone.now()
        Subscription.objects.filter(pk=subscription.pk).update(is_read=True, read_at=now)
        subscription.is_read = True
        subscription.read_at = now
    return subscription


def set_state(
    viewer: Viewer,
    thread_id: int,
    *,
    read: bool | None = None,
    marked: bool | None = None,
    muted: bool | None = None,
) -> None:
    subscription = queries.get_subscription(viewer, thread_id)
    changes: dict[str, object] = {}
    if read is not None:
        changes["is_read"] = read
        changes["read_at"] = timezone.now() if read else None
    if marked is not None:
        changes["marked"] = marked
    if muted is not None:
        changes["muted"] = muted
    if changes:
        Subscription.objects.filter(pk=subscription.pk).update(**changes)


def move_to_trash(viewer: Viewer, thread_id: int) -> None:
    subscription = queries.get_subscription(viewer, thread_id)
    Subscription.objects.filter(pk=subscription.pk).update(deleted_at=timezone.now())


def restore_from_trash(viewer: Viewer, thread_id: int) -> None:
    subscription = queries.get_subscription(viewer, thread_id)
    if subscription.deleted_at is None:
        return
    if subscription.deleted_at < timezone.now() - timedelta(days=TRASH_DAYS):
        raise NotFound
    Subscription.objects.filter(pk=subscription.pk).update(deleted_at=None)


@transaction.atomic
def leave_thread(viewer: Viewer, thread_id: int) -> None:
    subscription = queries.get_subscription(viewer, thread_id)
    now = timezone.now()
    Subscription.objects.filter(pk=subscription.pk).update(left_at=now)
    sender = _sender_profile(viewer)
    Message.objects.create(thread_id=thread_id, sender=sender, kind=MessageKind.LEFT, text="", sent_at=now)


@transaction.atomic
def edit_message(viewer: Viewer, thread_id: int, message_id: int, text: str) -> Message:
    queries.get_subscription(viewer, thread_id)
    message = Message.objects.filter(
        pk=message_id, thread_id=thread_id, sender__person_id=_me(viewer), deleted_at__isnull=True
    ).first()
    if message is None:
        raise NotFound
    message.text = _clean_text(text)
    message.edited_at = timezone.now()
    message.save(update_fields=["text", "edited_at"])
    return message


@transaction.atomic
def delete_message(viewer: Viewer, thread_id: int, message_id: int) -> Message:
    queries.get_subscription(viewer, thread_id)
    message = Message.objects.filter(
        pk=message_id, thread_id=thread_id, sender__person_id=_me(viewer), deleted_at__isnull=True
    ).first()
    if message is None:
        raise NotFound
    message.text = ""
    message.deleted_at = timezone.now()
    message.save(update_fields=["text", "deleted_at"])
    return message


# --- Recipients added later, forwarding, sensitivity ---------------------------------------------


@transaction.atomic
def add_recipients(viewer: Viewer, thread_id: int, recipients: Recipients) -> int:
    """Add people, groups or common inboxes to a thread; those already in it are not added twice."""
    subscription = queries.get_subscription(viewer, thread_id)
    thread = subscription.thread
    if thread.is_broadcast:
        raise Refused(_("Recipients cannot be added to a message to a whole group."))
    _check_recipients(viewer, recipients)
    sender = _sender_profile(viewer)
    already = set(Subscription.objects.filter(thread=thread, person__isnull=False).values_list("person_id", flat=True))
    before = Subscription.objects.filter(thread=thread).count()
    _insert_new_subscriptions(thread, recipients, already | {_me(viewer)})
    inbox_ids = set(recipients.common_inbox_ids) - set(
        Subscription.objects.filter(thread=thread, common_inbox__isnull=False).values_list("common_inbox_id", flat=True)
    )
    Subscription.objects.bulk_create(
        [Subscription(thread=thread, common_inbox_id=i, last_message_at=thread.last_message_at) for i in inbox_ids]
    )
    added = Subscription.objects.filter(thread=thread).count() - before
    if thread.participant_count + added > access.recipient_limit() and not access.may_use_groups_as_distribution_lists(
        viewer
    ):
        raise InvalidInput(
            _("A message may have at most %(limit)s recipients.") % {"limit": access.recipient_limit()},
            field="recipients",
        )
    if added:
        now = timezone.now()
        Message.objects.create(thread=thread, sender=sender, kind=MessageKind.RECIPIENTS_ADDED, text="", sent_at=now)
        Thread.objects.filter(pk=thread.pk).update(participant_count=thread.participant_count + added)
    return added


def _insert_new_subscriptions(thread: Thread, recipients: Recipients, exclude_person_ids: set[int]) -> None:
    leaves = queries.expand_groups(recipients.groups)
    selects = queries.recipient_selects(leaves, recipients.profile_ids)
    if not selects:
        return
    select_sql, params = queries.recipients_select_sql(selects)
    table = Subscription._meta.db_table
    sql = (
        f"INSERT INTO {table} (thread_id, person_id, profile_id, last_message_at, is_read, marked, muted) "  # noqa: S608
        f"SELECT %s, q.person_id, q.profile_id, %s, FALSE, FALSE, FALSE FROM ({select_sql}) AS q "
        f"WHERE q.person_id NOT IN ({marks(exclude_person_ids)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [thread.id, thread.last_message_at, *params, *sorted(exclude_person_ids)])


@transaction.atomic
def forward(viewer: Viewer, thread_id: int, *, recipients: Recipients, text: str = "") -> Thread:
    """Forward a thread's messages as a new thread, quoting them."""
    subscription = open_thread(viewer, thread_id)
    original = subscription.thread
    quoted = "".join(
        f"<blockquote>{m.text}</blockquote>" for m in queries.thread_messages(original) if m.kind == MessageKind.MESSAGE
    )
    intro = sanitise(text) if text and not is_blank(sanitise(text)) else ""
    return start_thread(
        viewer,
        subject=_("Fwd: %(subject)s") % {"subject": original.subject},
        text=f"{intro}{quoted}" or "<p></p>",
        recipients=recipients,
        sensitive=original.is_sensitive,
    )


def set_sensitive(viewer: Viewer, thread_id: int, sensitive: bool) -> None:
    """Mark or unmark a thread as sensitive: level 3 only."""
    subscription = queries.get_subscription(viewer, thread_id)
    if not access.can_mark_sensitive(viewer):
        raise StepUpRequired
    Thread.objects.filter(pk=subscription.thread_id).update(is_sensitive=sensitive)
    audit.record(
        actor_id=viewer.user_id,
        action="mark_sensitive" if sensitive else "unmark_sensitive",
        obj=subscription.thread,
        assurance_level=viewer.assurance_level,
    )


# --- Folders, common inboxes, auto-reply ------------------------------------------------------------


def create_folder(viewer: Viewer, name: str, common_inbox_id: int | None = None) -> Folder:
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput(_("Give the folder a name of at most 80 characters."), field="name")
    if common_inbox_id is not None:
        queries.require_common_inbox_member(viewer, common_inbox_id)
        return Folder.objects.create(common_inbox_id=common_inbox_id, name=name)
    if viewer.portal_role != PortalRole.EMPLOYEE or not viewer.profiles:
        raise Refused(_("Folders are for staff."))
    return Folder.objects.create(owner_id=viewer.profiles[0].id, name=name)


def move_to_folder(viewer: Viewer, thread_id: int, folder_id: int | None) -> None:
    subscription = queries.get_subscription(viewer, thread_id)
    if folder_id is not None and folder_id not in {f.id for f in queries.my_folders(viewer)}:
        raise NotFound
    Subscription.objects.filter(pk=subscription.pk).update(folder_id=folder_id)


def set_auto_reply(viewer: Viewer, *, text: str, starts_at: datetime, ends_at: datetime) -> AutoReply:
    if viewer.portal_role != PortalRole.EMPLOYEE or not viewer.profiles:
        raise Refused(_("Auto-replies are for staff."))
    body = _clean_text(text)
    if ends_at <= starts_at:
        raise InvalidInput(_("The end must be after the start."), field="ends_at")
    reply_row, _created = AutoReply.objects.update_or_create(
        profile_id=viewer.profiles[0].id, defaults={"text": body, "starts_at": starts_at, "ends_at": ends_at}
    )
    return reply_row


def clear_auto_reply(viewer: Viewer) -> None:
    AutoReply.objects.filter(profile_id__in=viewer.profile_ids).delete()


def send_auto_replies(message: Message | int) -> int:
    """After a new message (loaded with its thread, or its id): staff recipients with an active auto-reply
    answer once per thread."""
    if isinstance(message, int):
        loaded = Message.objects.select_related("thread").filter(pk=message).first()
        if loaded is None:
            return 0
        message = loaded
    if message.kind != MessageKind.MESSAGE or message.thread.is_broadcast:
        return 0
    now = timezone.now()
    replies = queries.active_auto_replies(message.thread_id, message.sender_id, now)
    if not replies:  # the common case: one query
        return 0
    already = set(
        Message.objects.filter(thread_id=message.thread_id, kind=MessageKind.AUTO_REPLY).values_list(
            "sender_id", flat=True
        )
    )
    rows = [
        Message(
            thread_id=message.thread_id, sender_id=r.profile_id, kind=MessageKind.AUTO_REPLY, text=r.text, sent_at=now
        )
        for r in replies
        if r.profile_id not in already
    ]
    Message.objects.bulk_create(rows)
    return len(rows)


def _administered_inbox(viewer: Viewer, common_inbox_id: int) -> CommonInbox:
    inbox_row = CommonInbox.objects.filter(pk=common_inbox_id).first()
    if inbox_row is None or not access.can_administer_common_inboxes(viewer, inbox_row.institution_id):
        raise NotFound
    return inbox_row


def create_common_inbox(viewer: Viewer, institution_id: int, name: str) -> CommonInbox:
    """Institution administrators set up a fællespostkasse, e.g. "Kontoret"."""
    if not access.can_administer_common_inboxes(viewer, institution_id):
        raise NotFound
    name = name.strip()
    if not name or len(name) > 120:
        raise InvalidInput(_("Give the common inbox a name of at most 120 characters."), field="name")
    if CommonInbox.objects.filter(institution_id=institution_id, name__iexact=name).exists():
        raise InvalidInput(_("The institution already has a common inbox with that name."), field="name")
    inbox_row = CommonInbox.objects.create(institution_id=institution_id, name=name)
    audit.record(actor_id=viewer.user_id, action="create_common_inbox", obj=inbox_row)
    return inbox_row


def add_common_inbox_member(viewer: Viewer, common_inbox_id: int, profile_id: int) -> None:
    """Institution administrators decide who works in a common inbox."""
    inbox_row = _administered_inbox(viewer, common_inbox_id)
    if not InstitutionProfile.objects.filter(
        pk=profile_id, institution_id=inbox_row.institution_id, role="employee", is_active=True
    ).exists():
        raise InvalidInput(_("Only staff of the institution can work in its common inbox."), field="profile")
    inbox_row.members.add(profile_id)
    audit.record(actor_id=viewer.user_id, action="add_common_inbox_member", obj=inbox_row, reason=str(profile_id))


def remove_common_inbox_member(viewer: Viewer, common_inbox_id: int, profile_id: int) -> None:
    inbox_row = _administered_inbox(viewer, common_inbox_id)
    inbox_row.members.remove(profile_id)
    audit.record(actor_id=viewer.user_id, action="remove_common_inbox_member", obj=inbox_row, reason=str(profile_id))


@transaction.atomic
def reply_from_common_inbox(viewer: Viewer, common_inbox_id: int, thread_id: int, text: str) -> Message:
    """A member answers on behalf of the common inbox; the message shows who answered."""
    subscription = queries.get_subscription(viewer, thread_id, common_inbox_id)
    thread = subscription.thread
    body = _clean_text(text)
    if thread.is_sensitive and not viewer.is_stepped_up:
        raise StepUpRequired
    sender = _sender_profile(viewer)
    now = timezone.now()
    message = Message.objects.create(
        thread=thread, sender=sender, sender_inbox_id=common_inbox_id, text=body, sent_at=now
    )
    Thread.objects.filter(pk=thread.pk).update(last_message=message, last_message_at=now)
    Subscription.objects.filter(thread=thread, left_at__isnull=True).exclude(common_inbox_id=common_inbox_id).update(
        last_message_at=now, is_read=False, deleted_at=None
    )
    Subscription.objects.filter(pk=subscription.pk).update(last_message_at=now, is_read=True, read_at=now)
    _side_effects(message)
    return message


def move_common_inbox_thread_to_folder(
    viewer: Viewer, common_inbox_id: int, thread_id: int, folder_id: int | None
) -> None:
    """File a common inbox's thread in one of the inbox's folders (None: back to the inbox)."""
    subscription = queries.get_subscription(viewer, thread_id, common_inbox_id)
    if folder_id is not None and folder_id not in {f.id for f in queries.my_folders(viewer, common_inbox_id)}:
        raise NotFound
    Subscription.objects.filter(pk=subscription.pk).update(folder_id=folder_id)


def mark_common_inbox_thread_unread(viewer: Viewer, common_inbox_id: int, thread_id: int) -> None:
    subscription = queries.get_subscription(viewer, thread_id, common_inbox_id)
    Subscription.objects.filter(pk=subscription.pk).update(is_read=False, read_at=None)
