"""Files and pictures on events: karin attaches them on the event form, mette sees and downloads them (no
location in stored photos), everyone else gets 404; a bad file saves nothing; editing removes files; the
event page and the Aula API cost the same with one file or many. Also the "lesson" type of timetables."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinabog.aula_api.tests.conftest import AulaClient, ok
from kinabog.aula_api.tokens import issue_token
from kinabog.calendar import actions, attachments
from kinabog.calendar.models import Event, EventAttachment
from kinabog.core import files as core_files
from kinabog.core.testing import HOME, assert_max_queries, assert_no_metadata, photo_with_location, sign_in
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.models import Group

from .conftest import local, viewer

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 madplan for ugen"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def blaa() -> Group:
    return Group.objects.get(name="Blå stue")


def word_with_macros() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"\x00macro")
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def event_form(**changes: object) -> dict[str, object]:
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    data: dict[str, object] = {
        "title": "Skovtur",
        "type": "excursion",
        "group": [blaa().id],
        "starts_at": f"{day}T09:00",
        "ends_at": f"{day}T14:00",
        "place": "Havnby Skov",
        "repeat": "never",
        "repeat_interval": "1",
        "action": "save",
    }
    data.update(changes)
    return data


def signed_in(username: str, role: str) -> Client:
    client = Client()
    sign_in(client, username, role=role)
    return client


def trip(*files: SimpleUploadedFile, title: str = "Skovtur") -> Event:
    """Karin's excursion for Blå stue in three days, with files, written as the event form writes it."""
    data = actions.EventInput(
        title=title, type="excursion", starts_at=local(3, 9), ends_at=local(3, 14), group_ids=(blaa().id,)
    )
    return attachments.create_event_with_files(viewer("karin", "employee"), data, files)


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


def test_karins_photo_reaches_mette_without_location(media: Path) -> None:
    original = photo_with_location()
    assert HOME in original
    karin = signed_in("karin", "employee")
    form = karin.get(reverse("calendar:create_event")).content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="attachments"' in form
    files = [upload("IMG_0001.jpg", original, "image/jpeg"), upload("madplan.pdf", PDF, "application/pdf")]
    response = karin.post(reverse("calendar:create_event"), event_form(attachments=files))
    assert response.status_code == 302
    event = Event.objects.get(title="Skovtur")
    picture, document = EventAttachment.objects.filter(event=event).order_by("position")
    assert (picture.name, picture.content_type) == ("IMG_0001.jpg", "image/jpeg")
    assert (document.name, document.content_type, document.size) == ("madplan.pdf", "application/pdf", len(PDF))
    assert "IMG_0001" not in picture.file.name  # no personal file name in the storage path
    assert_no_metadata((media / picture.file.name).read_bytes())

    mette = signed_in("mette", "guardian")
    picture_url, document_url = (reverse("calendar:attachment", args=[row.id]) for row in (picture, document))
    assert picture_url == f"/kalender/fil/{picture.id}/"
    page = mette.get(reverse("calendar:event", args=[event.id])).content.decode()
    assert f'<img src="{picture_url}" alt="IMG_0001.jpg"' in page
    assert f'<a href="{document_url}">madplan.pdf</a> <span class="muted">(25\xa0bytes)</span>' in page
    download = mette.get(picture_url)
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in download.get("Content-Disposition", "")  # shown in the page
    assert_no_metadata(b"".join(download.streaming_content))
    pdf = mette.get(document_url)
    assert pdf.status_code == 200 and pdf["X-Content-Type-Options"] == "nosniff"
    assert (
        pdf["Content-Disposition"].startswith("attachment") and 'filename="madplan.pdf"' in pdf["Content-Disposition"]
    )
    assert b"".join(pdf.streaming_content) == PDF
    # The calendar pages say that the event has files (a paperclip, read out by screen readers).
    week = mette.get(reverse("calendar:week"), {"uge": timezone.localtime(event.starts_at).date().isoformat()})
    month = mette.get(reverse("calendar:month"), {"maaned": timezone.localtime(event.starts_at).strftime("%Y-%m")})
    for page in (week.content.decode(), month.content.decode()):
        assert '<span class="visually-hidden">Har vedhæftede filer</span>' in page


@pytest.mark.parametrize(
    ("username", "role", "status"),
    [
        ("jonas", "guardian", 200),  # Emil's father, with custody
        ("karin", "employee", 200),
        ("anders", "employee", 200),  # the leader of Katamaranen
        ("birgitte", "employee", 404),  # a teacher at another institution
        ("birgitte", "guardian", 404),  # her child is at Kahytten, not in Blå stue
        ("peter", "guardian", 404),  # Sofie's father without custody, no child in Blå stue
        ("lars", "guardian", 404),
        ("hanne", "employee", 404),
        ("thomas", "employee", 404),
    ],
)
def test_files_are_downloaded_only_by_people_who_see_the_event(username: str, role: str, status: int) -> None:
    event = trip(upload("madplan.pdf", PDF, "application/pdf"))
    [document] = EventAttachment.objects.filter(event=event)
    client = signed_in(username, role)
    assert client.get(reverse("calendar:attachment", args=[document.id])).status_code == status
    assert client.get(reverse("calendar:event", args=[event.id])).status_code == status


