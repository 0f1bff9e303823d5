"""One login, several portal roles: birgitte is a teacher at Havnby Skole and Oliver's mother at Kahytten."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kinabog.accounts.session import ASSURANCE_KEY, PORTAL_ROLE_KEY
from kinabog.core.testing import assert_max_queries, sign_in

pytestmark = pytest.mark.django_db

ROLE = "/rolle/"


def overview(client: Client) -> str:
    response = client.get(reverse("institutions:overview"))
    assert response.status_code == 200
    return response.content.decode()


def test_switch_role_url() -> None:
    assert reverse("accounts:switch_role") == ROLE


def test_birgitte_starts_as_employee_and_sees_her_class(client: Client) -> None:
    sign_in(client, "birgitte")
    html = overview(client)
    assert "Havnby Skole" in html and "3.B" in html
    assert "Oliver" not in html
    assert 'name="role"' in html  # she is offered the switch
    assert client.session[PORTAL_ROLE_KEY] == "employee"


def test_birgitte_switches_to_guardian_and_sees_oliver_and_the_role_persists(client: Client) -> None:
    sign_in(client, "birgitte")
    response = client.post(ROLE, {"role": "guardian"})
    assert response.status_code == 302
    assert response["Location"] == reverse("institutions:overview")
    assert client.session[PORTAL_ROLE_KEY] == "guardian"
    for _ in range(2):  # still the guardian on the next requests
        with assert_max_queries(25):
            html = overview(client)
        assert "Oliver Lund" in html and "Børnehaven Kahytten" in html
        assert "3.B" not in html
    assert client.session[PORTAL_ROLE_KEY] == "guardian"

    client.post(ROLE, {"role": "employee"})
    html = overview(client)
    assert "3.B" in html and "Oliver" not in html


def test_switching_role_keeps_the_assurance_level(client: Client) -> None:
    sign_in(client, "birgitte", level=3)
    client.post(ROLE, {"role": "guardian"})
    assert client.session[ASSURANCE_KEY] == 3


@pytest.mark.parametrize(("username", "role"), [("birgitte", "child"), ("mette", "employee"), ("mette", "admin")])
def test_a_role_the_login_does_not_have_is_refused_and_nothing_changes(
    client: Client, username: str, role: str
) -> None:
    sign_in(client, username, role="guardian")
    client.get(reverse("institutions:overview"))  # notes activity, so the session settles
    before = dict(client.session.items())
    response = client.post(ROLE, {"role": role})
    assert response.status_code == 400
    assert dict(client.session.items()) == before
    assert client.session[PORTAL_ROLE_KEY] == "guardian"


def test_a_missing_role_is_refused(client: Client) -> None:
    sign_in(client, "birgitte")
    assert client.post(ROLE, {}).status_code == 400
    assert client.session[PORTAL_ROLE_KEY] == "employee"


def test_switching_needs_post_and_a_login(client: Client) -> None:
    assert client.post(ROLE, {"role": "guardian"})["Location"].startswith(reverse("accounts:login"))
    sign_in(client, "birgitte")
    assert client.get(ROLE, {"role": "guardian"}).status_code == 405
