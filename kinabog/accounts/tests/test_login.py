"""Login at /login/: answers that reveal nothing, throttling, safe `next`, logout by POST."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from kinabog.accounts.backends import LoginBackend
from kinabog.accounts.models import AttemptKind, LoginFailure, User
from kinabog.accounts.session import ASSURANCE_KEY, LAST_SEEN_KEY
from kinabog.accounts.throttle import refusal_message
from kinabog.core.testing import assert_max_queries
from kinabog.demo.havnby import DEMO_PASSWORD
from kinabog.institutions.models import AccessVersion

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


def danish(msgid: str) -> str:
    with translation.override("da"):
        return gettext(msgid)


def wrong_password_message() -> str:
    return danish("The username or password is not correct.")


def throttled_message() -> str:
    with translation.override("da"):
        return refusal_message(AttemptKind.PASSWORD)


def post_login(client: Client, username: str, password: str, address: str = "127.0.0.1", **extra: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password, **extra}, REMOTE_ADDR=address)


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_login_url_and_fields(client: Client) -> None:
    assert reverse("accounts:login") == LOGIN
    with assert_max_queries(2):
        response = client.get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<input type="text" name="username"[^>]*autocomplete="username"', html)
    assert re.search(r'<input type="password" name="password"[^>]*autocomplete="current-password"', html)
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert "no-cache" in response["Cache-Control"]


def test_demo_password_signs_in_at_level_2(client: Client) -> None:
    with assert_max_queries(12):
        response = post_login(client, "mette", DEMO_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("institutions:overview")
    assert is_signed_in(client)
    assert client.session[ASSURANCE_KEY] == 2
    assert LAST_SEEN_KEY in client.session
    assert User.objects.get(username="mette").password.startswith("argon2")


def test_login_rotates_the_session_key(client: Client) -> None:
    client.get(LOGIN)
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key
    post_login(client, "mette", DEMO_PASSWORD)
    assert client.session.session_key != before


def test_wrong_password_gives_a_clear_message_and_no_session(client: Client) -> None:
    response = post_login(client, "mette", "not-the-password")
    html = response.content.decode()
    assert response.status_code == 400
    assert wrong_password_message() in html
    assert 'id="login-error"' in html and 'role="alert"' in html
    assert 'value="mette"' in html  # the username is kept, the password is not
    assert "not-the-password" not in html
    assert not is_signed_in(client)


def _without_token_and_username(html: str, username: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return html.replace(f'value="{username}"', 'value="…"')


def test_unknown_user_gets_exactly_the_same_answer_as_a_wrong_password(client: Client) -> None:
    wrong = post_login(client, "mette", "not-the-password")
    unknown = post_login(client, "nobody-of-that-name", "not-the-password")
    assert wrong.status_code == unknown.status_code == 400
    assert _without_token_and_username(wrong.content.decode(), "mette") == _without_token_and_username(
        unknown.content.decode(), "nobody-of-that-name"
    )


def test_inactive_login_gets_the_same_answer(client: Client) -> None:
    User.objects.filter(username="mette").update(is_active=False)
    response = post_login(client, "mette", DEMO_PASSWORD)
    assert response.status_code == 400
    assert wrong_password_message() in response.content.decode()
    assert not is_signed_in(client)


def test_empty_fields_are_explained_next_to_each_field(client: Client) -> None:
    response = client.post(LOGIN, {"username": "", "password": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_username_error" role="alert"' in html
    assert 'aria-describedby="id_username_error"' in html and 'aria-invalid="true"' in html
    assert LoginFailure.objects.count() == 0


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_after_repeated_failures_even_the_right_password_is_refused(client: Client) -> None:
    for _ in range(3):
        assert post_login(client, "mette", "guess").status_code == 400
    response = post_login(client, "mette", DEMO_PASSWORD)
    assert response.status_code == 429
    assert throttled_message() in response.content.decode()
    assert not is_signed_in(client)
    # Another person on the same network is not locked out by mette's failures.
    assert post_login(client, "jonas", DEMO_PASSWORD).status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_throttling_is_per_username_whatever_the_address(client: Client) -> None:
    for number in range(3):
        post_login(client, "Mette ", "guess", address=f"10.0.0.{number}")
    response = post_login(client, "mette", DEMO_PASSWORD, address="10.9.9.9")
    assert response.status_code == 429


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_throttling_answers_the_same_for_unknown_usernames(client: Client) -> None:
    for username in ("mette", "nobody-of-that-name"):
        for _ in range(3):
            post_login(client, username, "guess")
    known = post_login(client, "mette", "guess")
    unknown = post_login(client, "nobody-of-that-name", "guess")
    assert known.status_code == unknown.status_code == 429
    assert _without_token_and_username(known.content.decode(), "mette") == _without_token_and_username(
        unknown.content.decode(), "nobody-of-that-name"
    )


@override_settings(LOGIN_FAILURE_LIMIT=100, LOGIN_FAILURE_ADDRESS_LIMIT=4)
def test_throttling_is_per_address_across_usernames(client: Client) -> None:
    for number in range(4):
        post_login(client, f"guess-{number}", "guess", address="10.1.1.1")
    assert post_login(client, "mette", DEMO_PASSWORD, address="10.1.1.1").status_code == 429
    assert post_login(client, "mette", DEMO_PASSWORD, address="10.1.1.2").status_code == 302


def test_address_limit_defaults_above_the_username_limit() -> None:
    assert settings.LOGIN_FAILURE_ADDRESS_LIMIT > settings.LOGIN_FAILURE_LIMIT


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_failures_older_than_the_window_do_not_count_and_are_pruned(client: Client) -> None:
    old = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    LoginFailure.objects.bulk_create(
        [LoginFailure(username="mette", ip_address="127.0.0.1", at=old) for _ in range(5)]
        + [LoginFailure(username="jonas", ip_address="127.0.0.1", at=old)]
    )
    assert post_login(client, "mette", DEMO_PASSWORD).status_code == 302
    assert LoginFailure.objects.count() == 0


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_successful_login_clears_that_usernames_failures(client: Client) -> None:
    post_login(client, "mette", "guess")
    post_login(client, "mette", "guess")
    post_login(client, "jonas", "guess")
    assert post_login(client, "mette", DEMO_PASSWORD).status_code == 302
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["jonas"]


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_step_up_failures_do_not_lock_the_password_login(client: Client) -> None:
    LoginFailure.objects.bulk_create(
        [LoginFailure(username="mette", ip_address="127.0.0.1", at=timezone.now(), kind=AttemptKind.CODE)] * 3
    )
    assert post_login(client, "mette", DEMO_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/profil/", "/profil/"),
        ("/boern/1/stamdata/?x=1", "/boern/1/stamdata/?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("http://testserver.evil.example/", "/"),
        ("", "/"),
    ],
)
def test_next_redirects_only_to_this_site(client: Client, target: str, expected: str) -> None:
    response = post_login(client, "mette", DEMO_PASSWORD, next=target)
    assert response.status_code == 302
    assert response["Location"] == expected


def test_next_is_carried_through_the_form_only_when_safe(client: Client) -> None:
    assert 'name="next" value="/profil/"' in client.get(LOGIN, {"next": "/profil/"}).content.decode()
    assert 'value="https://evil.example/"' not in client.get(LOGIN, {"next": "https://evil.example/"}).content.decode()


def test_a_signed_in_person_visiting_login_goes_on(client: Client) -> None:
    post_login(client, "mette", DEMO_PASSWORD)
    assert client.get(LOGIN)["Location"] == "/"
    assert client.get(LOGIN, {"next": "/profil/"})["Location"] == "/profil/"


def test_logout_is_by_post_only(client: Client) -> None:
    post_login(client, "mette", DEMO_PASSWORD)
    assert client.get("/logout/").status_code == 405
    assert is_signed_in(client)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not is_signed_in(client)
    assert client.get("/")["Location"].startswith(LOGIN)


def test_expired_flag_shows_why_the_person_was_logged_out(client: Client) -> None:
    html = client.get(LOGIN, {"expired": "1"}).content.decode()
    assert danish("You were logged out after 60 minutes without activity.") in html
    assert danish("You were logged out after 60 minutes without activity.") not in client.get(LOGIN).content.decode()


def test_a_signed_in_request_reads_the_login_once_with_its_access_token(client: Client) -> None:
    post_login(client, "mette", DEMO_PASSWORD)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/ping")
    assert response.status_code == 200
    [login] = [q["sql"] for q in queries.captured_queries if "accounts_user" in q["sql"]]
    assert "institutions_accessversion" in login  # the Viewer's cache key comes with the login
    user = LoginBackend().get_user(User.objects.get(username="mette").pk)
    assert user is not None and user.username == "mette" and user.is_active
    assert user.access_token == AccessVersion.objects.get(pk=1).token
    assert user.password.startswith("argon2") and user.date_joined is not None  # every column, as the ORM loads


def test_a_deactivated_or_unknown_login_ends_the_session(client: Client) -> None:
    post_login(client, "mette", DEMO_PASSWORD)
    User.objects.filter(username="mette").update(is_active=False)
    assert client.get("/")["Location"].startswith(LOGIN)
    assert LoginBackend().get_user(987_654_321) is None
    assert LoginBackend().get_user("not a number") is None
