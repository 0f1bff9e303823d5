"""groups.getMembershipsLight: members named as the viewer may see them; invisible groups answer 404."""

from __future__ import annotations

import pytest

from kinabog.core.testing import assert_max_queries

from .conftest import ok, status_of

pytestmark = pytest.mark.django_db


def group_id_of(aula, child_name: str) -> int:
    """A child's main group id, found the way a guardian's client finds it."""
    [profile] = [p for p in ok(aula.get("profiles.getProfilesByLogin"))["profiles"] if p["portalRole"] == "guardian"]
    child = next(c for c in profile["children"] if c["name"] == child_name)
    return child["mainGroup"]["id"]


def member_names(aula, group_id: int) -> set[str]:
    return {m["institutionProfile"]["fullName"] for m in ok(aula.get("groups.getMembershipsLight", groupId=group_id))}


def test_protected_ida_appears_by_alias_to_lars(signed_in):
    aula = signed_in("lars", "guardian")
    group_id = group_id_of(aula, "Noah Berg")  # Søstjernerne, Ida's group too
    with assert_max_queries(20):
        members = ok(aula.get("groups.getMembershipsLight", groupId=group_id))
    names = {m["institutionProfile"]["fullName"] for m in members}
    assert "Lærke B." in names and "Noah Berg" in names
    assert "Ida Kristensen" not in names
    alias = next(m["institutionProfile"] for m in members if m["institutionProfile"]["fullName"] == "Lærke B.")
    assert alias["firstName"] == "Lærke B." and alias["lastName"] == ""
    assert "Kristensen" not in str(members)


def test_protected_ida_appears_by_name_to_sara_her_mother(signed_in):
    aula = signed_in("sara", "guardian")
    names = member_names(aula, group_id_of(aula, "Ida Kristensen"))
    assert "Ida Kristensen" in names and "Lærke B." not in names


def test_ida_by_name_to_the_leader_of_her_institution(signed_in):
    sara = signed_in("sara", "guardian")
    group_id = group_id_of(sara, "Ida Kristensen")
    anders = signed_in("anders", "employee")
    assert "Ida Kristensen" in member_names(anders, group_id)


def test_karin_at_another_institution_gets_404_not_ida(signed_in):
    lars = signed_in("lars", "guardian")
    group_id = group_id_of(lars, "Noah Berg")
    karin = signed_in("karin", "employee")
    response = karin.get("groups.getMembershipsLight", groupId=group_id)
    assert response.status_code == 404
    assert "Ida" not in response.content.decode() and "Lærke" not in response.content.decode()
    assert status_of(response)["code"] == 404


def test_mette_gets_the_same_404_for_a_group_she_is_not_in_as_for_no_group(signed_in):
    lars = signed_in("lars", "guardian")
    group_id = group_id_of(lars, "Noah Berg")
    mette = signed_in("mette", "guardian")
    hidden = mette.get("groups.getMembershipsLight", groupId=group_id)
    missing = mette.get("groups.getMembershipsLight", groupId=987654321)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
