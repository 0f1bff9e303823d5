"""Shared helpers for the tests of the leader tools: the demo people as viewers, children, next week."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from kinabog.institutions.access import Viewer
from kinabog.institutions.models import Group, Institution, InstitutionProfile, Person
from kinabog.institutions.queries import build_viewer
from kinabog.presence import vacation_requests
from kinabog.presence.models import VacationRequest

PRESENCE_KINDS = ["daycare", "family_daycare", "sfo", "club"]


def viewer(username: str, role: str | None = None, level: int = 2) -> Viewer:
    person = Person.objects.get(login__username=username)
    return build_viewer(person.login_id, role, level)


def child(first: str) -> InstitutionProfile:
    return InstitutionProfile.objects.select_related("institution").get(
        person__first_name=first, role__in=["child", "pupil"], institution__kind__in=PRESENCE_KINDS
    )


def institution(code: str) -> Institution:
    return Institution.objects.get(code=code)


def group(name: str) -> Group:
    return Group.objects.get(name=name)


def next_monday() -> date:
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


def next_week() -> list[date]:
    monday = next_monday()
    return [monday + timedelta(days=i) for i in range(5)]


def summer_request(username: str = "karin", *, groups: tuple[str, ...] = ("Blå stue",)) -> VacationRequest:
    """A request for next week (Monday to Friday) to Blå stue at Katamaranen, answered by today."""
    monday = next_monday()
    return vacation_requests.create_request(
        viewer(username),
        institution("G10001").id,
        title="Sommerferie",
        start_date=monday,
        end_date=monday + timedelta(days=4),
        deadline=timezone.localdate(),
        note="Husk at svare",
        group_ids=[group(g).id for g in groups],
    )
