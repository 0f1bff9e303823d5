"""Rooms and equipment in Aula's shape: `primaryResource{id,name}` on events, and the resource lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kinabog.calendar import resource_queries


def resource_ref(resource: Any) -> dict[str, Any]:
    """A resource as an event names it."""
    return {"id": resource.id, "name": resource.name}


def resource_entry(resource: Any, institution: Any) -> dict[str, Any]:
    """A resource as resources.listResources lists it."""
    return {
        "id": resource.id,
        "name": resource.name,
        "displayName": resource.name,
        "resourceCategory": {
            "resourceType": resource.kind,
            "name": resource_queries.kind_label(resource.kind),
        },
        "capacity": resource.capacity,
        "description": resource.description,
        "institutionCode": institution.code,
        "institutionName": institution.name,
    }


def event_resources(resources: Iterable[Any], requested: Iterable[int] = ()) -> dict[str, Any]:
    """The event's resource fields: the first (a room before equipment) is primary, the rest additional."""
    booked = resource_queries.primary_first(resources)
    wanted = set(requested)
    return {
        "belongsToResources": [r.id for r in booked if r.id in wanted],
        "primaryResource": resource_ref(booked[0]) if booked else None,
        "additionalResources": [resource_ref(r) for r in booked[1:]],
    }
