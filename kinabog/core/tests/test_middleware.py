"""The Content-Security-Policy header: built once from the settings, and django-csp's own way where a view
changes it or uses a nonce."""

from __future__ import annotations

from typing import Any

import pytest
from csp.constants import NONCE, SELF
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from kinabog.core.middleware import ContentSecurityPolicyMiddleware
from kinabog.core.testing import sign_in

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(header: str) -> dict[str, str]:
    """A policy's directives (django-csp writes them in no fixed order)."""
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def answered(view: Any, path: str = "/") -> tuple[HttpRequest, HttpResponse]:
    request = RequestFactory().get(path)
    middleware = ContentSecurityPolicyMiddleware(view)
    middleware.process_request(request)
    return request, middleware.process_response(request, view(request))  # type: ignore[return-value]


@pytest.mark.django_db
def test_pages_and_the_api_carry_the_policy_of_the_settings(client: Client, demo: None) -> None:
    assert directives(client.get("/konto/log-ind/")["Content-Security-Policy"]) == POLICY
    sign_in(client, "mette", role="guardian")
    for path in ("/", "/komme-gaa/", "/api/ping"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert directives(response["Content-Security-Policy"]) == POLICY, path
        assert "Content-Security-Policy-Report-Only" not in response
    # Answers that refuse carry it too (the Aula API wants its own session bootstrap first).
    refused = client.get("/api/v24/?method=messaging.getThreads")
    assert refused.status_code == 403
    assert directives(refused["Content-Security-Policy"]) == POLICY


@pytest.mark.django_db
def test_a_change_of_the_settings_changes_the_next_answer(client: Client, settings: Any) -> None:
    assert directives(client.get("/api/ping")["Content-Security-Policy"]) == POLICY
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": [SELF], "img-src": [SELF, "https://foto.example"]}
    }
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": [SELF]}}
    response = client.get("/api/ping")
    assert directives(response["Content-Security-Policy"]) == {
        "default-src": "'self'",
        "img-src": "'self' https://foto.example",
    }
    assert response["Content-Security-Policy-Report-Only"] == "default-src 'self'"


def test_a_view_that_changes_the_policy_gets_its_own() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("kort")
        response._csp_update = {"img-src": ["https://kort.example"]}  # type: ignore[attr-defined]
        return response

    _request, response = answered(view)
    assert directives(response["Content-Security-Policy"]) == {**POLICY, "img-src": "'self' data: https://kort.example"}
    _request, plain = answered(lambda request: HttpResponse("plain"))
    assert directives(plain["Content-Security-Policy"]) == POLICY  # the change stays with its own response


def test_a_view_may_be_exempt_and_a_header_set_by_the_view_is_kept() -> None:
    def exempt(request: HttpRequest) -> HttpResponse:
        response = HttpResponse()
        response._csp_exempt = True  # type: ignore[attr-defined]
        return response

    assert "Content-Security-Policy" not in answered(exempt)[1]
    own = HttpResponse()
    own["Content-Security-Policy"] = "default-src 'none'"
    assert answered(lambda request: own)[1]["Content-Security-Policy"] == "default-src 'none'"


def test_a_nonce_used_by_the_page_is_in_its_header_and_cannot_be_asked_for_after_it(settings: Any) -> None:
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]}}

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')  # type: ignore[attr-defined]

    _first, response = answered(view)
    nonce = response.content.decode().split('"')[1]
    assert directives(response["Content-Security-Policy"]) == {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
    }
    _request, without = answered(lambda request: HttpResponse())
    assert directives(without["Content-Security-Policy"]) == {"default-src": "'self'", "script-src": "'self'"}
    with pytest.raises(Exception, match="csp_nonce"):
        str(_request.csp_nonce)  # type: ignore[attr-defined]
