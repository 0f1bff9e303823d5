"""Attachments: type and size limits, pictures without EXIF/GPS, downloads only for participants."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from kinabog.audit.models import AuditEntry
from kinabog.core.errors import InvalidInput
from kinabog.core.testing import sign_in
from kinabog.institutions.models import InstitutionProfile, Person
from kinabog.institutions.queries import build_viewer
from kinabog.messaging import actions, attachments
from kinabog.messaging.models import Attachment, Message, Subscription, Thread

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def viewer(username: str, level: int = 2):  # type: ignore[no-untyped-def]
    return build_viewer(Person.objects.get(login__username=username).login_id, None, level)


def karin_id() -> int:
    return InstitutionProfile.objects.get(person__login__username="karin").id


def photo_with_location(fmt: str = "JPEG") -> bytes:
    """A 40×20 photo taken sideways, with camera, GPS and a comment in its metadata."""
    image = Image.new("RGB", (40, 20), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90° to show
    exif[0x010F] = "Kameramærke"
    exif[GPS_IFD] = {1: "N", 2: (55.0, 40.0, 0.0), 3: "E", 4: (12.0, 34.0, 0.0)}
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", exif=exif, comment=b"Havnegade 4")
    else:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Location", "Havnegade 4")
        image.save(out, "PNG", exif=exif, pnginfo=info)
    return out.getvalue()


def office_file(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- Checking files -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_pictures_are_reencoded_without_metadata_and_turned_upright(fmt: str) -> None:
    original = photo_with_location(fmt)
    assert b"Havnegade 4" in original
    (prepared,) = attachments.prepare([upload(f"billede.{fmt.lower()}", original)])
    assert prepared.content_type == f"image/{fmt.lower()}"
    assert b"Havnegade 4" not in prepared.data and b"Exif" not in prepared.data
    with Image.open(io.BytesIO(prepared.data)) as clean:
        assert clean.size == (20, 40)  # turned as the camera meant
        assert not dict(clean.getexif()) and not clean.getexif().get_ifd(GPS_IFD)
        assert "Location" not in clean.info


@pytest.mark.parametrize(
    ("name", "data", "content_type", "stored_name"),
    [
        ("plan.pdf", b"%PDF-1.7\n...", attachments.PDF, "plan.pdf"),
        ("../../plan.exe", b"%PDF-1.7\n...", attachments.PDF, "plan.exe.pdf"),
        ("brev.docx", office_file({"word/document.xml": b"<w/>"}), attachments.DOCX, "brev.docx"),
        ("liste.xlsx", office_file({"xl/workbook.xml": b"<x/>"}), attachments.XLSX, "liste.xlsx"),
        ("noter.txt", "Blåbærgrød".encode("cp1252"), attachments.TEXT, "noter.txt"),
    ],
)
def test_allowed_types_are_recognised_from_their_content(
    name: str, data: bytes, content_type: str, stored_name: str
) -> None:
    (prepared,) = attachments.prepare([upload(name, data)])
    assert (prepared.content_type, prepared.name) == (content_type, stored_name)
    if content_type == attachments.TEXT:
        assert prepared.data.decode("utf-8") == "Blåbærgrød"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("program.exe", b"MZ\x90\x00binary", "kan ikke vedhæftes"),
        ("billede.jpg", b"MZ\x90\x00not a picture", "kan ikke vedhæftes"),
        ("iphone.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "HEIC"),
        ("makro.docx", office_file({"word/document.xml": b"<w/>", "word/vbaProject.bin": b"x"}), "makroer"),
        ("arkiv.zip", office_file({"noget.txt": b"x"}), "kan ikke vedhæftes"),
        ("ødelagt.jpg", b"\xff\xd8\xff\xe0broken", "kunne ikke læses som et billede"),
        ("tom.pdf", b"", "er tom"),
        ("stor.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "større end 10 MB"),
    ],
)
def test_forbidden_broken_and_oversize_files_are_refused(name: str, data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        attachments.prepare([upload(name, data)])
    assert refused.value.field == "attachments"
    assert message in refused.value.message


def test_at_most_ten_files() -> None:
    with pytest.raises(InvalidInput):
        attachments.prepare([upload(f"{i}.pdf", b"%PDF-1.7") for i in range(11)])


# --- Through the pages -------------------------------------------------------------------------------


def send_with_file(client: Client, name: str, data: bytes, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("messaging:compose"),
        {
            "action": "send",
            "recipient": f"profile:{karin_id()}",
            "subject": "Billeder fra turen",
            "text": "Se billedet",
            "attachments": [upload(name, data, "image/jpeg")],
            **extra,
        },
    )


def test_a_photo_is_sent_stored_without_location_and_downloaded_by_participants_only(
    client: Client, media: Path
) -> None:
    sign_in(client, "mette")
    response = send_with_file(client, "IMG_0001.jpg", photo_with_location())
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name == "IMG_0001.jpg" and attachment.content_type == "image/jpeg"
    stored = (media / attachment.file.name).read_bytes()
    assert b"Havnegade 4" not in stored and b"Exif" not in stored
    assert "IMG_0001" not in attachment.file.name  # the storage path carries no personal file name

    sign_in(client, "karin")
    thread_html = client.get(reverse("messaging:thread", args=[attachment.message.thread_id])).content.decode()
    url = reverse("messaging:attachment", args=[attachment.id])
    assert f'href="{url}">IMG_0001.jpg</a>' in thread_html
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert b"".join(download.streaming_content) == stored

    sign_in(client, "jonas")
    assert client.get(url).status_code == 404


def test_a_bad_file_is_shown_next_to_the_field_and_nothing_is_stored(client: Client, media: Path) -> None:
    sign_in(client, "mette")
    before = (Thread.objects.count(), Message.objects.count(), Subscription.objects.count())
    response = send_with_file(client, "virus.exe", b"MZ\x90\x00")
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="id_attachments_error" role="alert">virus.exe kan ikke vedhæftes', html)
    assert 'value="Billeder fra turen"' in html and "Filer, du valgte før, skal vælges igen." in html
    assert (Thread.objects.count(), Message.objects.count(), Subscription.objects.count()) == before
    assert not Attachment.objects.exists() and not any(media.rglob("*.*"))


def test_an_answer_with_a_file_and_deleting_it_removes_the_file(
    client: Client, media: Path, django_capture_on_commit_callbacks
) -> None:
    thread = actions.start_thread(
        viewer("mette"),
        subject="Tilladelse",
        text="Se vedhæftet",
        recipients=actions.Recipients(profile_ids=[karin_id()]),
    )
    sign_in(client, "karin")
    client.post(
        reverse("messaging:thread", args=[thread.id]),
        {"text": "Her er sedlen", "attachments": [upload("seddel.pdf", b"%PDF-1.7 seddel")]},
    )
    attachment = Attachment.objects.get()
    path = media / attachment.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("messaging:delete_message", args=[thread.id, attachment.message_id]))
    assert not Attachment.objects.exists() and not path.exists()


def test_a_sensitive_threads_file_needs_level_3_and_each_download_is_audited(client: Client) -> None:
    sign_in(client, "mette", level=3)
    send_with_file(client, "journal.pdf", b"%PDF-1.7 journal", sensitive="on")
    attachment = Attachment.objects.get()
    assert attachment.message.thread.is_sensitive
    url = reverse("messaging:attachment", args=[attachment.id])
    sign_in(client, "karin")
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:step_up"))
    sign_in(client, "karin", level=3)
    assert client.get(url).status_code == 200
    assert AuditEntry.objects.filter(action="read_sensitive_attachment", object_id=str(attachment.id)).count() == 1
