"""Files and pictures on posts through the pages: no location in stored photos, downloads only for those
who see the post, bad files refused with nothing saved, and the feed's query count unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kinabog.core.testing import HOME, assert_max_queries, assert_no_metadata, photo_with_location, sign_in
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.models import Group
from kinabog.posts import attachments, queries
from kinabog.posts.models import Post, PostAttachment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def viewer(username: str, role: str = "employee"):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.get(username=username)
    return institution_queries.build_viewer(user.pk, role, 2)


def blaa() -> Group:
    return Group.objects.get(name="Blå stue")


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def share(client: Client, title: str, *files: SimpleUploadedFile, username: str = "karin"):  # type: ignore[no-untyped-def]
    sign_in(client, username, role="employee")
    data = {
        "title": title,
        "content": "Se billederne fra skovturen.",
        "targets": [f"g:{blaa().id}"],
        "roles": ["guardian", "employee"],
        "allow_comments": "on",
        "attachments": list(files),
    }
    return client.post(reverse("posts:new"), data)


def test_karins_photo_reaches_mette_without_location(client: Client, media: Path) -> None:
    original = photo_with_location()
    assert HOME in original
    response = share(client, "Skovtur", upload("IMG_0001.jpg", original))
    assert response.status_code == 302
    post = Post.objects.get(title="Skovtur")
    picture = PostAttachment.objects.get(post=post)
    assert (picture.name, picture.content_type) == ("IMG_0001.jpg", "image/jpeg")
    assert "IMG_0001" not in picture.file.name  # no personal file name in the storage path
    assert_no_metadata((media / picture.file.name).read_bytes())
    assert_no_metadata((media / picture.thumbnail.name).read_bytes())

    sign_in(client, "mette", role="guardian")
    url = reverse("posts:attachment", args=[picture.id])
    page = client.get(reverse("posts:post", args=[post.id])).content.decode()
    assert f'<img src="{url}" alt="IMG_0001.jpg">' in page
    overview = client.get("/").content.decode()
    assert f'src="{reverse("posts:thumbnail", args=[picture.id])}" alt="IMG_0001.jpg"' in overview
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert "attachment" not in download.get("Content-Disposition", "")  # shown in the page
    assert_no_metadata(b"".join(download.streaming_content))
    thumbnail = client.get(reverse("posts:thumbnail", args=[picture.id]))
    assert thumbnail.status_code == 200
    assert_no_metadata(b"".join(thumbnail.streaming_content))


@pytest.mark.parametrize(
    ("username", "role", "status"),
    [
        ("jonas", "guardian", 200),  # Emil's father, with custody
        ("karin", "employee", 200),
        ("anders", "employee", 200),
        ("peter", "guardian", 404),  # Sofie's father without custody, no child in Blå stue
        ("lars", "guardian", 404),
        ("birgitte", "employee", 404),
        ("hanne", "employee", 404),
        ("thomas", "employee", 404),
    ],
)
def test_files_are_downloaded_only_by_people_who_see_the_post(
    client: Client, username: str, role: str, status: int
) -> None:
    share(client, "Madplan", upload("madplan.pdf", b"%PDF-1.7 madplan", "application/pdf"))
    document = PostAttachment.objects.get(post__title="Madplan")
    sign_in(client, username, role=role)
    response = client.get(reverse("posts:attachment", args=[document.id]))
    assert response.status_code == status
    if status == 200:
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment") and 'filename="madplan.pdf"' in disposition
    assert client.get(reverse("posts:thumbnail", args=[document.id])).status_code == 404  # not a picture


def test_a_deleted_or_hidden_post_takes_its_files_with_it(client: Client) -> None:
    share(client, "Billeder", upload("IMG_0002.jpg", photo_with_location()))
    picture = PostAttachment.objects.get(post__title="Billeder")
    url = reverse("posts:attachment", args=[picture.id])
    client.logout()
    assert client.get(url).status_code == 302  # not signed in: to the login page
    sign_in(client, "karin", role="employee")
    assert client.post(reverse("posts:delete", args=[picture.post_id])).status_code == 302
    sign_in(client, "mette", role="guardian")
    assert client.get(url).status_code == 404
    assert client.get(reverse("posts:attachment", args=[987654])).status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("stor.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "stor.pdf er større end 10 MB."),
        ("program.exe", b"MZ\x90\x00binary", "program.exe kan ikke vedhæftes."),
        ("makro.docx", b"PK\x03\x04broken", "makro.docx kunne ikke læses."),
    ],
)
def test_a_bad_file_is_refused_next_to_the_field_and_nothing_is_saved(
    client: Client, media: Path, name: str, data: bytes, message: str
) -> None:
    before = Post.objects.count()
    response = share(client, "Forkert fil", upload(name, data, "application/octet-stream"))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_attachments_error" role="alert">' + message in html
    assert 'value="Forkert fil"' in html and "Filer, du valgte før, skal vælges igen." in html
    assert Post.objects.count() == before and not PostAttachment.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))


def test_the_feed_shows_a_thumbnail_or_the_number_of_files(client: Client) -> None:
    share(client, "Med billede", upload("IMG_0003.jpg", photo_with_location()))
    pdf = upload("plan.pdf", b"%PDF-1.7 plan", "application/pdf")
    share(client, "Med filer", pdf, upload("liste.txt", b"Husk madpakke", "text/plain"))
    html = overview(client)
    picture = PostAttachment.objects.get(name="IMG_0003.jpg")
    assert f'src="{reverse("posts:thumbnail", args=[picture.id])}" alt="IMG_0003.jpg"' in html
    assert "📎</span> 2 filer" in html


def overview(client: Client) -> str:
    sign_in(client, "mette", role="guardian")
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _share_many(count: int, start: int) -> None:
    karin = viewer("karin")
    for i in range(start, start + count):
        files = [upload(f"foto{i}.jpg", photo_with_location()), upload(f"plan{i}.pdf", b"%PDF-1.7", "application/pdf")]
        attachments.create_post_with_files(
            karin, files=files, title=f"Opslag {i}", content="<p>x</p>", targets=[f"g:{blaa().id}"], roles=["guardian"]
        )


def test_files_do_not_add_queries_to_the_feed(client: Client) -> None:
    mette = viewer("mette", "guardian")
    _share_many(2, 0)
    with assert_max_queries(4):
        small = queries.feed(mette, limit=50)
    _share_many(8, 2)
    with assert_max_queries(4) as log:
        large = queries.feed(mette, limit=50)
    assert len(log) == 4
    assert len(large.posts) == len(small.posts) + 8
    assert all(item.thumbnail is not None and item.file_count == 2 for item in large.posts)
    html = overview(client)
    assert "foto9.jpg" in html and "📎</span> 1 fil mere" in html


def test_a_posts_page_costs_the_same_with_one_file_or_many(client: Client) -> None:
    def page_queries(count: int) -> int:
        files = [upload(f"foto{i}.jpg", photo_with_location()) for i in range(count)]
        post = attachments.create_post_with_files(
            viewer("karin"),
            files=files,
            title=f"{count} billeder",
            content="<p>x</p>",
            targets=[f"g:{blaa().id}"],
            roles=["guardian"],
        )
        client.get(reverse("posts:post", args=[post.id]))  # the first request after signing in writes the session
        with assert_max_queries(25) as log:
            html = client.get(reverse("posts:post", args=[post.id])).content.decode()
        assert html.count('alt="foto') == count
        return len(log)

    sign_in(client, "mette", role="guardian")
    assert page_queries(1) == page_queries(6)
