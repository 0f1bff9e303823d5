"""Step-up to assurance level 3 with a code from an authenticator app (TOTP) at /sikkerhed/."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from urllib.parse import unquote

import pyotp
import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from kinabog.accounts.models import AttemptKind, LoginFailure, TotpDevice, User
from kinabog.accounts.session import ASSURANCE_KEY, STEPPED_UP_AT_KEY
from kinabog.accounts.throttle import refusal_message
from kinabog.audit.models import AuditEntry
from kinabog.core.testing import assert_max_queries, sign_in

from .conftest import Clock

pytestmark = pytest.mark.django_db

STEP_UP = "/sikkerhed/"
Enrol = Callable[..., TotpDevice]


def danish(msgid: str) -> str:
    with translation.override("da"):
        return gettext(msgid)


def level(client: Client) -> int:
    return int(client.session.get(ASSURANCE_KEY, 0))


def shown_secret(html: str) -> str:
    match = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', html)
    assert match, "the enrolment page shows the secret as text"
    return match.group(1).replace(" ", "")


def test_step_up_url() -> None:
    assert reverse("accounts:step_up") == STEP_UP


def test_step_up_needs_a_login(client: Client) -> None:
    response = client.get(STEP_UP)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_without_a_device_the_page_enrols_one_with_a_qr_code_and_the_secret(client: Client) -> None:
    sign_in(client, "mette")
    with assert_max_queries(20):
        response = client.get(STEP_UP, {"next": "/profil/"})
    html = response.content.decode()
    assert response.status_code == 200
    device = TotpDevice.objects.get(user__username="mette")
    assert not device.confirmed
    assert shown_secret(html) == device.secret
    qr = re.search(r'<img class="qr-code" src="(data:image/svg\+xml[^"]+)" width="(\d+)" height="\2" alt="[^"]+"', html)
    assert qr, "an inline QR code image with a text alternative"
    assert "otpauth" in unquote(qr.group(1)) or "<svg" in unquote(qr.group(1))
    assert "<script" not in html and "style=" not in html  # the CSP allows neither
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert '<label for="id_code">' in html
    assert 'name="next" value="/profil/"' in html
    assert "no-cache" in response["Cache-Control"]


def test_reloading_the_enrolment_keeps_the_secret(client: Client) -> None:
    sign_in(client, "mette")
    first = shown_secret(client.get(STEP_UP).content.decode())
    second = shown_secret(client.get(STEP_UP).content.decode())
    assert first == second
    assert TotpDevice.objects.filter(user__username="mette").count() == 1


def test_confirming_enrolment_steps_up_rotates_the_session_and_returns_to_next(client: Client, clock: Clock) -> None:
    sign_in(client, "mette")
    secret = shown_secret(client.get(STEP_UP).content.decode())
    key_before = client.session.session_key
    with assert_max_queries(20):
        response = client.post(STEP_UP, {"code": clock.code(secret), "next": "/profil/"})
    assert response.status_code == 302
    assert response["Location"] == "/profil/"
    assert level(client) == 3
    assert client.session.session_key != key_before
    device = TotpDevice.objects.get(user__username="mette")
    assert device.confirmed
    assert AuditEntry.objects.filter(actor__username="mette", action="confirm_totp_device").count() == 1


def test_an_enrolled_login_gets_only_the_code_form(client: Client, enrol: Enrol) -> None:
    device = enrol("mette")
    sign_in(client, "mette")
    with assert_max_queries(16):
        response = client.get(STEP_UP)
    html = response.content.decode()
    assert response.status_code == 200
    assert device.secret not in html.replace(" ", "") and "qr-code" not in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html


def test_a_valid_code_steps_up(client: Client, enrol: Enrol, clock: Clock) -> None:
    device = enrol("karin")
    sign_in(client, "karin")
    key_before = client.session.session_key
    response = client.post(STEP_UP, {"code": clock.code(device.secret)})
    assert response["Location"] == reverse("institutions:overview")
    assert level(client) == 3
    assert client.session.session_key != key_before
    assert AuditEntry.objects.filter(actor__username="karin", action="step_up", assurance_level=3).count() == 1
    page = client.get(STEP_UP).content.decode()
    assert "id_code" in page  # still offered, and the page says how long level 3 lasts
    assert "message-info" in page


@pytest.mark.parametrize("offset", [-1, 1])
def test_codes_of_the_neighbouring_time_steps_are_accepted(
    client: Client, enrol: Enrol, clock: Clock, offset: int
) -> None:
    device = enrol("mette")
    sign_in(client, "mette")
    assert client.post(STEP_UP, {"code": clock.code(device.secret, offset)}).status_code == 302


def test_a_code_may_be_typed_with_a_space(client: Client, enrol: Enrol, clock: Clock) -> None:
    device = enrol("mette")
    sign_in(client, "mette")
    code = clock.code(device.secret)
    assert client.post(STEP_UP, {"code": f"{code[:3]} {code[3:]}"}).status_code == 302


def test_a_wrong_code_is_explained_next_to_the_field_and_changes_nothing(
    client: Client, enrol: Enrol, clock: Clock
) -> None:
    device = enrol("mette")
    sign_in(client, "mette")
    key_before = client.session.session_key
    wrong = clock.code(device.secret, 5)  # a real code, but not for now
    with assert_max_queries(18):
        response = client.post(STEP_UP, {"code": wrong, "next": "/profil/"})
    html = response.content.decode()
    assert response.status_code == 400
    assert danish("The code is not correct. Use the newest code your app shows and try again.") in html
    assert 'id="id_code_error" role="alert"' in html
    assert 'aria-invalid="true"' in html and "id_code_error" in re.search(r"<input[^>]*id_code[^>]*>", html).group(0)
    assert 'name="next" value="/profil/"' in html
    assert level(client) == 2
    assert client.session.session_key == key_before
    device.refresh_from_db()
    assert device.last_used_counter == 0
    assert LoginFailure.objects.filter(kind=AttemptKind.CODE, username="mette").count() == 1


def test_a_wrong_code_does_not_confirm_an_enrolment(client: Client, clock: Clock) -> None:
    sign_in(client, "mette")
    client.get(STEP_UP)
    response = client.post(STEP_UP, {"code": "000000"})
    assert response.status_code == 400
    assert not TotpDevice.objects.get(user__username="mette").confirmed
    assert "qr-code" in response.content.decode()  # still enrolling


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"])
def test_malformed_codes_are_explained_and_not_counted(client: Client, enrol: Enrol, code: str) -> None:
    enrol("mette")
    sign_in(client, "mette")
    response = client.post(STEP_UP, {"code": code})
    assert response.status_code == 400
    assert 'id="id_code_error" role="alert"' in response.content.decode()
    assert level(client) == 2
    assert not LoginFailure.objects.exists()


def test_the_same_code_cannot_be_used_twice(client: Client, enrol: Enrol, clock: Clock) -> None:
    device = enrol("mette")
    sign_in(client, "mette")
    code = clock.code(device.secret)
    assert client.post(STEP_UP, {"code": code}).status_code == 302
    session = client.session
    session[ASSURANCE_KEY] = 2
    session.save()

    response = client.post(STEP_UP, {"code": code})
    assert response.status_code == 400
    assert danish("This code has already been used. Wait until your app shows a new code and enter that.") in (
        response.content.decode()
    )
    assert level(client) == 2
    # An older code than the last one used is refused too; the next step's code works.
    assert client.post(STEP_UP, {"code": clock.code(device.secret, -1)}).status_code == 400
    clock.step()
    assert client.post(STEP_UP, {"code": clock.code(device.secret)}).status_code == 302
    assert level(client) == 3


def test_a_code_cannot_be_replayed_from_another_session(enrol: Enrol, clock: Clock) -> None:
    device = enrol("mette")
    first, second = Client(), Client()
    sign_in(first, "mette")
    sign_in(second, "mette")
    code = clock.code(device.secret)
    assert first.post(STEP_UP, {"code": code}).status_code == 302
    assert second.post(STEP_UP, {"code": code}).status_code == 400
    assert level(second) == 2


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_wrong_codes_are_throttled_like_logins(client: Client, enrol: Enrol, clock: Clock) -> None:
    device = enrol("mette")
    sign_in(client, "mette")
    for _ in range(3):
        assert client.post(STEP_UP, {"code": "000000"}).status_code == 400
    response = client.post(STEP_UP, {"code": clock.code(device.secret)})
    assert response.status_code == 429
    with translation.override("da"):
        assert refusal_message(AttemptKind.CODE) in response.content.decode()
    assert level(client) == 2
    device.refresh_from_db()
    assert device.last_used_counter == 0  # the right code was not used up


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_good_code_clears_earlier_wrong_ones(client: Client, enrol: Enrol, clock: Clock) -> None:
    device = enrol("mette")
    sign_in(client, "mette")
    client.post(STEP_UP, {"code": "000000"})
    client.post(STEP_UP, {"code": "000000"})
    assert client.post(STEP_UP, {"code": clock.code(device.secret)}).status_code == 302
    assert not LoginFailure.objects.filter(kind=AttemptKind.CODE).exists()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_after_step_up_only_safe_next_is_followed(client: Client, enrol: Enrol, clock: Clock, target: str) -> None:
    device = enrol("mette")
    sign_in(client, "mette")
    response = client.post(STEP_UP, {"code": clock.code(device.secret), "next": target})
    assert response["Location"] == reverse("institutions:overview")


def test_step_up_lapses_after_step_up_seconds(client: Client, emil_id: int) -> None:
    sign_in(client, "mette", level=3)
    url = reverse("institutions:child_supplementary", args=[emil_id])
    assert client.get(url).status_code == 200
    session = client.session
    session[STEPPED_UP_AT_KEY] = time.time() - settings.STEP_UP_SECONDS - 1
    session.save()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(STEP_UP)
    assert level(client) == 2


def test_logging_in_again_starts_at_level_2(client: Client) -> None:
    sign_in(client, "mette", level=3)
    client.post("/logout/")
    client.post("/login/", {"username": "mette", "password": "demo"})
    assert level(client) == 2


def test_enrolment_does_not_replace_a_confirmed_device(client: Client, enrol: Enrol) -> None:
    device = enrol("mette")
    sign_in(client, "mette")
    client.get(STEP_UP)
    assert TotpDevice.objects.get(user=User.objects.get(username="mette")).secret == device.secret


def test_the_secret_is_a_fresh_base32_key_per_login(client: Client) -> None:
    sign_in(client, "mette")
    mette = shown_secret(client.get(STEP_UP).content.decode())
    other = Client()
    sign_in(other, "jonas")
    jonas = shown_secret(other.get(STEP_UP).content.decode())
    assert mette != jonas and len(mette) >= 32
    pyotp.TOTP(mette).now()  # a valid key
