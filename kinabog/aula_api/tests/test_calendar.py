"""calendar.getEventsByProfileIdsAndResourceIds: Aula's Event shape, children's ids only, a 50-day window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from kinabog.calendar import actions
from kinabog.core.testing import assert_max_queries
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.queries import build_viewer

from .conftest import ok, status_of

pytestmark = pytest.mark.django_db
METHOD = "calendar.getEventsByProfileIdsAndResourceIds"
# The session, the viewer and the csrfp check take about 24 queries; the method adds a fixed handful.
BUDGET = 32


def viewer(username: str, role: str):  # type: ignore[no-untyped-def]
    return build_viewer(get_user_model().objects.get(username=username).pk, role, 2)


def sofie_school_id() -> int:
    [sofie] = [
        c for c in institution_queries.my_children(viewer("mette", "guardian")) if c.person.first_name == "Sofie"
    ]
    return next(p.id for p in sofie.person.child_profiles if p.institution.kind == "school")  # type: ignore[attr-defined]


def aula_time(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S.0000%z")


def body(ids: list[int], start: int = -1, end: int = 14) -> dict[str, Any]:
    return {"instProfileIds": ids, "resourceIds": [], "start": aula_time(start), "end": aula_time(end)}


def create_trip() -> None:
    birgitte = viewer("birgitte", "employee")
    [group] = [g for g in institution_queries.my_groups(birgitte) if g.name == "3.B"]
    now = timezone.now()
    actions.create_event(
        birgitte,
        actions.EventInput(
            title="Tur til skoven",
            type="excursion",
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, hours=4),
            place="Havnby Skov",
            group_ids=(group.id,),
        ),
    )


def test_mette_gets_sofies_events_in_aulas_shape(signed_in: Callable[..., Any]) -> None:
    create_trip()
    aula = signed_in("mette", "guardian")
    with assert_max_queries(BUDGET):
        [event] = ok(aula.post(METHOD, body([sofie_school_id()])))
    assert event["title"] == "Tur til skoven" and event["type"] == "excursion"
    assert event["belongsToProfiles"] == [sofie_school_id()] and event["allDay"] is False
    assert event["primaryResourceText"] == "Havnby Skov" and event["institutionName"] == "Havnby Skole"
    for key in ("id", "startDateTime", "endDateTime", "invitedGroups", "creatorAulaName", "responseRequired"):
        assert key in event


def test_guardian_ids_window_and_strangers_are_refused(signed_in: Callable[..., Any]) -> None:
    aula = signed_in("mette", "guardian")
    own = [p.id for p in institution_queries.my_profiles(viewer("mette", "guardian"))]
    assert status_of(aula.post(METHOD, body(own[:1])))["code"] == 403
    response = aula.post(METHOD, body([sofie_school_id()], start=0, end=51))
    assert response.status_code == 403 and status_of(response)["code"] == 403
    assert aula.post(METHOD, body([987654])).status_code == 404


def test_peter_without_custody_cannot_ask_for_sofie(signed_in: Callable[..., Any]) -> None:
    aula = signed_in("peter", "guardian")
    assert aula.post(METHOD, body([sofie_school_id()])).status_code == 404
