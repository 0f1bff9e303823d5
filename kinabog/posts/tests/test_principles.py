"""Kommunikationsprincipper: the institution administrator writes them, everyone who reports reads them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kinabog.audit.models import AuditEntry
from kinabog.core.testing import assert_max_queries, sign_in
from kinabog.institutions.models import Group, Institution
from kinabog.posts.models import CommunicationPrinciples, Post

pytestmark = pytest.mark.django_db

WORDS = "Vi skriver venligt til hinanden.\n\nSkriv om gruppen, ikke om enkelte børn. <script>alert(1)</script>"


def katamaranen() -> Institution:
    return Institution.objects.get(name="Børnehuset Katamaranen")


def principles_url(institution: Institution | None = None) -> str:
    return reverse("posts:principles", args=[(institution or katamaranen()).id])


def karins_post(client: Client) -> Post:
    sign_in(client, "karin", role="employee")
    data = {
        "title": "Tur i skoven",
        "content": "Husk gummistøvler.",
        "targets": [f"g:{Group.objects.get(name='Blå stue').id}"],
        "roles": ["guardian", "employee"],
        "allow_comments": "on",
    }
    assert client.post(reverse("posts:new"), data).status_code == 302
    return Post.objects.get(title="Tur i skoven")


def test_anders_writes_the_principles_and_mette_reads_them_when_she_reports(client: Client) -> None:
    post = karins_post(client)
    sign_in(client, "anders", role="employee")
    page = client.get(principles_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert '<label for="id_text">' in html and "Kinabogs forslag" in html  # the default until they write their own
    with assert_max_queries(20):
        response = client.post(principles_url(), {"text": WORDS})
    assert response.status_code == 302 and response["Location"] == principles_url()
    stored = CommunicationPrinciples.objects.get(institution=katamaranen()).text
    assert stored.startswith("<p>Vi skriver venligt til hinanden.</p><p>Skriv om gruppen")
    assert "<script>" not in stored and "&lt;script&gt;" in stored  # typed text, never markup
    entry = AuditEntry.objects.get(action="communication_principles.update")
    assert entry.object_type == "posts.communicationprinciples"
    again = client.get(principles_url()).content.decode()
    assert "Vi skriver venligt til hinanden.\n\nSkriv om gruppen" in again  # paragraphs kept for editing

    sign_in(client, "mette", role="guardian")
    report = client.get(reverse("posts:report", args=[post.id])).content.decode()
    assert "<p>Vi skriver venligt til hinanden.</p>" in report and "&lt;script&gt;" in report
    assert "<script>alert" not in report


def test_the_principles_are_linked_from_the_moderation_queue_and_administration(client: Client) -> None:
    sign_in(client, "anders", role="employee")
    kahytten = Institution.objects.get(name="Børnehaven Kahytten")
    queue = client.get(reverse("posts:moderation")).content.decode()
    assert f'href="{principles_url()}"' in queue and f'href="{principles_url(kahytten)}"' in queue
    administration = client.get(reverse("institutions:administration")).content.decode()
    assert f'href="{principles_url()}"' in administration


@pytest.mark.parametrize(
    ("username", "role"),
    [("mette", "guardian"), ("jonas", "guardian"), ("karin", "employee"), ("ole", "employee")],
)
def test_people_who_do_not_administer_the_institution_cannot_reach_the_page(
    client: Client, username: str, role: str
) -> None:
    sign_in(client, username, role=role)
    assert client.get(principles_url()).status_code == 404
    assert client.post(principles_url(), {"text": "Overtaget"}).status_code == 404
    assert not CommunicationPrinciples.objects.exists()


def test_anders_cannot_write_another_institutions_principles(client: Client) -> None:
    sign_in(client, "anders", role="employee")
    school = Institution.objects.get(name="Havnby Skole")
    assert client.get(principles_url(school)).status_code == 404
    assert client.get(reverse("posts:principles", args=[987654])).status_code == 404


def test_empty_principles_are_refused_with_a_message(client: Client) -> None:
    sign_in(client, "anders", role="employee")
    response = client.post(principles_url(), {"text": "   "})
    assert response.status_code == 400
    assert 'id="id_text_error" role="alert">' in response.content.decode()
    assert not CommunicationPrinciples.objects.exists()
