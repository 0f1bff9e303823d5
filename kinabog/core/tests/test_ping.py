"""The ceiling endpoint the benchmarks use, and the opt-in query count header."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kinabog.core.middleware import QUERY_COUNT_HEADER
from kinabog.core.testing import assert_max_queries, sign_in


def test_ping_answers_401_in_json_when_nobody_is_signed_in(client: Client) -> None:
    response = client.get("/api/ping")
    assert response.status_code == 401
    assert response.json() == {"error": "not signed in"}


@pytest.mark.django_db
def test_ping_answers_the_login_id_in_a_fixed_number_of_queries(client: Client, demo: None) -> None:
    user = sign_in(client, "mette", role="guardian")
    client.get("/api/ping")  # the first request notes the session's activity
    with assert_max_queries(2):  # the session and the login
        response = client.get("/api/ping")
    assert response.status_code == 200
    assert response.json() == {"id": user.pk}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_query_count_header_only_when_switched_on(client: Client, demo: None, settings: Any) -> None:
    sign_in(client, "mette", role="guardian")
    assert QUERY_COUNT_HEADER not in client.get("/api/ping")
    settings.MIDDLEWARE = ["kinabog.core.middleware.QueryCountHeaderMiddleware", *settings.MIDDLEWARE]
    counted = Client()
    counted.cookies = client.cookies
    response = counted.get("/api/ping")
    assert response.status_code == 200
    assert response[QUERY_COUNT_HEADER] == "2"
