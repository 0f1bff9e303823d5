"""Sessions end after 60 minutes without activity, and the person is told why."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from kinabog.accounts.session import LAST_SEEN_KEY
from kinabog.core.testing import sign_in
from kinabog.demo.havnby import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def set_last_seen(client: Client, seconds_ago: float) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - seconds_ago
    session.save()


def test_idle_limit_is_60_minutes() -> None:
    assert settings.SESSION_IDLE_SECONDS == 60 * 60


def test_after_60_idle_minutes_the_person_lands_on_login_with_a_message(client: Client) -> None:
    sign_in(client, "mette")
    set_last_seen(client, settings.SESSION_IDLE_SECONDS + 5)
    response = client.get("/profil/?tab=1")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/login/"
    assert parse_qs(location.query) == {"expired": ["1"], "next": ["/profil/?tab=1"]}
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    with translation.override("da"):
        assert gettext("You were logged out after 60 minutes without activity.") in page.content.decode()
    assert 'name="next" value="/profil/?tab=1"' in page.content.decode()


def test_logging_in_again_brings_the_person_back(client: Client) -> None:
    sign_in(client, "mette")
    set_last_seen(client, settings.SESSION_IDLE_SECONDS + 5)
    location = client.get("/profil/")["Location"]
    response = client.post(location, {"username": "mette", "password": DEMO_PASSWORD, "next": "/profil/"})
    assert response["Location"] == "/profil/"
    assert client.get("/profil/").status_code == 200


def test_a_form_sent_after_expiry_is_not_acted_on(client: Client) -> None:
    sign_in(client, "birgitte")
    set_last_seen(client, settings.SESSION_IDLE_SECONDS + 5)
    response = client.post("/rolle/", {"role": "guardian"})
    assert response.status_code == 302
    assert response["Location"] == "/login/?expired=1"  # no `next` to a form address
    assert "_auth_user_id" not in client.session


def test_machine_clients_are_signed_out_but_not_sent_to_the_login_page(client: Client) -> None:
    sign_in(client, "mette")
    set_last_seen(client, settings.SESSION_IDLE_SECONDS + 5)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_activity_within_the_hour_keeps_the_session_and_is_noted(client: Client) -> None:
    sign_in(client, "mette")
    set_last_seen(client, settings.SESSION_IDLE_SECONDS - 120)
    assert client.get("/profil/").status_code == 200
    assert time.time() - client.session[LAST_SEEN_KEY] < 5


def test_activity_is_noted_at_most_once_a_minute(client: Client) -> None:
    sign_in(client, "mette")
    set_last_seen(client, 10)
    noted = client.session[LAST_SEEN_KEY]
    client.get("/profil/")
    assert client.session[LAST_SEEN_KEY] == noted


def test_a_session_without_a_note_gets_one(client: Client) -> None:
    sign_in(client, "mette")
    assert LAST_SEEN_KEY not in client.session
    assert client.get("/").status_code == 200
    assert LAST_SEEN_KEY in client.session


def test_anonymous_requests_are_left_alone(client: Client) -> None:
    assert client.get("/login/").status_code == 200
    assert LAST_SEEN_KEY not in client.session
