"""factory_boy factories for people and their places, for tests that need more than the demo."""

from __future__ import annotations

from datetime import date

import factory

from kinabog.institutions.models import InstitutionProfile, Membership, Person, Relation


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Sequence(lambda n: f"Barn{n}")
    last_name = "Hansen"
    birth_date = date(2020, 1, 1)


class ChildProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstitutionProfile

    person = factory.SubFactory(PersonFactory)
    role = "child"


class MembershipFactory(factory.django.DjangoModelFactory):
    """A child in a group: `MembershipFactory(group=blue)` makes the child, the profile and the membership."""

    class Meta:
        model = Membership

    profile = factory.SubFactory(ChildProfileFactory, institution=factory.SelfAttribute("..group.institution"))


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relation

    kind = "parent"
    has_custody = True
