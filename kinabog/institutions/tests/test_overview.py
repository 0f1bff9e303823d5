import pytest
from django.urls import reverse

from kinabog.core.testing import assert_max_queries, sign_in

pytestmark = pytest.mark.django_db


def test_mette_sees_both_children_with_institutions_and_groups(client):
    sign_in(client, "mette")
    with assert_max_queries(26):  # 4 of them the feed of posts
        response = client.get(reverse("institutions:overview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Emil Hansen" in html and "Børnehuset Katamaranen" in html and "Blå stue" in html
    assert "Sofie Hansen" in html and "Havnby Skole" in html and "3.B" in html and "Havnby Skole SFO" in html


def test_overview_requires_login(client):
    response = client.get(reverse("institutions:overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
