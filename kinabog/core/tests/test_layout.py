"""The layout every page shares: the main menu for each kind of viewer, the page's own link marked."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kinabog.core.testing import sign_in

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<nav aria-label="[^"]+" class="mainnav">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)" (aria-current="page")?>([^<]+)')


def menu(client: Client, path: str) -> list[tuple[str, bool, str]]:
    response = client.get(path)
    assert response.status_code == 200
    found = MENU.search(response.content.decode())
    assert found is not None
    return [(url, bool(current), label.strip()) for url, current, label in LINK.findall(found.group(1))]


def test_a_guardian_gets_her_areas_and_the_page_she_is_on_marked(client, demo):
    sign_in(client, "mette", role="guardian")
    assert menu(client, "/") == [
        ("/", True, "Overblik"),
        ("/beskeder/", False, "Beskeder"),
        ("/kalender/", False, "Kalender"),
        ("/komme-gaa/", False, "Komme/gå"),
        ("/samtykker/", False, "Samtykker"),
        ("/notifikationer/", False, "Notifikationer"),
        ("/profil/", False, "Profil"),
    ]
    assert [label for _url, current, label in menu(client, "/komme-gaa/") if current] == ["Komme/gå"]
    assert [label for _url, current, label in menu(client, "/profil/") if current] == ["Profil"]


def test_an_administrator_gets_the_administration_in_english_when_chosen(client, demo):
    sign_in(client, "anders", role="employee")
    client.cookies["kinabog_language"] = "en"
    items = menu(client, "/kalender/")
    assert [label for _url, _current, label in items][-2:] == ["Profile", "Administration"]
    assert [label for _url, current, label in items if current] == ["Calendar"]
    assert [label for _url, current, label in menu(client, reverse("calendar:resources")) if current] == [
        "Administration"
    ]


def test_signed_out_pages_have_no_menu_but_the_language_choice(client, demo):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert MENU.search(html) is None
    assert f'action="{reverse("accounts:set_language")}"' in html and 'href="/">Kinabog</a>' in html
