"""Files people attach (to messages, posts, …): size and type limits, pictures re-encoded without EXIF/GPS.

Every file is checked before anything is written, so content with one unacceptable file is not saved
at all. The type is recognised from the content, never from the name or what the browser claims.
Pictures are decoded and written again from their pixels only: location, camera and other metadata
in a child's photo never reach another family. Where the checked files are stored, and who may read
them, is the business of the app they belong to; the helpers at the end name and remove stored files.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import uuid4

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from kinabog.core.errors import InvalidInput

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 10
# Larger pictures are refused before they are decoded (a small file can unpack to gigabytes).
MAX_PIXELS = 40_000_000
NAME_MAX = 200
FIELD = "attachments"
THUMBNAIL_SIDE = 480

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
IMAGE_TYPES = frozenset({JPEG, PNG})
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")
UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


@dataclass(frozen=True)
class PreparedFile:
    """A checked file, ready to store: pictures already re-encoded."""

    name: str
    content_type: str
    data: bytes

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES


def prepare(files: Sequence[UploadedFile]) -> list[PreparedFile]:
    """Check every file; InvalidInput (field "attachments") names the first one that cannot be accepted."""
    if len(files) > MAX_FILES:
        raise InvalidInput(_("You can attach at most %(count)s files.") % {"count": MAX_FILES}, FIELD)
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
    return _encode(pixels_only, content_type)


def _encode(picture: Image.Image, content_type: str) -> bytes:
    out = io.BytesIO()
    if content_type == JPEG:
        picture.save(out, "JPEG", quality=88, optimize=True)
    else:
        picture.save(out, "PNG", optimize=True)
    return out.getvalue()


def thumbnail(prepared: PreparedFile, side: int = THUMBNAIL_SIDE) -> bytes | None:
    """A small copy of a checked picture (at most `side` pixels wide and high) for lists; None for other files."""
    if not prepared.is_image:
        return None
    with Image.open(io.BytesIO(prepared.data)) as picture:
        picture.load()
        picture.thumbnail((side, side))
        return _encode(picture, prepared.content_type)


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


# --- Stored files ----------------------------------------------------------------------------------


def storage_name(content_type: str) -> str:
    """A random name to store a file under: the person's file name stays in the database, not in paths or logs."""
    return f"{uuid4().hex}{EXTENSIONS[content_type][0]}"


def delete_stored(names: Iterable[str]) -> None:
    """Remove stored files (from the default storage); names already gone are no error."""
    for name in names:
        if name:
            default_storage.delete(name)
