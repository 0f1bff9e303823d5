"""Vedhæftede filer of messages: checked by kinabog.core.files, stored in default storage, read by participants.

Every file is checked before anything is written, so a message with one unacceptable file is not sent
at all (the checks, the limits and the re-encoding of pictures live in kinabog.core.files).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q

from kinabog.audit import actions as audit
from kinabog.core.errors import NotFound, StepUpRequired
from kinabog.core.files import (
    ACCEPT,
    DOCX,
    EXTENSIONS,
    FIELD,
    IMAGE_TYPES,
    JPEG,
    MAX_BYTES,
    MAX_FILES,
    PDF,
    PNG,
    TEXT,
    XLSX,
    PreparedFile,
    delete_stored,
    prepare,
    storage_name,
)
from kinabog.institutions.access import Viewer

from . import actions, queries
from .models import Attachment, Message, Subscription, Thread

# The checks and limits are kinabog.core.files'; they are named here too for the message pages.
__all__ = [
    "ACCEPT",
    "DOCX",
    "EXTENSIONS",
    "FIELD",
    "IMAGE_TYPES",
    "JPEG",
    "MAX_BYTES",
    "MAX_FILES",
    "PDF",
    "PNG",
    "TEXT",
    "XLSX",
    "PreparedFile",
    "delete_message",
    "open_attachment",
    "prepare",
    "reply_with_files",
    "start_thread_with_files",
    "store",
]


# --- Writes --------------------------------------------------------------------------------------------


def store(message: Message, prepared: Sequence[PreparedFile]) -> list[Attachment]:
    """Write checked files for a message. Call inside the transaction that wrote the message."""
    rows = []
    for item in prepared:
        row = Attachment(message=message, name=item.name, content_type=item.content_type, size=len(item.data))
        row.file.save(storage_name(item.content_type), ContentFile(item.data), save=False)
        rows.append(row)
    stored = [row.file.name for row in rows]
    try:
        return Attachment.objects.bulk_create(rows)
    except Exception:
        delete_stored(stored)
        raise


def start_thread_with_files(
    viewer: Viewer,
    *,
    subject: str,
    text: str,
    recipients: actions.Recipients,
    sensitive: bool = False,
    files: Sequence[UploadedFile] = (),
) -> Thread:
    """actions.start_thread with attachments: all of it is written, or nothing."""
    prepared = prepare(files)
    with transaction.atomic():
        started = actions.start_thread(viewer, subject=subject, text=text, recipients=recipients, sensitive=sensitive)
        if prepared and started.last_message is not None:
            store(started.last_message, prepared)
    return started


def reply_with_files(
    viewer: Viewer,
    thread_id: int,
    text: str,
    *,
    files: Sequence[UploadedFile] = (),
    to_sender_only: bool = False,
    common_inbox_id: int | None = None,
) -> Message:
    """actions.reply (or the common inbox's reply) with attachments: all of it is written, or nothing."""
    prepared = prepare(files)
    with transaction.atomic():
        if common_inbox_id is None:
            message = actions.reply(viewer, thread_id, text, to_sender_only=to_sender_only)
        else:
            message = actions.reply_from_common_inbox(viewer, common_inbox_id, thread_id, text)
        store(message, prepared)
    return message


@transaction.atomic
def delete_message(viewer: Viewer, thread_id: int, message_id: int) -> Message:
    """actions.delete_message, and the message's files go with it."""
    message = actions.delete_message(viewer, thread_id, message_id)
    rows = Attachment.objects.filter(message=message)
    names = list(rows.values_list("file", flat=True))
    if names:
        rows.delete()
        transaction.on_commit(lambda: delete_stored(names))
    return message


# --- Reads ---------------------------------------------------------------------------------------------


def open_attachment(viewer: Viewer, attachment_id: int) -> Attachment:
    """A file of a thread the viewer takes part in. Sensitive threads: level 3, and each read is audited."""
    row = (
        Attachment.objects.select_related("message__thread")
        .filter(pk=attachment_id, message__deleted_at__isnull=True)
        .first()
    )
    if row is None:
        raise NotFound
    thread = row.message.thread
    takes_part = (
        Subscription.objects.filter(thread_id=thread.id, left_at__isnull=True)
        .filter(Q(profile_id__in=viewer.profile_ids) | Q(common_inbox_id__in=queries.my_common_inbox_ids(viewer)))
        .exists()
    )
    if not takes_part:
        raise NotFound
    if thread.is_sensitive:
        if not viewer.is_stepped_up:
            raise StepUpRequired
        audit.record(
            actor_id=viewer.user_id, action="read_sensitive_attachment", obj=row, assurance_level=viewer.assurance_level
        )
    return row
