"""Aula's conventions: versions, method names, the envelope, error answers, parameters."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.conf import settings
from django.test import RequestFactory

from kinabog.aula_api import errors, registry
from kinabog.aula_api.errors import ApiError
from kinabog.aula_api.params import ApiRequest
from kinabog.aula_api.registry import find_method
from kinabog.core.errors import InvalidInput, NotFound, Refused, StepUpRequired

from .conftest import ok, status_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("version", [16, 22, 25])
def test_other_versions_answer_410_code_10(aula, token_for, version):
    aula.version = version
    response = aula.get("profiles.getProfilesByLogin", access_token=token_for("mette"))
    assert response.status_code == 410
    status = status_of(response)
    assert status["code"] == 10 and status["httpCode"] == 410


@pytest.mark.parametrize("version", [23, 24])
def test_current_versions_answer(aula, token_for, version):
    aula.version = version
    data = aula.sign_in(token_for("mette"))
    assert data["profiles"]


def test_a_retired_version_answers_410_before_anything_else(aula):
    aula.version = 22
    response = aula.get("no.suchMethod")
    assert response.status_code == 410 and status_of(response)["code"] == 10


def test_unknown_method_answers_410_code_10(aula, token_for):
    aula.sign_in(token_for("mette"))
    for method in ("messaging.noSuchThing", "", "profiles"):
        response = aula.get(method)
        assert response.status_code == 410, method
        assert status_of(response)["code"] == 10


def test_method_names_are_matched_case_insensitively(aula, token_for):
    data = ok(aula.get("profiles.getprofilesbylogin", access_token=token_for("mette")))
    assert data["profiles"][0]["portalRole"] == "guardian"
    ok(aula.get("PROFILES.GETPROFILECONTEXT", portalrole="guardian"))


def test_trailing_slash_is_optional(client, token_for):
    response = client.get("/api/v24", {"method": "profiles.getProfilesByLogin", "access_token": token_for("mette")})
    assert ok(response)["profiles"]


def test_without_token_or_session_answers_403_code_448(aula):
    response = aula.get("profiles.getProfilesByLogin")
    assert response.status_code == 403
    assert status_of(response)["code"] == 448


@pytest.mark.parametrize("token", ["garbage", "", "x" * 5000, "æøå\u0000", "' OR 1=1 --"])
def test_a_broken_token_answers_an_envelope_not_a_server_error(aula, token):
    response = aula.get("profiles.getProfilesByLogin", access_token=token)
    assert response.status_code == 403
    status = status_of(response)
    assert status["code"] == 448 and status["subCode"] == errors.SUB_INVALID_TOKEN
    assert status["presentedMessage"]


def test_an_expired_token_answers_an_envelope(aula, token_for):
    from oauth2_provider.models import get_access_token_model

    token = token_for("mette")
    get_access_token_model().objects.filter(user__username="mette").update(expires="2000-01-01T00:00:00Z")
    response = aula.get("profiles.getProfilesByLogin", access_token=token)
    assert response.status_code == 403
    assert status_of(response)["subCode"] == errors.SUB_INVALID_TOKEN


def test_a_token_for_a_deactivated_login_is_refused(aula, token_for, django_user_model):
    token = token_for("mette")
    django_user_model.objects.filter(username="mette").update(is_active=False)
    response = aula.get("profiles.getProfilesByLogin", access_token=token)
    assert response.status_code == 403 and status_of(response)["code"] == 448


def test_a_wrong_http_method_answers_an_envelope(client):
    response = client.put("/api/v24/?method=profiles.getProfilesByLogin")
    assert response.status_code == 405
    assert status_of(response)["code"] == 10


def test_missing_or_unreadable_parameters_answer_200_code_40(signed_in):
    aula = signed_in("lars", "guardian")
    for params in ({}, {"groupId": "abc"}, {"groupId": "9" * 40}):
        response = aula.get("groups.getMembershipsLight", **params)
        assert response.status_code == 200, params
        assert status_of(response)["code"] == 40
    response = aula.get("profiles.getProfileContext", portalrole="pirate")
    assert response.status_code == 200 and status_of(response)["code"] == 40


def test_an_unknown_id_answers_404_without_a_hint(signed_in):
    aula = signed_in("mette", "guardian")
    response = aula.get("groups.getMembershipsLight", groupId=987654321)
    assert response.status_code == 404
    status = status_of(response)
    assert status["code"] == 404 and status["message"] == "NOT_FOUND"


def test_an_unexpected_error_answers_a_500_envelope(signed_in, monkeypatch, caplog):
    aula = signed_in("mette", "guardian")
    method = find_method("groups.getMembershipsLight")

    def broken(api):
        raise RuntimeError("boom")

    monkeypatch.setitem(registry._METHODS, "groups.getmembershipslight", replace(method, handler=broken))
    response = aula.get("groups.getMembershipsLight", groupId=1)
    assert response.status_code == 500
    assert status_of(response)["code"] == 500
    assert "boom" in caplog.text  # logged for the operator


@pytest.mark.parametrize(
    ("raised", "http_status", "code", "sub_code"),
    [
        (NotFound(), 404, 404, None),
        (StepUpRequired(), 401, 403, errors.SUB_STEP_UP_REQUIRED),
        (Refused(), 403, 403, errors.SUB_DENIED_ANY_SCOPE),
        (InvalidInput("Ugyldig dato"), 200, 40, None),
    ],
)
def test_errors_from_queries_and_actions_map_to_aula_answers(raised, http_status, code, sub_code):
    error = errors.from_exception(raised)
    assert isinstance(error, ApiError)
    assert (error.http_status, error.code, error.sub_code) == (http_status, code, sub_code)


def test_array_parameters_are_php_style():
    method = find_method("groups.getMembershipsLight")
    factory = RequestFactory()
    api = ApiRequest(factory.get("/api/v24/", {"ids[]": ["1", "2"], "bare": ["3", "4"]}), method, 24)
    assert api.integers("ids") == [1, 2]
    assert api.integers("bare") == [3, 4]
    assert api.integers("missing") == []
    with pytest.raises(ApiError) as caught:
        ApiRequest(factory.get("/api/v24/", {"ids[]": ["1", "x"]}), method, 24).integers("ids")
    assert caught.value.code == 40


def test_post_parameters_come_from_the_json_body():
    method = find_method("session.keepAlive")
    request = RequestFactory().post(
        "/api/v24/?method=x&limit=5", data='{"ids": [7, 8], "text": "hej"}', content_type="application/json"
    )
    api = ApiRequest(request, method, 24)
    assert api.integers("ids") == [7, 8]
    assert api.text("text") == "hej"
    assert api.integer("limit") == 5
    broken = RequestFactory().post("/api/v24/", data="{not json", content_type="application/json")
    with pytest.raises(ApiError):
        _ = ApiRequest(broken, method, 24).body


def test_presented_messages_are_danish_by_default_and_english_on_request(client):
    retired = {"method": "profiles.getProfilesByLogin"}
    danish = status_of(client.get("/api/v22/", retired))["presentedMessage"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = status_of(client.get("/api/v22/", retired))["presentedMessage"]
    assert english == "This version of the API is no longer available."
    assert danish and danish != english
