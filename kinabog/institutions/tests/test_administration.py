"""Administrators adjust permission sets and communication blocks; they read no content."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kinabog.audit.models import AuditEntry
from kinabog.core.testing import assert_max_queries, sign_in
from kinabog.institutions import access
from kinabog.institutions.models import CommunicationBlock, Institution, Municipality, Person, RolePermission

pytestmark = pytest.mark.django_db


def katamaranen() -> Institution:
    return Institution.objects.get(name="Børnehuset Katamaranen")


def havnby() -> Municipality:
    return Municipality.objects.get(code="0999")


def emil_allergies_url() -> str:
    emil = Person.objects.get(first_name="Emil", last_name="Hansen")
    return reverse("institutions:child_supplementary", args=[emil.id])


def current_grants(client, url: str) -> list[str]:
    html = client.get(url).content.decode()
    grants = []
    for chunk in html.split('name="grant" value="')[1:]:
        value, rest = chunk.split('"', 1)
        if rest.split(">", 1)[0].rstrip().endswith("checked"):
            grants.append(value)
    return grants


def test_institution_admin_removes_a_permission_for_pedagogues(client):
    url = reverse("institutions:permissions", args=["institution", katamaranen().id])
    sign_in(client, "anders")
    with assert_max_queries(17):
        response = client.get(url)
    assert response.status_code == 200
    grants = current_grants(client, url)
    assert "employee:pedagogue|see_supplementary_data" in grants
    grants.remove("employee:pedagogue|see_supplementary_data")
    response = client.post(url, {"grant": grants})
    assert response.status_code == 302
    # Exactly one override is stored: the difference from the municipality's set.
    rows = list(
        RolePermission.objects.filter(institution=katamaranen()).values_list("role_key", "permission", "granted")
    )
    assert rows == [("employee:pedagogue", "see_supplementary_data", False)]
    assert AuditEntry.objects.filter(action="set_permissions", object_id=str(katamaranen().id)).exists()
    # Karin (pædagog at Katamaranen) no longer reaches Emil's allergies, even at level 3.
    client.logout()
    sign_in(client, "karin", level=3)
    assert client.get(emil_allergies_url()).status_code == 404


def test_municipality_grants_and_institution_overrides(client):
    sign_in(client, "thomas")
    url = reverse("institutions:permissions", args=["municipality", havnby().id])
    grants = [*current_grants(client, url), "employee:pedagogue|see_protected_names"]
    assert client.post(url, {"grant": grants}).status_code == 302
    assert RolePermission.objects.filter(
        municipality=havnby(), role_key="employee:pedagogue", permission="see_protected_names", granted=True
    ).exists()
    # The institution's matrix now shows the municipality's choice as its starting point.
    client.logout()
    sign_in(client, "anders")
    inst_url = reverse("institutions:permissions", args=["institution", katamaranen().id])
    assert "employee:pedagogue|see_protected_names" in current_grants(client, inst_url)


@pytest.mark.parametrize("username", ["mette", "karin", "freja", "hanne", "birgitte"])
def test_others_cannot_reach_administration(client, username):
    sign_in(client, username)
    assert client.get(reverse("institutions:administration")).status_code == 404
    assert client.get(reverse("institutions:permissions", args=["institution", katamaranen().id])).status_code == 404
    assert (
        client.post(
            reverse("institutions:permissions", args=["institution", katamaranen().id]), {"grant": []}
        ).status_code
        == 404
    )
    assert not RolePermission.objects.exists()


def test_ole_cannot_administer_anders_institution(client):
    sign_in(client, "ole")
    assert client.get(reverse("institutions:administration")).status_code == 200
    assert client.get(reverse("institutions:permissions", args=["institution", katamaranen().id])).status_code == 404
    assert client.get(reverse("institutions:permissions", args=["municipality", havnby().id])).status_code == 404


def test_unknown_scope_answers_404(client):
    sign_in(client, "thomas")
    assert client.get(reverse("institutions:permissions", args=["planet", havnby().id])).status_code == 404
    assert client.get(reverse("institutions:permissions", args=["institution", 999999])).status_code == 404


def test_municipal_admin_blocks_guardian_to_guardian(client):
    sign_in(client, "thomas")
    url = reverse("institutions:communication", args=[havnby().id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"block": ["guardian|guardian", "child|child", "nonsense|guardian"]})
    assert response.status_code == 302
    blocked = set(CommunicationBlock.objects.values_list("from_role", "to_role"))
    assert blocked == {("guardian", "guardian"), ("child", "child")}
    assert not access.may_communicate(frozenset(blocked), "guardian", "guardian")
    assert access.may_communicate(frozenset(blocked), "guardian", "employee")


def test_institution_admin_cannot_set_municipal_blocks(client):
    sign_in(client, "anders")
    url = reverse("institutions:communication", args=[havnby().id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"block": ["guardian|guardian"]}).status_code == 404
    assert not CommunicationBlock.objects.exists()


def test_thomas_reads_no_child(client):
    sign_in(client, "thomas")
    html = client.get(reverse("institutions:overview")).content.decode()
    assert "Emil" not in html and "Sofie" not in html
    assert "Havnby Kommune" in client.get(reverse("institutions:administration")).content.decode()


def test_institution_admin_switches_off_read_status(client):
    url = reverse("institutions:message_read_status", args=[katamaranen().id])
    sign_in(client, "karin")
    assert client.post(url, {}).status_code == 404
    assert Institution.objects.get(pk=katamaranen().pk).show_message_read_status
    client.logout()
    sign_in(client, "anders")
    assert client.post(url, {}).status_code == 302
    assert not Institution.objects.get(pk=katamaranen().pk).show_message_read_status
    assert client.post(url, {"visible": "on"}).status_code == 302
    assert Institution.objects.get(pk=katamaranen().pk).show_message_read_status
    assert AuditEntry.objects.filter(action="hide_message_read_status").exists()
