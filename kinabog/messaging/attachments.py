"""Vedhæftede filer: size and type limits, pictures re-encoded without EXIF/GPS, files in default storage.

Every file is checked before anything is written, so a message with one unacceptable file is not sent
at all. The type is recognised from the content, never from the name or what the browser claims.
Pictures are decoded and written again from their pixels only: location, camera and other metadata
in a child's photo never reach another family.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import uuid4

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput, NotFound, StepUpRequired
from kinabog.institutions.access import Viewer

from . import actions, queries
from .models import Attachment, Message, Subscription, Thread

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 10
# Larger pictures are refused before they are decoded (a small file can unpack to gigabytes).
MAX_PIXELS = 40_000_000
NAME_MAX = 200
FIELD = "attachments"

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = "text/plain; charset=utf-8"
EXTENSIONS = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    TEXT: (".txt",),
}
# What the file picker offers; the server decides from the content whatever the picker allowed.
ACCEPT = ",".join(ext for exts in EXTENSIONS.values() for ext in exts)
IMAGE_TYPES = {JPEG, PNG}
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")
UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


@dataclass(frozen=True)
class PreparedFile:
    """A checked file, ready to store: pictures already re-encoded."""

    name: str
    content_type: str
    data: bytes


def prepare(files: Sequence[UploadedFile]) -> list[PreparedFile]:
    """Check every file; InvalidInput (field "attachments") names the first one that cannot be sent."""
    if len(files) > MAX_FILES:
        raise InvalidInput(_("You can attach at most %(count)s files to one message.") % {"count": MAX_FILES}, FIELD)
    return [_prepare_one(upload) for upload in files]


def _prepare_one(upload: UploadedFile) -> PreparedFile:
    name = upload.name or ""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise InvalidInput(_("%(name)s is larger than 10 MB.") % {"name": _shown(name)}, FIELD)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InvalidInput(_("%(name)s is larger than 10 MB.") % {"name": _shown(name)}, FIELD)
    if not data:
        raise InvalidInput(_("%(name)s is empty.") % {"name": _shown(name)}, FIELD)
    content_type, data = _recognise(name, data)
    if content_type in IMAGE_TYPES:
        data = _reencode(name, data, content_type)
    return PreparedFile(_safe_name(name, content_type), content_type, data)


def _recognise(name: str, data: bytes) -> tuple[str, bytes]:
    """The content type from the first bytes (text: from the name and a clean decode)."""
    if data.startswith(b"%PDF-"):
        return PDF, data
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG, data
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG, data
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        raise InvalidInput(
            _("%(name)s is an HEIC photo. Save it as JPEG and try again.") % {"name": _shown(name)},
            FIELD,
        )
    if data.startswith(b"PK\x03\x04"):
        return _office_type(name, data), data
    if name.lower().endswith(".txt") and b"\x00" not in data:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return TEXT, data.decode(encoding).encode("utf-8")
            except UnicodeDecodeError:
                continue
    raise InvalidInput(
        _("%(name)s cannot be attached. Allowed are PDF, JPEG and PNG pictures, Word (docx), Excel (xlsx) and text.")
        % {"name": _shown(name)},
        FIELD,
    )


def _office_type(name: str, data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as error:
        raise InvalidInput(_("%(name)s could not be read.") % {"name": _shown(name)}, FIELD) from error
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise InvalidInput(_("%(name)s contains macros and cannot be attached.") % {"name": _shown(name)}, FIELD)
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    raise InvalidInput(
        _("%(name)s cannot be attached. Allowed are PDF, JPEG and PNG pictures, Word (docx), Excel (xlsx) and text.")
        % {"name": _shown(name)},
        FIELD,
    )


def _reencode(name: str, data: bytes, content_type: str) -> bytes:
    """Decode the picture and write its pixels again: no EXIF, GPS, XMP or comments survive."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise InvalidInput(_("%(name)s has too many pixels.") % {"name": _shown(name)}, FIELD)
            opened.load()
            # Turn the picture the way the camera meant before the orientation tag is dropped with the rest.
            upright = ImageOps.exif_transpose(opened) or opened
            has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
            if upright.mode in ("L", "1"):
                target = "L"
            elif content_type == PNG and has_alpha:
                target = "RGBA"
            else:
                target = "RGB"
            if upright.mode != target:
                upright = upright.convert(target)
            pixels_only = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        raise InvalidInput(_("%(name)s could not be read as a picture.") % {"name": _shown(name)}, FIELD) from error
    out = io.BytesIO()
    if content_type == JPEG:
        pixels_only.save(out, "JPEG", quality=88, optimize=True)
    else:
        pixels_only.save(out, "PNG", optimize=True)
    return out.getvalue()


def _safe_name(name: str, content_type: str) -> str:
    """The name shown and downloaded: no paths or control characters, and the extension of its type."""
    base = _clean(name) or _("file")
    extensions = EXTENSIONS[content_type]
    if not base.lower().endswith(extensions):
        base = f"{base}{extensions[0]}"
    if len(base) > NAME_MAX:
        stem, dot, ext = base.rpartition(".")
        base = f"{stem[: NAME_MAX - len(ext) - 1]}{dot}{ext}"
    return base


def _clean(name: str) -> str:
    base = UNSAFE_NAME.sub(" ", name.replace("\\", "/").rsplit("/", 1)[-1])
    return " ".join(base.split()).strip(" .")


def _shown(name: str) -> str:
    """The file's name in an error message."""
    return _clean(name)[:80] or _("The file")


# --- Writes --------------------------------------------------------------------------------------------


def store(message: Message, prepared: Sequence[PreparedFile]) -> list[Attachment]:
    """Write checked files for a message. Call inside the transaction that wrote the message."""
    rows = []
    for item in prepared:
        row = Attachment(message=message, name=item.name, content_type=item.content_type, size=len(item.data))
        # A random storage name: the person's file name stays in the database, not in paths or logs.
        row.file.save(f"{uuid4().hex}{EXTENSIONS[item.content_type][0]}", ContentFile(item.data), save=False)
        rows.append(row)
    stored = [row.file.name for row in rows]
    try:
        return Attachment.objects.bulk_create(rows)
    except Exception:
        _delete_files(stored)
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
        transaction.on_commit(lambda: _delete_files(names))
    return message


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


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
