"""resources.*: an institution's rooms and equipment, and those free for a whole interval."""

from __future__ import annotations

from typing import Any

from kinabog.calendar import resource_queries

from .. import errors
from ..params import ApiRequest
from ..registry import api_method
from ..resource_serializers import resource_entry
from .calendar import MAX_WINDOW, _moment


@api_method("resources.listResources")
def list_resources(api: ApiRequest) -> list[dict[str, Any]]:
    """The institution's active rooms and equipment: for its staff and administrators."""
    institution = resource_queries.institution_for_resources(
        api.viewer, api.text("institutionCode", required=True) or ""
    )
    return [resource_entry(r, institution) for r in resource_queries.active_resources(institution)]


@api_method("resources.listAvailableResources")
def list_available_resources(api: ApiRequest) -> list[dict[str, Any]]:
    """The institution's active rooms and equipment that no event holds at any moment of [start, end)."""
    institution = resource_queries.institution_for_resources(
        api.viewer, api.text("institutionCode", required=True) or ""
    )
    start, end = _moment(api.text("start")), _moment(api.text("end"))
    if end <= start:
        raise errors.bad_parameters()
    if end - start > MAX_WINDOW:
        raise errors.refused()
    return [resource_entry(r, institution) for r in resource_queries.available_resources(institution, start, end)]
