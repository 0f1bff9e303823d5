"""Who may see a profile: the rule for one profile (`can_see_profile` over `queries.profile_facts`) and the
rule as a queryset (`visible_profiles`) give the same answer for every demo person in every role."""

from __future__ import annotations

import pytest

from kinabog.institutions import access, queries
from kinabog.institutions.models import Group, InstitutionProfile, Person

pytestmark = pytest.mark.django_db


def demo_viewers() -> list[access.Viewer]:
    """Every demo login in each portal role it can act in, and one without a portal role."""
    viewers = []
    for person in Person.objects.filter(login__isnull=False).order_by("id"):
        first = queries.build_viewer(person.login_id, None, 2)
        viewers.append(first)
        viewers.extend(queries.build_viewer(person.login_id, role, 2) for role in first.available_roles)
    return viewers


def test_the_rule_for_one_profile_is_the_querysets_for_every_demo_viewer(demo):
    # A group whose members do not see each other, so both kinds of group are in the demo.
    Group.objects.filter(name__icontains="3b").update(members_see_members=False)
    all_ids = list(InstitutionProfile.objects.values_list("id", flat=True))
    viewers = demo_viewers()
    assert len(viewers) > 20
    seen_by_someone = 0
    for viewer in viewers:
        by_queryset = set(
            access.visible_profiles(viewer, InstitutionProfile.objects.filter(id__in=all_ids)).values_list(
                "id", flat=True
            )
        )
        by_rule = {p.id for p in queries.profile_facts(viewer, all_ids) if access.can_see_profile(viewer, p)}
        assert by_rule == by_queryset, viewer
        seen_by_someone += bool(by_rule)
    assert seen_by_someone > 10


def test_profile_facts_are_of_active_profiles_and_one_statement(demo, django_assert_num_queries):
    mette = queries.build_viewer(Person.objects.get(login__username="mette").login_id, "guardian", 2)
    profiles = list(InstitutionProfile.objects.order_by("id")[:40])
    profiles[0].is_active = False
    profiles[0].save(update_fields=["is_active"])
    with django_assert_num_queries(1):
        facts = queries.profile_facts(mette, [p.id for p in profiles] + [10**9])
    assert {f.id for f in facts} == {p.id for p in profiles[1:]}
    one = next(f for f in facts if f.id == profiles[1].id)
    assert (one.person_id, one.institution_id, one.role) == (
        profiles[1].person_id,
        profiles[1].institution_id,
        profiles[1].role,
    )
    assert one.institution_kind == profiles[1].institution.kind
    with django_assert_num_queries(0):
        assert queries.profile_facts(mette, []) == []