def test_unknown_files_and_signed_out_visitors_get_nothing() -> None:
    [document] = EventAttachment.objects.filter(event=trip(upload("madplan.pdf", PDF)))
    url = reverse("calendar:attachment", args=[document.id])
    assert Client().get(url).status_code == 302  # to the login page
    assert signed_in("mette", "guardian").get(reverse("calendar:attachment", args=[987654])).status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("stor.pdf", b"%PDF-" + b"0" * 30_000, "stor.pdf er større end 10 MB."),
        ("program.exe", b"MZ\x90\x00binary", "program.exe kan ikke vedhæftes."),
        ("makro.docx", word_with_macros(), "makro.docx indeholder makroer og kan ikke vedhæftes."),
    ],
)
def test_a_bad_file_is_refused_next_to_the_field_and_nothing_is_saved(
    media: Path, monkeypatch: pytest.MonkeyPatch, name: str, data: bytes, message: str
) -> None:
    monkeypatch.setattr(core_files, "MAX_BYTES", 20_000)  # the photo is smaller, the PDF larger
    before = Event.objects.count()
    files = [upload("IMG_0001.jpg", photo_with_location(), "image/jpeg"), upload(name, data)]
    response = signed_in("karin", "employee").post(reverse("calendar:create_event"), event_form(attachments=files))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_attachments_error" role="alert">' + message in html
    assert "Intet er gemt" in html and 'value="Skovtur"' in html
    assert "Filer, du valgte før, skal vælges igen." in html
    assert Event.objects.count() == before and not EventAttachment.objects.exists()
    assert not stored_files(media)


def test_at_most_ten_files_per_event(media: Path) -> None:
    karin = signed_in("karin", "employee")
    eleven = [upload(f"plan{i}.pdf", PDF) for i in range(11)]
    response = karin.post(reverse("calendar:create_event"), event_form(attachments=eleven))
    assert response.status_code == 400 and "Du kan højst vedhæfte 10 filer." in response.content.decode()
    assert not Event.objects.filter(title="Skovtur").exists() and not stored_files(media)

    event = trip(*[upload(f"plan{i}.pdf", PDF) for i in range(9)], title="Ni filer")
    url = reverse("calendar:edit_event", args=[event.id])
    form = event_form(title="Ni filer", attachments=[upload("a.pdf", PDF), upload("b.pdf", PDF)])
    response = karin.post(url, form)
    assert response.status_code == 400 and "Du kan højst vedhæfte 10 filer." in response.content.decode()
    assert EventAttachment.objects.filter(event=event).count() == 9 and len(stored_files(media)) == 9


def test_editing_removes_and_adds_files(media: Path, django_capture_on_commit_callbacks: Any) -> None:
    event = trip(upload("madplan.pdf", PDF), upload("IMG_0001.jpg", photo_with_location()))
    document, picture = EventAttachment.objects.filter(event=event).order_by("position")
    karin = signed_in("karin", "employee")
    url = reverse("calendar:edit_event", args=[event.id])
    page = karin.get(url).content.decode()
    assert f'value="{document.id}"' in page and "Fjern madplan.pdf (25\xa0bytes)" in page
    assert "Vedhæftede filer" in page and 'enctype="multipart/form-data"' in page

    other = trip(upload("andet.pdf", PDF), title="Andet")
    [foreign] = EventAttachment.objects.filter(event=other)
    response = karin.post(url, event_form(remove_attachments=[foreign.id]))
    assert response.status_code == 400  # not one of this event's files: nothing changes
    assert EventAttachment.objects.filter(event=event).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = karin.post(
            url, event_form(remove_attachments=[document.id], attachments=[upload("liste.txt", b"Husk madpakke")])
        )
    assert response.status_code == 302
    rows = list(EventAttachment.objects.filter(event=event).order_by("position"))
    assert [(r.name, r.position) for r in rows] == [("IMG_0001.jpg", 2), ("liste.txt", 3)]
    assert not (media / document.file.name).exists() and (media / picture.file.name).exists()
    page = signed_in("mette", "guardian").get(reverse("calendar:event", args=[event.id])).content.decode()
    assert "madplan.pdf" not in page and "liste.txt" in page
    assert signed_in("mette", "guardian").get(reverse("calendar:attachment", args=[document.id])).status_code == 404


def test_deleting_the_event_removes_its_files(media: Path, django_capture_on_commit_callbacks: Any) -> None:
    event = trip(upload("madplan.pdf", PDF))
    assert stored_files(media)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in("karin", "employee").post(reverse("calendar:delete_event", args=[event.id]))
    assert response.status_code == 302
    assert not EventAttachment.objects.exists() and not stored_files(media)


