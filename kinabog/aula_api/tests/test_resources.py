"""resources.listResources, resources.listAvailableResources and calendar events by resource ids."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from kinabog.calendar import actions, resource_actions, resource_queries
from kinabog.core.testing import assert_max_queries
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.queries import build_viewer

from .conftest import ok, status_of

pytestmark = pytest.mark.django_db
EVENTS = "calendar.getEventsByProfileIdsAndResourceIds"
# The session, the viewer and the csrfp check take about 24 queries; the methods add a fixed handful.
BUDGET = 32


def at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def aula(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S.0000%z")


def viewer(username: str) -> Any:
    role = "guardian" if username == "mette" else "employee"
    return build_viewer(get_user_model().objects.get(username=username).pk, role, 2)


def resource(name: str, code: str = "G10001") -> Any:
    staff = viewer("karin" if code == "G10001" else "ole")
    institution = resource_queries.institution_for_resources(staff, code)
    [found] = [r for r in resource_queries.active_resources(institution) if r.name == name]
    return found


def gym(code: str = "G10001") -> Any:
    return resource("Gymnastiksal", code)


def book(*resources: Any, start: datetime, end: datetime, title: str = "Gymnastik", **repeat: Any) -> Any:
    karin = viewer("karin")
    [blaa] = [g for g in institution_queries.my_groups(karin) if g.name == "Blå stue"]
    return actions.create_event(
        karin,
        actions.EventInput(
            title=title,
            starts_at=start,
            ends_at=end,
            group_ids=(blaa.id,),
            resource_ids=tuple(r.id for r in resources),
            **repeat,
        ),
    )


def test_staff_list_their_institutions_active_resources(signed_in: Callable[..., Any]) -> None:
    anders = viewer("anders")
    old = resource_actions.create_resource(
        anders, gym().institution_id, resource_actions.ResourceInput(name="Gammel trampolin", kind="equipment")
    )
    resource_actions.set_resource_active(anders, old.id, False)
    client = signed_in("karin", "employee")
    with assert_max_queries(BUDGET):
        resources = ok(client.get("resources.listResources", institutionCode="G10001"))
    names = [r["name"] for r in resources]
    assert "Gymnastiksal" in names and "Ladcyklen" in names and "Gammel trampolin" not in names
    [entry] = [r for r in resources if r["name"] == "Gymnastiksal"]
    assert entry["id"] == gym().id and entry["capacity"] == 25
    assert entry["resourceCategory"]["resourceType"] == "room" and entry["institutionCode"] == "G10001"
    for key in ("displayName", "description", "institutionName"):
        assert key in entry


def test_other_institutions_and_guardians_get_404(signed_in: Callable[..., Any]) -> None:
    client = signed_in("karin", "employee")
    assert client.get("resources.listResources", institutionCode="280101").status_code == 404
    assert client.get("resources.listResources", institutionCode="nope").status_code == 404
    assert status_of(client.get("resources.listResources"))["code"] == 40
    guardian = signed_in("mette", "guardian")
    assert guardian.get("resources.listResources", institutionCode="G10001").status_code == 404


def test_available_resources_leave_out_those_booked_at_any_moment(signed_in: Callable[..., Any]) -> None:
    book(gym(), start=at(2, 9), end=at(2, 10))
    client = signed_in("karin", "employee")

    def free(start: datetime, end: datetime) -> list[str]:
        params = {"institutionCode": "G10001", "start": aula(start), "end": aula(end)}
        with assert_max_queries(BUDGET):
            return [r["name"] for r in ok(client.get("resources.listAvailableResources", **params))]

    assert "Gymnastiksal" not in free(at(2, 9), at(2, 11)) and "Værkstedet" in free(at(2, 9), at(2, 11))
    assert "Gymnastiksal" not in free(at(2, 8), at(2, 9) + timedelta(minutes=1))
    assert "Gymnastiksal" in free(at(2, 10), at(2, 12))  # starts when the booking ends
    assert "Gymnastiksal" in free(at(2, 7), at(2, 9))  # ends when the booking starts
    bad = {"institutionCode": "G10001", "start": aula(at(2, 10)), "end": aula(at(2, 9))}
    assert status_of(client.get("resources.listAvailableResources", **bad))["code"] == 40


def test_a_repeating_booking_holds_the_resource_at_each_time(signed_in: Callable[..., Any]) -> None:
    weekly = {"repeat": "weekly", "repeat_weekdays": (at(2, 9).weekday(),), "repeat_until": at(30, 9).date()}
    book(gym(), start=at(2, 9), end=at(2, 10), title="Ugentlig gymnastik", **weekly)
    client = signed_in("karin", "employee")
    params = {"institutionCode": "G10001", "start": aula(at(16, 9)), "end": aula(at(16, 10))}
    names = [r["name"] for r in ok(client.get("resources.listAvailableResources", **params))]
    assert "Gymnastiksal" not in names
    params = {"institutionCode": "G10001", "start": aula(at(17, 9)), "end": aula(at(17, 10))}
    assert "Gymnastiksal" in [r["name"] for r in ok(client.get("resources.listAvailableResources", **params))]
    # The room's calendar has the series once per time.
    body = {"instProfileIds": [], "resourceIds": [gym().id], "start": aula(at(0, 0)), "end": aula(at(21, 0))}
    times = [e["startDateTime"] for e in ok(client.post(EVENTS, body))]
    assert times == [timezone.localtime(at(d, 9)).isoformat(timespec="seconds") for d in (2, 9, 16)]


def test_events_by_resource_ids_carry_their_resources(signed_in: Callable[..., Any]) -> None:
    event = book(resource("Ladcyklen"), gym(), start=at(2, 9), end=at(2, 10))
    client = signed_in("karin", "employee")
    body = {"instProfileIds": [], "resourceIds": [gym().id], "start": aula(at(0, 0)), "end": aula(at(14, 0))}
    with assert_max_queries(BUDGET):
        [found] = ok(client.post(EVENTS, body))
    assert found["id"] == event.id and found["belongsToResources"] == [gym().id]
    assert found["primaryResource"] == {"id": gym().id, "name": "Gymnastiksal"}
    assert found["additionalResources"] == [{"id": resource("Ladcyklen").id, "name": "Ladcyklen"}]
    for i in range(5):
        book(gym(), start=at(3 + i, 9), end=at(3 + i, 10), title=f"Gymnastik {i}")
    with assert_max_queries(BUDGET):
        assert len(ok(client.post(EVENTS, body))) == 6

    # Another institution's resource, and a guardian asking by resource: 404.
    body["resourceIds"] = [gym("280101").id]
    assert client.post(EVENTS, body).status_code == 404
    guardian = signed_in("mette", "guardian")
    body["resourceIds"] = [gym().id]
    assert guardian.post(EVENTS, body).status_code == 404


def test_events_of_childrens_profiles_show_the_booked_room(signed_in: Callable[..., Any]) -> None:
    book(gym(), start=at(2, 9), end=at(2, 10))
    [emil] = [c for c in institution_queries.my_children(viewer("mette")) if c.person.first_name == "Emil"]
    emil_ids = [p.id for p in emil.person.child_profiles]  # type: ignore[attr-defined]
    client = signed_in("mette", "guardian")
    body = {"instProfileIds": emil_ids, "resourceIds": [], "start": aula(at(0, 0)), "end": aula(at(14, 0))}
    [found] = ok(client.post(EVENTS, body))
    assert found["primaryResource"]["name"] == "Gymnastiksal" and found["belongsToResources"] == []
