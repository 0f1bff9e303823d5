"""Reads of consents, already scoped by access, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch

from kinabog.core.errors import NotFound
from kinabog.institutions.access import Viewer, sees_real_name
from kinabog.institutions.models import Group, GroupKind, Membership, Person, PortalRole, ProfileRole

from . import access
from .models import Consent, ConsentKind

KIND_CHOICES = ConsentKind.choices
KIND_VALUES = frozenset(ConsentKind.values)
BIRTHDAY_IN_GROUP = ConsentKind.BIRTHDAY_IN_GROUP.value


@dataclass(frozen=True)
class Answer:
    """One question for one child. `given` is None while nobody has answered (which counts as no)."""

    kind: str
    label: str
    given: bool | None
    answered_at: datetime | None

    @property
    def is_given(self) -> bool:
        return bool(self.given)


@dataclass(frozen=True)
class ChildConsents:
    child_id: int
    name: str
    answers: tuple[Answer, ...]


def _answers(person: Person) -> tuple[Answer, ...]:
    """Every kind, in the order of the choices, from the person's prefetched `consents`."""
    by_kind = {c.kind: c for c in person.consents.all()}
    result = []
    for kind, label in KIND_CHOICES:
        consent = by_kind.get(kind)
        result.append(
            Answer(
                kind=kind,
                label=str(label),
                given=consent.given if consent else None,
                answered_at=consent.answered_at if consent else None,
            )
        )
    return tuple(result)


def is_guardian(viewer: Viewer) -> bool:
    return viewer.portal_role == PortalRole.GUARDIAN


def my_children_to_answer(viewer: Viewer) -> list[ChildConsents]:
    """A custody holder's children with their answers, eldest first. Two queries however many children."""
    child_ids = access.answerable_children(viewer)
    if not child_ids:
        return []
    people = Person.objects.filter(pk__in=child_ids).prefetch_related("consents").order_by("birth_date", "first_name")
    # A custody holder sees their own children's real names, protected or not.
    return [ChildConsents(p.id, p.full_name, _answers(p)) for p in people]


def overview_groups(viewer: Viewer) -> list[Group]:
    """The groups whose consent overview a staff member may read: one query."""
    if not viewer.employee_institution_ids:
        return []
    groups = (
        Group.objects.filter(institution_id__in=viewer.employee_institution_ids)
        .exclude(kind=GroupKind.CROSS_INSTITUTION)
        .select_related("institution")
        .order_by("institution__name", "kind", "name")
    )
    return [
        g
        for g in groups
        if g.institution is not None
        and access.can_read_group_overview(viewer, g, g.institution.presence_scoped_to_groups)
    ]


def get_overview_group(viewer: Viewer, group_id: int) -> Group:
    group = Group.objects.select_related("institution").filter(pk=group_id).first()
    if group is None or group.institution is None:
        raise NotFound
    if not access.can_read_group_overview(viewer, group, group.institution.presence_scoped_to_groups):
        raise NotFound
    return group


def group_overview(viewer: Viewer, group: Group) -> list[ChildConsents]:
    """The children and pupils of a group (of its own institution) × every kind. Two queries."""
    if group.institution_id is None:
        return []
    memberships = (
        Membership.objects.filter(
            group=group,
            profile__institution_id=group.institution_id,
            profile__role__in=[ProfileRole.CHILD, ProfileRole.PUPIL],
            profile__is_active=True,
        )
        .select_related("profile__person")
        .prefetch_related(Prefetch("profile__person__consents", queryset=Consent.objects.all()))
        .order_by("profile__person_id")
    )
    institutions = {group.institution_id}
    rows = []
    seen: set[int] = set()
    for membership in memberships:
        person = membership.profile.person
        if person.id in seen:
            continue
        seen.add(person.id)
        name = (
            person.full_name if sees_real_name(viewer, person.id, person.is_protected, institutions) else person.alias
        )
        rows.append(ChildConsents(person.id, name, _answers(person)))
    # Sorted by the name shown, so a protected child's place in the list says nothing about the real name.
    rows.sort(key=lambda row: (row.name.casefold(), row.child_id))
    return rows


def given(kind: str, person_ref: str = "pk") -> Exists:
    """A filter expression for other apps' reads: the person (an OuterRef path) has given this consent."""
    return Exists(Consent.objects.filter(child_id=OuterRef(person_ref), kind=kind, given=True))
