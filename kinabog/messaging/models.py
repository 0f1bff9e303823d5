"""Beskeder: threads, messages, per-participant state, common inboxes, folders, auto-replies.

A thread's content is stored once; each participant has one Subscription row with their own state
(read, marked, muted, folder, trash). A broadcast to 30,000 guardians is one thread, one message and
30,000 subscription rows written by one INSERT … SELECT.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinabog.core.models import TimestampedModel
from kinabog.institutions.models import Institution, InstitutionProfile, Municipality, Person


class CommonInbox(TimestampedModel):
    """Fællespostkasse: an institution's shared inbox; its members are participants of its threads."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="common_inboxes")
    name = models.CharField(_("name"), max_length=120)
    members = models.ManyToManyField(InstitutionProfile, related_name="common_inboxes", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="common_inbox_unique_name")]

    def __str__(self) -> str:
        return self.name


class Thread(TimestampedModel):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("subject"), max_length=255)
    creator = models.ForeignKey(InstitutionProfile, null=True, on_delete=models.SET_NULL, related_name="+")
    creator_inbox = models.ForeignKey(CommonInbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Følsom: only a level-3 session may read it or mark it; notifications carry no content.
    is_sensitive = models.BooleanField(default=False)
    # Started to a large group: recipients answer the creator only, in a private thread of their own.
    is_broadcast = models.BooleanField(default=False)
    # A private answer to a broadcast (or "reply to sender only") points at the thread it answers.
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reply_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_message = models.ForeignKey("Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_message_at = models.DateTimeField(db_index=True)
    participant_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reply_to", "reply_person"],
                condition=Q(reply_to__isnull=False),
                name="thread_one_private_reply_per_person",
            )
        ]
        indexes = [
            # The few sensitive threads: a search without step-up leaves out their messages by looking here,
            # not by reading the thread of every match (queries.search_messages).
            models.Index(fields=["id"], condition=Q(is_sensitive=True), name="thread_sensitive"),
        ]

    def __str__(self) -> str:
        return self.subject


class MessageKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    AUTO_REPLY = "auto_reply", _("Auto-reply")
    RECIPIENTS_ADDED = "recipients_added", _("Recipients added")
    LEFT = "left", _("Left the thread")
    FORWARD = "forward", _("Forwarded")


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=MessageKind.choices, default=MessageKind.MESSAGE)
    sender = models.ForeignKey(InstitutionProfile, null=True, on_delete=models.SET_NULL, related_name="+")
    sender_inbox = models.ForeignKey(CommonInbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()  # sanitised HTML
    sent_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["thread", "sent_at"])]


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()


class Folder(TimestampedModel):
    """A staff member's (or a common inbox's) folder."""

    owner = models.ForeignKey(InstitutionProfile, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    common_inbox = models.ForeignKey(
        CommonInbox, null=True, blank=True, on_delete=models.CASCADE, related_name="folders"
    )
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False, common_inbox__isnull=True)
                | Q(owner__isnull=True, common_inbox__isnull=False),
                name="folder_one_owner",
            )
        ]


class Subscription(models.Model):
    """A participant's place in a thread: a person (through one profile) or a common inbox."""

    # No single-column index on the thread: subscription_one_per_person begins with it. No database
    # constraint on the person: the profile's constraint holds it (a profile belongs to its person, and
    # every subscription is written with its profile's person); Django still deletes subscriptions with
    # their person. Both save work per recipient of a broadcast (decision 0009, docs/performance.md).
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="subscriptions", db_index=False)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    # No single-column indexes on profile and common_inbox: the inbox indexes below begin with them,
    # and every index more is one more write per recipient of a broadcast (docs/performance.md).
    profile = models.ForeignKey(
        InstitutionProfile, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    common_inbox = models.ForeignKey(
        CommonInbox, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions", db_index=False
    )
    last_message_at = models.DateTimeField()
    is_read = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    marked = models.BooleanField(default=False)
    muted = models.BooleanField(default=False)
    folder = models.ForeignKey(
        Folder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    deleted_at = models.DateTimeField(null=True, blank=True)  # in the trash; restorable for 30 days
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Not partial: rows without a person (common inboxes) never collide (NULLs are distinct), and the
            # whole index serves every look-up by thread.
            models.UniqueConstraint(fields=["thread", "person"], name="subscription_one_per_person"),
            models.UniqueConstraint(
                fields=["thread", "common_inbox"],
                condition=Q(common_inbox__isnull=False),
                name="subscription_one_per_inbox",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False, profile__isnull=False, common_inbox__isnull=True)
                | Q(person__isnull=True, profile__isnull=True, common_inbox__isnull=False),
                name="subscription_one_owner",
            ),
        ]
        indexes = [
            models.Index(fields=["profile", "-last_message_at", "-id"], name="subscription_inbox"),
            models.Index(
                fields=["common_inbox", "-last_message_at", "-id"],
                condition=Q(common_inbox__isnull=False),
                name="subscription_common_inbox",
            ),
            # Most subscriptions are in no folder: index only those that are.
            models.Index(fields=["folder"], condition=Q(folder__isnull=False), name="subscription_in_folder"),
        ]


class AutoReply(TimestampedModel):
    """Autosvar: a staff member's automatic answer for a period."""

    profile = models.OneToOneField(InstitutionProfile, on_delete=models.CASCADE, related_name="auto_reply")
    text = models.TextField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="auto_reply_period")]
