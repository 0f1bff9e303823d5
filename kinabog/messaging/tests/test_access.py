"""Who may write to whom: the rule for one profile (`can_reach_profile`, which the send asks through
`queries.reachable_profile_ids`) and the rule as a queryset (`reachable_profiles`, which lists and searches
recipients) give the same answer for every demo person in every role, with and without blocked channels."""

from __future__ import annotations

import pytest

from kinabog.institutions.models import Group, InstitutionProfile
from kinabog.institutions.tests.test_profile_access import demo_viewers
from kinabog.messaging import access, queries

pytestmark = pytest.mark.django_db

BLOCKED = [
    frozenset(),
    frozenset({("guardian", "guardian"), ("child", "employee")}),
    frozenset({("employee", "guardian"), ("employee", "child"), ("guardian", "employee")}),
]


@pytest.mark.parametrize("blocked", BLOCKED, ids=["open", "some-blocked", "staff-blocked"])
def test_the_rule_for_one_recipient_is_the_querysets_for_every_demo_viewer(demo, blocked):
    Group.objects.filter(name__icontains="3b").update(members_see_members=False)
    all_ids = list(InstitutionProfile.objects.values_list("id", flat=True))
    reached_someone = 0
    for viewer in demo_viewers():
        by_queryset = set(
            access.reachable_profiles(viewer, InstitutionProfile.objects.filter(id__in=all_ids), blocked).values_list(
                "id", flat=True
            )
        )
        assert queries.reachable_profile_ids(viewer, all_ids, blocked) == by_queryset, viewer
        reached_someone += bool(by_queryset)
    assert reached_someone > 10