def test_the_event_page_costs_the_same_with_one_file_or_five() -> None:
    mette = signed_in("mette", "guardian")

    def page_queries(count: int) -> int:
        files = [upload(f"foto{i}.jpg", photo_with_location()) for i in range(count)]
        event = trip(*files, upload("plan.pdf", PDF), title=f"{count} billeder")
        url = reverse("calendar:event", args=[event.id])
        mette.get(url)  # the first request after signing in writes the session
        with assert_max_queries(30) as log:
            html = mette.get(url).content.decode()
        assert html.count('alt="foto') == count and "plan.pdf" in html
        return len(log)

    assert page_queries(1) == page_queries(5)


# --- Aula API ---------------------------------------------------------------------------------------------


def aula_as(username: str, role: str) -> AulaClient:
    aula = AulaClient(Client())
    aula.sign_in(issue_token(get_user_model().objects.get(username=username), "aula"))
    aula.activate(role)
    return aula


def emils_profile_id() -> int:
    [emil] = [c for c in institution_queries.my_children(viewer("mette", "guardian")) if c.person.first_name == "Emil"]
    return int(emil.person.child_profiles[0].id)  # type: ignore[attr-defined]


def aula_window() -> dict[str, Any]:
    moment = timezone.localtime()
    return {
        "instProfileIds": [emils_profile_id()],
        "resourceIds": [],
        "start": (moment - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S.0000%z"),
        "end": (moment + timedelta(days=14)).strftime("%Y-%m-%d %H:%M:%S.0000%z"),
    }


def test_get_event_by_id_lists_the_files() -> None:
    event = trip(upload("IMG_0001.jpg", photo_with_location()), upload("madplan.pdf", PDF))
    picture, document = EventAttachment.objects.filter(event=event).order_by("position")
    details = ok(aula_as("mette", "guardian").get("calendar.getEventById", eventId=event.id))
    assert details["hasAttachments"] is True
    shown = details["attachments"]
    assert [(a["id"], a["name"], a["contentType"], a["size"]) for a in shown] == [
        (picture.id, "IMG_0001.jpg", "image/jpeg", picture.size),
        (document.id, "madplan.pdf", "application/pdf", len(PDF)),
    ]
    assert shown[1]["url"] == f"http://testserver/kalender/fil/{document.id}/" == shown[1]["file"]["url"]
    assert shown[0]["media"]["mediaType"] == "image" and shown[1]["media"] is None
    plain = ok(aula_as("karin", "employee").get("calendar.getEventById", eventId=trip(title="Uden filer").id))
    assert plain["hasAttachments"] is False and plain["attachments"] == []


def test_event_lists_flag_files_without_a_query_per_event() -> None:
    trip(title="Uden filer")
    aula = aula_as("mette", "guardian")

    def list_queries() -> tuple[int, dict[str, bool]]:
        with assert_max_queries(40) as log:
            events = ok(aula.post("calendar.getEventsByProfileIdsAndResourceIds", aula_window()))
        return len(log), {e["title"]: e["hasAttachments"] for e in events}

    trip(upload("madplan.pdf", PDF), title="Med fil 0")
    list_queries()  # the first call after signing in may write the session
    few, flags = list_queries()
    assert flags["Uden filer"] is False and flags["Med fil 0"] is True
    for i in range(1, 5):
        trip(upload("madplan.pdf", PDF), upload("IMG.jpg", photo_with_location()), title=f"Med fil {i}")
    many, flags = list_queries()
    assert many == few and all(flags[f"Med fil {i}"] for i in range(5))


# --- Lessons from timetables --------------------------------------------------------------------------------


def test_a_lesson_is_shown_but_not_offered_or_edited_on_the_event_form() -> None:
    lesson = actions.create_event(
        viewer("karin", "employee"),
        actions.EventInput(
            title="Musik", type="lesson", starts_at=local(2, 10), ends_at=local(2, 11), group_ids=(blaa().id,)
        ),
    )
    karin = signed_in("karin", "employee")
    page = karin.get(reverse("calendar:event", args=[lesson.id])).content.decode()
    assert "<dd>Lektion</dd>" in page and reverse("calendar:edit_event", args=[lesson.id]) not in page
    assert karin.get(reverse("calendar:edit_event", args=[lesson.id])).status_code == 404
    form = karin.get(reverse("calendar:create_event")).content.decode()
    assert 'value="excursion"' in form and 'value="lesson"' not in form
    assert karin.post(reverse("calendar:create_event"), event_form(type="lesson")).status_code == 400
    assert not Event.objects.filter(title="Skovtur").exists()
    details = ok(aula_as("mette", "guardian").get("calendar.getEventById", eventId=lesson.id))
    assert details["type"] == "lesson"
