"""Reads for inviting individual people to an event, besides its groups.

Staff may invite the staff, children and pupils of the institutions where they handle events; guardians
answer for the children. A name-protected person is found and shown by alias only, unless the viewer may
see protected names: typing the real name never turns up the alias, which would tie the two together.
Each read takes a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import InstitutionProfile, Membership, ProfileRole

from . import access
from .models import Event, Invitation

INVITABLE_ROLES = (ProfileRole.EMPLOYEE, ProfileRole.CHILD, ProfileRole.PUPIL)
SEARCH_LIMIT = 20


@dataclass(frozen=True)
class PersonChoice:
    id: int  # institution profile id
    label: str  # the name the viewer may see (an alias for a protected person)
    detail: str  # role and institution


def _invitable(viewer: Viewer) -> QuerySet[InstitutionProfile]:
    return InstitutionProfile.objects.filter(
        institution_id__in=list(access.event_institutions(viewer)), role__in=INVITABLE_ROLES, is_active=True
    )


def _choice(viewer: Viewer, profile: InstitutionProfile) -> PersonChoice:
    name = institution_queries.display_name(viewer, profile.person, {profile.institution_id})
    return PersonChoice(profile.id, name, f"{profile.get_role_display()}, {profile.institution.name}")


def find_invitees(viewer: Viewer, text: str, limit: int = SEARCH_LIMIT) -> list[PersonChoice]:
    """People the viewer may invite whose shown name matches every typed word; not the viewer."""
    words = text.split()[:5]
    if len(text.strip()) < 2:
        return []
    people = _invitable(viewer).exclude(id__in=list(viewer.profile_ids))
    for word in words:
        people = people.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__alias__icontains=word)
        )
    results = []
    rows = people.select_related("person", "institution").order_by("person__first_name", "person__last_name", "id")
    for profile in rows[: limit * 2]:
        choice = _choice(viewer, profile)
        person = profile.person
        hidden = person.is_protected and choice.label == person.alias
        if hidden and not all(word.lower() in person.alias.lower() for word in words):
            continue
        results.append(choice)
    # By the shown name: ordered by real names, an alias's place in the list would hint at the name behind it.
    results.sort(key=lambda c: (c.label.lower(), c.id))
    return results[:limit]


def describe_invitees(viewer: Viewer, profile_ids: Iterable[int]) -> list[PersonChoice]:
    """The chosen people the viewer may invite, by shown name; others are left out."""
    ids = list(set(profile_ids))
    if not ids:
        return []
    rows = _invitable(viewer).filter(id__in=ids).select_related("person", "institution")
    return sorted((_choice(viewer, p) for p in rows), key=lambda c: (c.label.lower(), c.id))


def invitable_institutions(viewer: Viewer, profile_ids: Iterable[int]) -> dict[int, int]:
    """Profile id → institution id of those of the ids the viewer may invite."""
    ids = list(set(profile_ids))
    if not ids:
        return {}
    return dict(_invitable(viewer).filter(id__in=ids).values_list("id", "institution_id"))


def group_member_ids(group_ids: Iterable[int]) -> set[int]:
    """The active profiles of the groups: those an event for the groups invites."""
    ids = list(group_ids)
    if not ids:
        return set()
    return set(
        Membership.objects.filter(group_id__in=ids, profile__is_active=True).values_list("profile_id", flat=True)
    )


def individual_invitee_ids(event: Event) -> list[int]:
    """Those invited on their own, not through one of the event's groups."""
    invited = set(Invitation.objects.filter(event=event).values_list("profile_id", flat=True))
    return sorted(invited - group_member_ids(g.id for g in event.groups.all()))
