"""Access tokens from the real OAuth2 authorization-code + PKCE flow at /o/, used on the Aula API."""

from __future__ import annotations

import base64
import hashlib
import secrets
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import Client
from oauth2_provider.models import get_access_token_model, get_application_model

from kinabog.aula_api.tokens import CLI_APPLICATION_NAME
from kinabog.core.testing import sign_in

from .conftest import AulaClient, ok

pytestmark = pytest.mark.django_db

REDIRECT_URI = "http://127.0.0.1:8765/callback"


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def public_client(*, skip_authorization: bool):  # type: ignore[no-untyped-def]
    application_model = get_application_model()
    return application_model.objects.create(
        name="Home Assistant Aula",
        client_type=application_model.CLIENT_PUBLIC,
        authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT_URI,
        skip_authorization=skip_authorization,
        algorithm="",
    )


def authorize_params(client_id: str, challenge: str, scope: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": "havnby-42",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def code_from(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.content[:300]
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == ["havnby-42"]
    return query["code"][0]


def exchange(client_id: str, code: str, verifier: str | None) -> HttpResponse:
    """POST /o/token/ as the app would (no cookies)."""
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "client_id": client_id}
    if verifier is not None:
        data["code_verifier"] = verifier
    return Client().post("/o/token/", data)


class HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        fields = dict(attrs)
        if tag == "input" and fields.get("type") == "hidden" and fields.get("name"):
            self.values[str(fields["name"])] = fields.get("value") or ""


def test_the_whole_flow_with_an_approved_application_reaches_the_aula_api():
    application = public_client(skip_authorization=True)
    verifier, challenge = pkce_pair()

    browser = Client()
    sign_in(browser, "mette")
    code = code_from(browser.get("/o/authorize/", authorize_params(application.client_id, challenge, "aula")))

    response = exchange(application.client_id, code, verifier)
    assert response.status_code == 200, response.content
    grant = response.json()
    assert grant["token_type"] == "Bearer" and grant["scope"] == "aula"

    aula = AulaClient(Client())  # the app: no browser cookies, only the token
    data = aula.sign_in(grant["access_token"])
    assert {c["name"] for c in data["profiles"][0]["children"]} == {"Emil Hansen", "Sofie Hansen"}
    assert aula.activate("guardian")["isSteppedUp"] is False
    assert ok(aula.post("session.keepAlive")) is True


def test_the_person_approves_on_the_consent_page_and_gets_a_sensitive_token():
    application = public_client(skip_authorization=False)
    verifier, challenge = pkce_pair()
    browser = Client()
    sign_in(browser, "sara")

    page = browser.get("/o/authorize/", authorize_params(application.client_id, challenge, "aula-sensitive"))
    assert page.status_code == 200
    form = HiddenInputs()
    form.feed(page.content.decode())
    assert form.values["code_challenge"] == challenge
    code = code_from(browser.post("/o/authorize/", {**form.values, "allow": "Authorize"}))

    grant = exchange(application.client_id, code, verifier).json()
    aula = AulaClient(Client())
    [profile] = aula.sign_in(grant["access_token"])["profiles"]
    assert [c["name"] for c in profile["children"]] == ["Ida Kristensen"]
    assert aula.activate("guardian")["isSteppedUp"] is True


def test_the_code_is_useless_without_the_pkce_verifier():
    application = public_client(skip_authorization=True)
    _verifier, challenge = pkce_pair()
    browser = Client()
    sign_in(browser, "mette")
    code = code_from(browser.get("/o/authorize/", authorize_params(application.client_id, challenge, "aula")))

    assert exchange(application.client_id, code, None).status_code == 400
    assert exchange(application.client_id, code, pkce_pair()[0]).status_code == 400


def test_authorization_without_a_code_challenge_is_refused():
    application = public_client(skip_authorization=True)
    browser = Client()
    sign_in(browser, "mette")
    params = authorize_params(application.client_id, "", "aula")
    del params["code_challenge"], params["code_challenge_method"]
    response = browser.get("/o/authorize/", params)
    assert response.status_code in {302, 400}
    assert "code=" not in response.get("Location", "")


def test_the_token_command_prints_a_working_token():
    out = StringIO()
    call_command("token", "mette", stdout=out)
    token = out.getvalue().strip()
    assert get_application_model().objects.filter(name=CLI_APPLICATION_NAME).count() == 1
    aula = AulaClient(Client())
    assert aula.sign_in(token)["profiles"][0]["displayName"] == "Mette Hansen"

    call_command("token", "mette", "--scope", "aula-sensitive", stdout=StringIO())
    assert get_application_model().objects.filter(name=CLI_APPLICATION_NAME).count() == 1  # reused
    user = get_user_model().objects.get(username="mette")
    assert sorted(get_access_token_model().objects.filter(user=user).values_list("scope", flat=True)) == [
        "aula",
        "aula-sensitive",
    ]


def test_the_token_command_refuses_an_unknown_login():
    with pytest.raises(CommandError):
        call_command("token", "nobody", stdout=StringIO())
