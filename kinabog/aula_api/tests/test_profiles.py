"""profiles.getProfilesByLogin and profiles.getProfileContext: ids, names, roles, query budgets."""

from __future__ import annotations

import pytest

from kinabog.aula_api import serializers
from kinabog.core.testing import assert_max_queries
from kinabog.institutions import queries

from .conftest import ok

pytestmark = pytest.mark.django_db


def demo_child(first_name: str, last_name: str):  # type: ignore[no-untyped-def]
    """A demo child with their institution profiles loaded (`child_profiles`)."""
    return queries.children_queryset().get(first_name=first_name, last_name=last_name)


def child_profile_ids(first_name: str, last_name: str) -> set[int]:
    return {p.id for p in demo_child(first_name, last_name).child_profiles}


def test_mette_sees_emil_and_sofie_with_their_institution_profile_ids(aula, token_for):
    # The first call also opens the session: token, session row, last login, audit row.
    with assert_max_queries(34):
        data = aula.sign_in(token_for("mette"))
    [profile] = data["profiles"]
    assert profile["portalRole"] == "guardian" and profile["displayName"] == "Mette Hansen"
    children = profile["children"]
    ids_by_name: dict[str, set[int]] = {}
    for child in children:
        ids_by_name.setdefault(child["name"], set()).add(child["id"])
        assert child["institutionProfile"]["id"] == child["id"]
        assert child["hasCustodyOrExtendedAccess"] is True
    assert ids_by_name == {
        "Emil Hansen": child_profile_ids("Emil", "Hansen"),
        "Sofie Hansen": child_profile_ids("Sofie", "Hansen"),  # Havnby Skole and its SFO
    }
    emil = next(c for c in children if c["name"] == "Emil Hansen")
    assert emil["institutionProfile"]["institutionName"] == "Børnehuset Katamaranen"
    assert emil["institutionProfile"]["mainGroup"]["name"] == "Blå stue"
    assert emil["profileId"] == demo_child("Emil", "Hansen").id  # the person; `id` is the institution profile
    # Her own institution profiles: one per institution of her children, with municipality.
    assert {p["institutionCode"] for p in profile["institutionProfiles"]} == {"G10001", "280101", "280102"}
    assert {p["municipalityName"] for p in profile["institutionProfiles"]} == {"Havnby Kommune"}


def test_query_budget_of_get_profiles_by_login(aula, token_for):
    aula.sign_in(token_for("mette"))
    with assert_max_queries(22):
        ok(aula.get("profiles.getProfilesByLogin"))


def test_query_budget_of_get_profile_context(aula, token_for):
    aula.sign_in(token_for("mette"))
    with assert_max_queries(24):
        context = aula.activate("guardian")
    assert len(context["institutions"]) == 3
    aula.sign_in(token_for("anders"))
    with assert_max_queries(24):
        aula.activate("employee")


def test_peter_sees_sofie_without_custody(aula, token_for):
    [profile] = aula.sign_in(token_for("peter"))["profiles"]
    assert {c["name"] for c in profile["children"]} == {"Sofie Hansen"}
    assert all(c["hasCustodyOrExtendedAccess"] is False for c in profile["children"])


def test_birgitte_is_listed_as_parent_first_and_as_teacher(aula, token_for):
    profiles = aula.sign_in(token_for("birgitte"))["profiles"]
    assert [p["portalRole"] for p in profiles] == ["guardian", "employee"]
    guardian, employee = profiles
    assert [c["name"] for c in guardian["children"]] == ["Oliver Lund"]
    assert employee["children"] == []
    [school] = employee["institutionProfiles"]
    assert school["institutionName"] == "Havnby Skole" and school["institutionRole"] == "teacher"
    assert [g["name"] for g in school["groups"]] == ["3.B"]


def test_freja_is_a_child_at_two_institutions(aula, token_for):
    [profile] = aula.sign_in(token_for("freja"))["profiles"]
    assert profile["portalRole"] == "child"
    assert {p["institutionName"] for p in profile["institutionProfiles"]} == {"Havnby Skole", "Klub Bølgen"}
    context = aula.activate("child")
    assert {i["institutionName"] for i in context["institutions"]} == {"Havnby Skole", "Klub Bølgen"}


def test_thomas_the_municipal_administrator_activates_employee(aula, token_for):
    [profile] = aula.sign_in(token_for("thomas"))["profiles"]
    assert profile["portalRole"] == "employee" and profile["children"] == []
    context = aula.activate("employee")
    codes = [p["institutionCode"] for p in profile["institutionProfiles"]]
    assert [i["institutionCode"] for i in context["institutions"]] == codes
    # His profile, where he has one, is at the municipality's administration.
    assert all(i["institutionType"] == "Municipality" for i in context["institutions"])


def test_institution_types_in_aula_terms():
    assert [serializers.institution_type(kind) for kind in ("school", "sfo", "club")] == ["School"] * 3
    assert [serializers.institution_type(kind) for kind in ("daycare", "family_daycare")] == ["Daycare"] * 2
    assert serializers.institution_type("administration") == "Municipality"


def test_sara_sees_her_protected_daughter_by_name_and_herself(aula, token_for):
    [profile] = aula.sign_in(token_for("sara"))["profiles"]
    assert profile["displayName"] == "Sara Kristensen"  # her own name, to herself
    [ida] = profile["children"]
    assert ida["name"] == "Ida Kristensen"
    assert ida["institutionProfile"]["firstName"] == "Ida"


def test_context_lists_children_groups_and_permissions(signed_in):
    aula = signed_in("karin", "employee")
    context = ok(aula.get("profiles.getProfileContext"))
    [katamaranen] = context["institutions"]
    assert katamaranen["institutionType"] == "Daycare"
    assert katamaranen["institutionProfileId"] == context["institutionProfile"]["id"]
    assert {g["name"] for g in katamaranen["groups"]} == {"Blå stue", "Personale Katamaranen"}
    permissions = {p["permissionId"]: p for p in katamaranen["permissions"]}
    assert "write_message" in permissions and permissions["see_supplementary_data"]["stepUp"] is True
    assert "see_protected_names" not in permissions
    assert "Blå stue" in {g["name"] for g in context["groups"]}


def test_guardian_context_puts_each_child_under_their_institution(signed_in):
    context = signed_in("mette", "guardian").activate("guardian")
    children_by_institution = {
        i["institutionName"]: [c["name"] for c in i["children"]] for i in context["institutions"]
    }
    assert children_by_institution == {
        "Børnehuset Katamaranen": ["Emil Hansen"],
        "Havnby Skole": ["Sofie Hansen"],
        "Havnby Skole SFO": ["Sofie Hansen"],
    }
    assert {r["name"] for r in context["institutionProfile"]["relations"]} == {"Emil Hansen", "Sofie Hansen"}
    assert "Alle forældre i Havnby Kommune" in {g["name"] for g in context["municipalGroups"]}
