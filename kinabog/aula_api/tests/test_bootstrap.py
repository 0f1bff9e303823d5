"""The session bootstrap as a community client does it: token → session → activated profile → calls."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client

from kinabog.accounts.session import ASSURANCE_KEY, LAST_SEEN_KEY
from kinabog.aula_api import errors
from kinabog.aula_api.bootstrap import CSRFP_COOKIE
from kinabog.core.testing import assert_max_queries

from .conftest import AulaClient, ok, status_of

pytestmark = pytest.mark.django_db


def test_mette_bootstraps_like_a_home_assistant_client(aula, token_for):
    token = token_for("mette")

    # 1. The token opens a session: a session cookie and a Csrfp-Token cookie come back.
    response = aula.get("profiles.getProfilesByLogin", access_token=token)
    data = ok(response)
    assert settings.SESSION_COOKIE_NAME in response.cookies
    assert response.cookies[CSRFP_COOKIE].value
    guardian = data["profiles"][0]
    assert guardian["portalRole"] == "guardian"
    assert {c["name"] for c in guardian["children"]} == {"Emil Hansen", "Sofie Hansen"}

    # 2. Before a profile is activated, only the two bootstrap methods answer.
    response = aula.post("session.keepAlive")
    assert response.status_code == 403 and status_of(response)["code"] == 10

    # 3. Activate the guardian role; the session cookie alone carries the rest.
    context = aula.activate("guardian")
    assert context["portalRole"] == "guardian"
    assert context["isSteppedUp"] is False

    # 4. POST with the csrfp-token header works; without it the answer is 403.
    assert ok(aula.post("session.keepAlive")) is True
    response = aula.post("session.keepAlive", csrf=False)
    assert response.status_code == 403 and status_of(response)["code"] == 403

    # 5. getProfilesByLogin also answers on the session alone (clients use it to test the login).
    assert ok(aula.get("profiles.getProfilesByLogin"))["profiles"][0]["profileId"] == guardian["profileId"]


def test_a_wrong_csrfp_token_is_refused(signed_in):
    aula = signed_in("mette", "guardian")
    response = aula.client.post(
        "/api/v24/?method=session.keepAlive", content_type="application/json", headers={"csrfp-token": "forged"}
    )
    assert response.status_code == 403


def test_django_csrf_does_not_block_api_posts(token_for):
    aula = AulaClient(Client(enforce_csrf_checks=True))
    aula.sign_in(token_for("mette"))
    aula.activate("guardian")
    assert ok(aula.post("session.keepAlive")) is True


def test_keep_alive_restarts_the_idle_timer(signed_in):
    aula = signed_in("mette", "guardian")
    session = aula.client.session
    session[LAST_SEEN_KEY] = time.time() - 30  # within the middleware's once-a-minute resolution
    session.save()
    before = time.time()
    ok(aula.post("session.keepAlive"))
    assert aula.client.session[LAST_SEEN_KEY] >= before


def test_an_idle_session_ends_with_448_session_expired(signed_in):
    aula = signed_in("mette", "guardian")
    session = aula.client.session
    session[LAST_SEEN_KEY] = time.time() - settings.SESSION_IDLE_SECONDS - 5
    session.save()
    response = aula.get("groups.getMembershipsLight", groupId=1)
    assert response.status_code == 403
    status = status_of(response)
    assert status["code"] == 448 and status["subCode"] == errors.SUB_SESSION_EXPIRED


def test_the_token_is_accepted_on_the_bootstrap_methods_only(aula, token_for):
    token = token_for("mette")
    response = aula.get("groups.getMembershipsLight", groupId=1, access_token=token)
    assert response.status_code == 403 and status_of(response)["code"] == 448
    # getProfileContext may open the session itself (some clients skip getProfilesByLogin).
    assert ok(aula.get("profiles.getProfileContext", portalrole="guardian", access_token=token))["portalRole"]


def test_a_token_for_another_login_replaces_the_session(aula, token_for):
    aula.sign_in(token_for("mette"))
    aula.activate("guardian")
    data = aula.sign_in(token_for("lars"))
    assert data["profiles"][0]["displayName"] == "Lars Mikkelsen"
    # Lars has not activated a profile in his session yet.
    response = aula.post("session.keepAlive")
    assert response.status_code == 403 and status_of(response)["code"] == 10


def test_scope_decides_the_assurance_level(aula, token_for):
    aula.sign_in(token_for("mette", "aula-sensitive"))
    assert aula.client.session[ASSURANCE_KEY] == 3
    assert aula.activate("guardian")["isSteppedUp"] is True

    other = AulaClient(Client())
    other.sign_in(token_for("mette", "aula"))
    assert other.client.session[ASSURANCE_KEY] == 2
    assert other.activate("guardian")["isSteppedUp"] is False


def test_a_new_token_from_the_same_login_sets_its_level(aula, token_for):
    aula.sign_in(token_for("mette"))
    aula.activate("guardian")
    aula.sign_in(token_for("mette", "aula-sensitive"))
    # The session and its activated profile stay; the new token's level applies.
    assert ok(aula.get("profiles.getProfileContext"))["isSteppedUp"] is True
    assert ok(aula.post("session.keepAlive")) is True


def test_birgitte_activates_both_her_roles(signed_in):
    aula = signed_in("birgitte", "employee")
    context = ok(aula.get("profiles.getProfileContext"))
    assert context["portalRole"] == "employee"
    assert [i["institutionName"] for i in context["institutions"]] == ["Havnby Skole"]
    assert {"guardian", "employee"} == set(context["availablePortalRoles"])

    context = aula.activate("guardian")
    assert context["portalRole"] == "guardian"
    assert [i["institutionName"] for i in context["institutions"]] == ["Børnehaven Kahytten"]
    assert [c["name"] for c in context["institutions"][0]["children"]] == ["Oliver Lund"]

    context = aula.activate("employee")
    assert context["portalRole"] == "employee"


def test_a_role_the_login_does_not_have_is_refused_and_leaves_the_session_as_it_was(signed_in):
    aula = signed_in("mette", "guardian")
    response = aula.get("profiles.getProfileContext", portalrole="employee")
    assert response.status_code == 403
    assert status_of(response)["subCode"] == errors.SUB_ACCESS_NOT_GRANTED
    assert ok(aula.get("profiles.getProfileContext"))["portalRole"] == "guardian"


def test_a_web_session_can_use_the_api_after_activating(client):
    from kinabog.core.testing import sign_in

    sign_in(client, "karin", role="employee")
    aula = AulaClient(client)
    response = aula.get("session.keepAlive")
    assert response.status_code == 403 and status_of(response)["code"] == 10
    context = aula.activate("employee")
    assert context["institutions"][0]["institutionName"] == "Børnehuset Katamaranen"
    assert aula.csrfp  # the cookie is handed out with the activation
    assert ok(aula.post("session.keepAlive")) is True


def test_a_browser_sent_from_another_site_is_not_signed_in_by_a_token_in_the_link(aula, token_for):
    response = aula.client.get(
        "/api/v24/",
        {"method": "profiles.getProfilesByLogin", "access_token": token_for("lars")},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403 and status_of(response)["code"] == 403
    assert "_auth_user_id" not in aula.client.session
    # Typed into the address bar or called by an app: fine.
    response = aula.client.get(
        "/api/v24/",
        {"method": "profiles.getProfilesByLogin", "access_token": token_for("lars")},
        headers={"Sec-Fetch-Site": "none"},
    )
    assert ok(response)["profiles"][0]["displayName"] == "Lars Mikkelsen"


def test_a_token_sign_in_is_audited_once_per_session(aula, token_for):
    token = token_for("mette", "aula-sensitive")
    with assert_max_queries(34) as first:
        aula.sign_in(token)
    with assert_max_queries(22) as again:
        aula.sign_in(token)
    assert len(audit_inserts(first)) == 1
    assert audit_inserts(again) == []


def audit_inserts(context) -> list[str]:  # type: ignore[no-untyped-def]
    return [q["sql"] for q in context.captured_queries if q["sql"].startswith('INSERT INTO "audit_')]
