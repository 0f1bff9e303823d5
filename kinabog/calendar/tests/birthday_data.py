"""Test data for birthdays, shared by the calendar's and the Aula API's tests (which reach models only here)."""

from __future__ import annotations

from datetime import date

from kinabog.consents.models import Consent, ConsentKind
from kinabog.institutions.models import Group, Institution, InstitutionProfile, Membership, Person, Relation


def group_id(name: str) -> int:
    return Group.objects.get(name=name).id


def institution_id(code: str) -> int:
    return Institution.objects.get(code=code).id


def child_profile_id(first_name: str, institution_code: str) -> int:
    return InstitutionProfile.objects.get(person__first_name=first_name, institution__code=institution_code).id


def set_birthday_consent(first_name: str, given: bool) -> None:
    """Straight in the table, as if a custody holder had answered (the answering itself is tested in consents)."""
    Consent.objects.filter(child__first_name=first_name, kind=ConsentKind.BIRTHDAY_IN_GROUP).update(given=given)


def add_birthday_children(count: int, born: date = date(2022, 3, 20), group_name: str = "Blå stue") -> list[Person]:
    """Children in a Katamaranen group whose parents have said yes to showing their birthday."""
    institution = Institution.objects.get(code="G10001")
    group = Group.objects.get(name=group_name, institution=institution)
    result = []
    for i in range(count):
        kid = Person.objects.create(first_name=f"Fødselar{i}", last_name="Test", birth_date=born)
        profile = InstitutionProfile.objects.create(person=kid, institution=institution, role="child")
        Membership.objects.create(group=group, profile=profile)
        parent = Person.objects.create(first_name="Forælder", last_name=f"Test{i}")
        Relation.objects.create(guardian=parent, child=kid, kind="parent", has_custody=True)
        Consent.objects.create(
            child=kid, kind=ConsentKind.BIRTHDAY_IN_GROUP, given=True, answered_by=parent, answered_at=kid.created_at
        )
        result.append(kid)
    return result
