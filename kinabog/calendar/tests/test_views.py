"""Events through HTTP: creating, refusing bad times, answering for a child, the week page's query budget."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinabog.calendar import actions
from kinabog.calendar.models import Event, Invitation, Response

from .conftest import group_3b, local, sofie, viewer

pytestmark = pytest.mark.django_db


def event_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Tur til skoven",
        "type": "excursion",
        "group": group_3b().id,
        "starts_at": local(2, 9).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(2, 13).strftime("%Y-%m-%dT%H:%M"),
        "place": "Havnby Skov",
        "description": "<p>Husk madpakke</p><script>alert(1)</script>",
        "response_required": "on",
    }
    data.update(changes)
    return data


def test_birgitte_creates_an_event_and_mette_answers_for_sofie(client: Client) -> None:
    sign_in_as(client, "birgitte", "employee")
    response = client.post(reverse("calendar:create_event"), event_form())
    event = Event.objects.get(title="Tur til skoven")
    assert response.status_code == 302
    assert "<script>" not in event.description and "madpakke" in event.description
    invitation = Invitation.objects.get(event=event, profile__person=sofie())

    mette = Client()
    sign_in_as(mette, "mette", "guardian")
    page = mette.get(reverse("calendar:event", args=[event.id])).content.decode()
    assert "Tur til skoven" in page and "Sofie" in page
    mette.post(reverse("calendar:answer", args=[event.id, invitation.id]), {"response": "accepted"})
    invitation.refresh_from_db()
    assert invitation.response == Response.ACCEPTED
    staff_page = client.get(reverse("calendar:event", args=[event.id])).content.decode()
    assert "Ja: 1" in staff_page

    peter = Client()
    sign_in_as(peter, "peter", "guardian")
    assert peter.get(reverse("calendar:event", args=[event.id])).status_code == 404
    answer = peter.post(reverse("calendar:answer", args=[event.id, invitation.id]), {"response": "declined"})
    assert answer.status_code == 404


def test_an_event_ending_before_it_starts_is_refused(client: Client) -> None:
    sign_in_as(client, "birgitte", "employee")
    response = client.post(reverse("calendar:create_event"), event_form(ends_at=local(2, 8).strftime("%Y-%m-%dT%H:%M")))
    assert response.status_code == 400
    assert "Begivenheden kan ikke slutte, før den begynder" in response.content.decode()
    assert not Event.objects.filter(title="Tur til skoven").exists()


def test_a_guardian_cannot_create_events(client: Client) -> None:
    sign_in_as(client, "mette", "guardian")
    assert client.get(reverse("calendar:create_event")).status_code == 404
    assert client.post(reverse("calendar:create_event"), event_form()).status_code == 404


def test_the_week_page_shows_childrens_group_events_with_a_fixed_query_count(client: Client) -> None:
    sign_in_as(client, "mette", "guardian")
    url = reverse("calendar:week")
    week = {"uge": local(2, 9).date().isoformat()}
    create(1)
    client.get(url, week)
    with CaptureQueriesContext(connection) as few:
        assert "Begivenhed 0" in client.get(url, week).content.decode()
    create(12)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url, week).content.decode()
    assert "Begivenhed 11" in page
    assert len(many.captured_queries) == len(few.captured_queries)


def create(count: int) -> None:
    birgitte = viewer("birgitte", "employee")
    for i in range(count):
        actions.create_event(
            birgitte,
            actions.EventInput(
                title=f"Begivenhed {i}", starts_at=local(2, 8), ends_at=local(2, 9), group_ids=(group_3b().id,)
            ),
        )


def sign_in_as(client: Client, username: str, role: str) -> None:
    from kinabog.core.testing import sign_in

    sign_in(client, username, role=role)
