"""Sensitive content needs level 3: Emil's supplementary data at /boern/<id>/stamdata/, row by row of ACCESS.md."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from kinabog.accounts.models import TotpDevice
from kinabog.accounts.stepup import demand_level_3, sensitive
from kinabog.audit.models import AuditEntry
from kinabog.core.errors import StepUpRequired
from kinabog.core.testing import sign_in

from .conftest import Clock

pytestmark = pytest.mark.django_db

ALLERGIES = "Jordnødder og hasselnødder"
Enrol = Callable[..., TotpDevice]


def supplementary(child_id: int) -> str:
    return reverse("institutions:child_supplementary", args=[child_id])


def reads(username: str) -> int:
    return AuditEntry.objects.filter(actor__username=username, action="read_supplementary_data").count()


def test_mette_at_level_2_is_sent_to_step_up_and_back(client: Client, emil_id: int, clock: Clock) -> None:
    sign_in(client, "mette")
    url = supplementary(emil_id)

    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("accounts:step_up")
    assert parse_qs(location.query) == {"next": [url]}
    assert "no-cache" in response["Cache-Control"]
    assert reads("mette") == 0

    # Enrolment: the page shows the secret; the app's first code confirms it and steps up.
    html = client.get(response["Location"]).content.decode()
    secret = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    assert f'name="next" value="{url}"' in html
    response = client.post(reverse("accounts:step_up"), {"code": clock.code(secret), "next": url})
    assert response.status_code == 302
    assert response["Location"] == url

    page = client.get(url)
    assert page.status_code == 200
    assert ALLERGIES in page.content.decode()
    assert "no-cache" in page["Cache-Control"]
    assert reads("mette") == 1
    client.get(url)
    assert reads("mette") == 2  # one row per read
    entry = AuditEntry.objects.filter(actor__username="mette", action="read_supplementary_data").latest("id")
    assert (entry.object_type, entry.object_id, entry.assurance_level) == ("institutions.person", str(emil_id), 3)


def test_an_enrolled_login_steps_up_with_a_code(client: Client, emil_id: int, enrol: Enrol, clock: Clock) -> None:
    device = enrol("jonas")
    sign_in(client, "jonas")
    url = supplementary(emil_id)
    step_up = client.get(url)["Location"]
    assert "qr-code" not in client.get(step_up).content.decode()
    assert client.post(step_up, {"code": clock.code(device.secret)})["Location"] == url
    assert ALLERGIES in client.get(url).content.decode()
    assert reads("jonas") == 1


@pytest.mark.parametrize("username", ["mette", "jonas", "karin", "anders"])
def test_allowed_viewers_see_the_allergies_at_level_3(client: Client, emil_id: int, username: str) -> None:
    sign_in(client, username, level=3)
    response = client.get(supplementary(emil_id))
    assert response.status_code == 200
    assert ALLERGIES in response.content.decode()
    assert reads(username) == 1


@pytest.mark.parametrize("username", ["karin", "jonas"])
def test_allowed_viewers_at_level_2_are_sent_to_step_up(client: Client, emil_id: int, username: str) -> None:
    sign_in(client, username)
    response = client.get(supplementary(emil_id))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:step_up"))
    assert reads(username) == 0


@pytest.mark.parametrize(
    ("username", "role"),
    [
        ("birgitte", "employee"),
        ("birgitte", "guardian"),
        ("peter", None),
        ("lars", None),
        ("ole", None),
        ("thomas", None),
        ("freja", None),
    ],
)
@pytest.mark.parametrize("level", [2, 3])
def test_others_get_404_at_any_level(client: Client, emil_id: int, username: str, role: str | None, level: int) -> None:
    # 404 at level 2 as well: being sent to step-up would tell them the data exists.
    sign_in(client, username, role=role, level=level)
    response = client.get(supplementary(emil_id))
    assert response.status_code == 404
    assert ALLERGIES not in response.content.decode()
    assert not AuditEntry.objects.filter(action="read_supplementary_data").exists()


def test_an_unknown_child_is_404_not_step_up(client: Client) -> None:
    sign_in(client, "mette")
    assert client.get(supplementary(999_999)).status_code == 404


def test_signed_out_visitors_go_to_login(client: Client, emil_id: int) -> None:
    response = client.get(supplementary(emil_id))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_decorator_sends_a_demand_for_level_3_to_step_up_with_next() -> None:
    @sensitive
    def view(request: HttpRequest) -> HttpResponse:
        demand_level_3(request)
        return HttpResponse("secret")

    request = RequestFactory().get("/somewhere/?a=1")
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    request.session = {}  # type: ignore[assignment]
    response = view(request)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:step_up')}?next=%2Fsomewhere%2F%3Fa%3D1"
    assert "no-cache" in response["Cache-Control"]
    with pytest.raises(StepUpRequired):
        demand_level_3(request)
