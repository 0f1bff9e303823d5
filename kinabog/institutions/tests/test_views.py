"""Pages about people, children and groups: content, bad input, and query budgets that do not grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinabog.audit.models import AuditEntry
from kinabog.core.testing import assert_max_queries, sign_in
from kinabog.institutions.models import Group, Person
from kinabog.institutions.tests.factories import MembershipFactory, RelationFactory

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def add_children(guardian: Person, group: Group, count: int) -> None:
    for i in range(count):
        membership = MembershipFactory(group=group, profile__person__first_name=f"Ekstra{i}")
        RelationFactory(guardian=guardian, child=membership.profile.person)


def test_overview_query_count_does_not_grow_with_children(client):
    sign_in(client, "mette")
    url = reverse("institutions:overview")
    count_queries(client, url)  # the first request writes the session's last-seen time
    before = count_queries(client, url)
    add_children(Person.objects.get(first_name="Mette"), Group.objects.get(name="Grøn stue"), 12)
    after = count_queries(client, url)
    assert after == before
    assert "Ekstra11" in client.get(url).content.decode()


def test_group_page_query_count_does_not_grow_with_members(client):
    blue = Group.objects.get(name="Blå stue")
    url = reverse("institutions:group", args=[blue.id])
    sign_in(client, "karin")
    count_queries(client, url)
    before = count_queries(client, url)
    add_children(Person.objects.get(first_name="Sara"), blue, 15)
    assert count_queries(client, url) == before


def test_karin_sees_her_institution_and_group(client):
    sign_in(client, "karin")
    with assert_max_queries(20):
        html = client.get(reverse("institutions:overview")).content.decode()
    assert "Børnehuset Katamaranen" in html and "Blå stue" in html
    assert "Havnby Skole" not in html


def test_child_page_shows_institutions_and_groups_to_custody_holder(client):
    sign_in(client, "jonas")
    sofie = Person.objects.get(first_name="Sofie")
    with assert_max_queries(18):
        response = client.get(reverse("institutions:child", args=[sofie.id]))
    html = response.content.decode()
    assert "Havnby Skole" in html and "3.B" in html and "SFO 3. årgang" in html


def test_profile_edit_own_contact_details(client):
    sign_in(client, "mette")
    url = reverse("institutions:profile")
    response = client.post(
        url, {"email": "mette.h@example.org", "mobile_phone": "20 30 40 99", "home_phone": "", "work_phone": ""}
    )
    assert response.status_code == 302
    mette = Person.objects.get(first_name="Mette")
    assert mette.email == "mette.h@example.org" and mette.mobile_phone == "20304099"
    assert AuditEntry.objects.filter(action="update_contact_details", object_id=str(mette.id)).exists()


def test_profile_bad_input_changes_nothing(client):
    sign_in(client, "mette")
    url = reverse("institutions:profile")
    response = client.post(
        url, {"email": "ikke-en-adresse", "mobile_phone": "12ab", "home_phone": "", "work_phone": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_mobile_phone"' in html and "field-error" in html
    mette = Person.objects.get(first_name="Mette")
    assert mette.email == "mette@example.org" and mette.mobile_phone == "20304050"


def test_profile_cannot_touch_other_fields(client):
    sign_in(client, "sara")
    client.post(
        reverse("institutions:profile"),
        {
            "email": "sara@example.org",
            "mobile_phone": "",
            "home_phone": "",
            "work_phone": "",
            "is_protected": "",
            "first_name": "Hacked",
            "alias": "",
        },
    )
    sara = Person.objects.get(login__username="sara")
    assert sara.first_name == "Sara" and sara.is_protected and sara.alias


def test_anonymous_gets_login_redirect_for_pages(client):
    for url in [reverse("institutions:profile"), reverse("institutions:group", args=[1])]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
