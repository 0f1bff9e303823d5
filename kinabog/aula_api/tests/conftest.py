"""A small Aula client over Django's test client, and access tokens for the demo people."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import Client

from kinabog.aula_api.bootstrap import CSRFP_COOKIE, CSRFP_HEADER
from kinabog.aula_api.tokens import issue_token


class AulaClient:
    """Calls /api/vNN/?method=… the way community clients do: cookies kept, csrfp-token on POST."""

    def __init__(self, client: Client, version: int = 24) -> None:
        self.client = client
        self.version = version

    @property
    def url(self) -> str:
        return f"/api/v{self.version}/"

    @property
    def csrfp(self) -> str | None:
        cookie = self.client.cookies.get(CSRFP_COOKIE)
        return cookie.value if cookie else None

    def get(self, method: str, **params: Any) -> HttpResponse:
        return self.client.get(self.url, {"method": method, **params})

    def post(
        self, method: str, body: dict[str, Any] | None = None, *, csrf: bool = True, **params: Any
    ) -> HttpResponse:
        query = urlencode({"method": method, **params}, doseq=True)
        headers = {CSRFP_HEADER: self.csrfp or ""} if csrf else {}
        return self.client.post(
            f"{self.url}?{query}",
            data=json.dumps(body) if body is not None else "",
            content_type="application/json",
            headers=headers,
        )

    def sign_in(self, token: str) -> dict[str, Any]:
        """The bootstrap's first call; returns `data`."""
        return ok(self.get("profiles.getProfilesByLogin", access_token=token))

    def activate(self, role: str) -> dict[str, Any]:
        return ok(self.get("profiles.getProfileContext", portalrole=role))


def ok(response: HttpResponse) -> Any:
    """The `data` of a successful answer; fails with the status otherwise."""
    assert response.status_code == 200, (response.status_code, response.content[:500])
    payload = response.json()
    assert payload["status"] == {"code": 0, "message": "OK"}, payload["status"]
    return payload["data"]


def status_of(response: HttpResponse) -> dict[str, Any]:
    """The envelope's status of an error answer (always JSON, never an HTML page)."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    payload = response.json()
    assert payload["data"] is None
    return payload["status"]


@pytest.fixture
def aula(client: Client) -> AulaClient:
    return AulaClient(client)


@pytest.fixture
def token_for(db: None) -> Callable[..., str]:
    def issue(username: str, scope: str = "aula") -> str:
        return issue_token(get_user_model().objects.get(username=username), scope)

    return issue


@pytest.fixture
def signed_in(aula: AulaClient, token_for: Callable[..., str]) -> Callable[..., AulaClient]:
    """An Aula client through the whole bootstrap: token → session → activated portal role."""

    def bootstrap(username: str, role: str, scope: str = "aula") -> AulaClient:
        aula.sign_in(token_for(username, scope))
        aula.activate(role)
        return aula

    return bootstrap
