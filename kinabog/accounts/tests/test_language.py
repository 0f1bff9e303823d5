"""The chosen language: a cookie on the device, remembered on the login and brought back at login."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from kinabog.accounts.models import User
from kinabog.core.testing import sign_in
from kinabog.demo.havnby import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def log_in(client: Client, username: str = "mette"):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": DEMO_PASSWORD})


def test_login_sets_the_preferred_language_when_the_device_has_none(client: Client) -> None:
    User.objects.filter(username="mette").update(preferred_language="en")
    response = log_in(client)
    assert response.cookies[COOKIE].value == "en"
    assert response.cookies[COOKIE]["httponly"]
    page = client.get("/")
    assert page["Content-Language"] == "en"


def test_login_keeps_the_language_already_chosen_on_the_device(client: Client) -> None:
    User.objects.filter(username="mette").update(preferred_language="en")
    client.cookies[COOKIE] = "da"
    response = log_in(client)
    assert COOKIE not in response.cookies
    assert client.get("/")["Content-Language"] == "da"


@pytest.mark.parametrize("preferred", ["", "xx"])
def test_no_cookie_without_a_usable_preference(client: Client, preferred: str) -> None:
    User.objects.filter(username="mette").update(preferred_language=preferred)
    assert COOKIE not in log_in(client).cookies


def test_choosing_a_language_signed_in_remembers_it_on_the_login(client: Client) -> None:
    sign_in(client, "mette")
    response = client.post("/sprog/", {"language": "en", "next": "/profil/"})
    assert response["Location"] == "/profil/"
    assert response.cookies[COOKIE].value == "en"
    assert User.objects.get(username="mette").preferred_language == "en"


def test_an_unknown_language_changes_nothing(client: Client) -> None:
    sign_in(client, "mette")
    response = client.post("/sprog/", {"language": "xx"})
    assert COOKIE not in response.cookies
    assert User.objects.get(username="mette").preferred_language == ""


def test_choosing_a_language_signed_out_sets_only_the_cookie(client: Client) -> None:
    response = client.post("/sprog/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert response.cookies[COOKIE].value == "en"
    assert not User.objects.exclude(preferred_language="").exists()


def test_language_is_chosen_by_post_only(client: Client) -> None:
    assert client.get("/sprog/", {"language": "en"}).status_code == 405
