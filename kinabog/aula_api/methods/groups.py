"""groups.*: groups and their members."""

from __future__ import annotations

from typing import Any

from kinabog.institutions import queries

from .. import serializers
from ..params import ApiRequest
from ..registry import api_method


@api_method("groups.getMembershipsLight")
def get_memberships_light(api: ApiRequest) -> list[dict[str, Any]]:
    """The members of a group, named as the viewer may see them (an alias for a protected person)."""
    group_id = api.integer("groupId")
    group = queries.get_group(api.viewer, group_id)  # NotFound (404) when missing or not visible
    return [serializers.membership_light(group, member) for member in queries.group_members(api.viewer, group)]
