"""The demo municipality "Havnby Kommune": named people whose stories exercise the rules.

Tests, docs and screenshots use the same people (see README). Building is idempotent: when the
municipality already exists nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from kinabog.accounts.models import User
from kinabog.calendar.models import Resource, ResourceKind
from kinabog.consents.models import Consent, ConsentKind
from kinabog.institutions.models import (
    Area,
    Group,
    GroupKind,
    GroupPart,
    Institution,
    InstitutionKind,
    InstitutionProfile,
    JobRole,
    Membership,
    MunicipalAdministrator,
    Municipality,
    Person,
    PortalRole,
    ProfileRole,
    Relation,
    RelationKind,
    SupplementaryData,
)
from kinabog.messaging.models import CommonInbox

MUNICIPALITY_CODE = "0999"
DEMO_PASSWORD = "demo"  # noqa: S105 — the published password of the demo people


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    story: str


DEMO_LOGINS = (
    DemoLogin("mette", "Mette Hansen", "guardian with custody of Emil (Katamaranen) and Sofie (Havnby Skole, SFO)"),
    DemoLogin("jonas", "Jonas Hansen", "Mette's co-parent, custody of both"),
    DemoLogin("peter", "Peter Nielsen", "Sofie's father without custody"),
    DemoLogin("lars", "Lars Mikkelsen", "foster parent of Noah (Kahytten)"),
    DemoLogin("karin", "Karin Jensen", "pædagog in Blå stue, Katamaranen"),
    DemoLogin("anders", "Anders Holm", "pædagogisk leder for Katamaranen and Kahytten, institution administrator"),
    DemoLogin("birgitte", "Birgitte Lund", "teacher of 3.B at Havnby Skole and mother of Oliver at Kahytten"),
    DemoLogin("ole", "Ole Madsen", "school leader, Havnby Skole"),
    DemoLogin("freja", "Freja Larsen", "pupil (13) in 7.A, member of Klub Bølgen at Strandskolen"),
    DemoLogin("hanne", "Hanne Poulsen", "dagplejer in Dagplejen Nord, legestue Fyrtårnet"),
    DemoLogin("sara", "Sara Kristensen", "mother of Ida (5, Kahytten), both name and address protected"),
    DemoLogin("thomas", "Thomas Friis", "municipal administrator"),
)

# A few more children per group so lists look like real ones; deterministic.
FILLER_FIRST = ["Aksel", "Clara", "William", "Alma", "Oscar", "Ella", "Karl", "Freya", "Valdemar", "Agnes"]
FILLER_LAST = ["Andersen", "Pedersen", "Christensen", "Rasmussen", "Jørgensen", "Petersen", "Thomsen", "Møller"]


@dataclass
class Builder:
    municipality: Municipality
    password_hash: str
    institutions: dict[str, Institution] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    serial: int = 0

    def person(self, key: str, first: str, last: str, *, login: str | None = None, **extra: Any) -> Person:
        user = None
        if login:
            user = User.objects.create(username=login, first_name=first, last_name=last, password=self.password_hash)
        person = Person.objects.create(login=user, first_name=first, last_name=last, **extra)
        self.people[key] = person
        return person

    def profile(
        self,
        person: Person,
        institution: str,
        role: str,
        *,
        job_role: str = "",
        admin: bool = False,
        groups: tuple[str, ...] = (),
    ) -> InstitutionProfile:
        profile = InstitutionProfile.objects.create(
            person=person,
            institution=self.institutions[institution],
            role=role,
            job_role=job_role,
            is_institution_admin=admin,
        )
        Membership.objects.bulk_create([Membership(group=self.groups[g], profile=profile) for g in groups])
        return profile

    def child(
        self,
        key: str,
        first: str,
        last: str,
        born: date,
        placements: list[tuple[str, str, tuple[str, ...]]],
        **extra: Any,
    ) -> Person:
        person = self.person(key, first, last, birth_date=born, **extra)
        for institution, role, groups in placements:
            self.profile(person, institution, role, groups=groups)
        return person

    def guardian_of(
        self, guardian: Person, child: Person, *, kind: str = RelationKind.PARENT, custody: bool = True
    ) -> None:
        Relation.objects.create(guardian=guardian, child=child, kind=kind, has_custody=custody)
        institutions = {p.institution.code for p in child.profiles.select_related("institution")}
        for code in institutions:
            InstitutionProfile.objects.get_or_create(
                person=guardian, institution=self.institutions[code], role=ProfileRole.GUARDIAN
            )

    def filler_children(self, institution: str, group: str, role: str, count: int, born: date) -> None:
        for _ in range(count):
            self.serial += 1
            first = FILLER_FIRST[self.serial % len(FILLER_FIRST)]
            last = FILLER_LAST[(self.serial * 3) % len(FILLER_LAST)]
            child = self.child(f"filler-{self.serial}", first, last, born, [(institution, role, (group,))])
            parent = self.person(
                f"filler-parent-{self.serial}", "Forælder", last, email=f"forælder{self.serial}@example.org"
            )
            self.guardian_of(parent, child)


def demo_exists() -> bool:
    return Municipality.objects.filter(code=MUNICIPALITY_CODE).exists()


@transaction.atomic
def build_havnby() -> bool:
    """Build Havnby Kommune. Returns False (and writes nothing) when it already exists."""
    if demo_exists():
        return False
    municipality = Municipality.objects.create(code=MUNICIPALITY_CODE, name="Havnby Kommune")
    b = Builder(municipality=municipality, password_hash=make_password(DEMO_PASSWORD))
    north = Area.objects.create(municipality=municipality, name="Område Nord")
    south = Area.objects.create(municipality=municipality, name="Område Syd")

    def institution(code: str, name: str, kind: str, area: Area, parent: str | None = None) -> None:
        b.institutions[code] = Institution.objects.create(
            municipality=municipality,
            area=area,
            code=code,
            name=name,
            kind=kind,
            parent=b.institutions[parent] if parent else None,
        )

    institution("099900", "Havnby Kommune, Børn og Unge", InstitutionKind.ADMINISTRATION, south)
    institution("G10001", "Børnehuset Katamaranen", InstitutionKind.DAYCARE, north)
    institution("G10002", "Børnehaven Kahytten", InstitutionKind.DAYCARE, north)
    institution("G10003", "Dagplejen Nord", InstitutionKind.FAMILY_DAYCARE, north)
    institution("280101", "Havnby Skole", InstitutionKind.SCHOOL, south)
    institution("280102", "Havnby Skole SFO", InstitutionKind.SFO, south, parent="280101")
    institution("280201", "Strandskolen", InstitutionKind.SCHOOL, south)
    institution("280202", "Klub Bølgen", InstitutionKind.CLUB, south, parent="280201")

    def group(key: str, code: str, name: str, kind: str = GroupKind.MAIN) -> None:
        b.groups[key] = Group.objects.create(
            municipality=municipality, institution=b.institutions[code], name=name, kind=kind
        )

    group("blaa", "G10001", "Blå stue")
    group("groen", "G10001", "Grøn stue")
    group("kat-staff", "G10001", "Personale Katamaranen", GroupKind.INSTITUTION)
    group("soestjerner", "G10002", "Søstjernerne")
    group("fyrtaarnet", "G10003", "Legestue Fyrtårnet")
    group("3b", "280101", "3.B")
    group("7a", "280101", "7.A")
    group("sfo-3", "280102", "SFO 3. årgang")
    group("boelgen", "280202", "Klub Bølgen")
    group("strand-6a", "280201", "6.A")

    # The children at the heart of the stories.
    emil = b.child("emil", "Emil", "Hansen", date(2022, 3, 14), [("G10001", ProfileRole.CHILD, ("blaa",))])
    sofie = b.child(
        "sofie",
        "Sofie",
        "Hansen",
        date(2017, 5, 2),
        [("280101", ProfileRole.PUPIL, ("3b",)), ("280102", ProfileRole.CHILD, ("sfo-3",))],
    )
    noah = b.child("noah", "Noah", "Berg", date(2021, 9, 30), [("G10002", ProfileRole.CHILD, ("soestjerner",))])
    oliver = b.child("oliver", "Oliver", "Lund", date(2021, 1, 8), [("G10002", ProfileRole.CHILD, ("soestjerner",))])
    ida = b.child(
        "ida",
        "Ida",
        "Kristensen",
        date(2021, 6, 21),
        [("G10002", ProfileRole.CHILD, ("soestjerner",))],
        is_protected=True,
        alias="Lærke B.",
    )
    alma = b.child("alma", "Alma", "Sørensen", date(2024, 2, 11), [("G10003", ProfileRole.CHILD, ("fyrtaarnet",))])
    SupplementaryData.objects.create(
        child=emil,
        allergies="Jordnødder og hasselnødder",
        doctor="Lægehuset Havnby, tlf. 70 10 20 30",
        languages="Dansk",
    )
    SupplementaryData.objects.create(child=noah, allergies="", doctor="Lægehuset Havnby", languages="Dansk, arabisk")

    # Guardians.
    mette = b.person(
        "mette",
        "Mette",
        "Hansen",
        login="mette",
        email="mette@example.org",
        mobile_phone="20304050",
        street="Havnegade 4",
        postal_code="9999",
        postal_district="Havnby",
    )
    jonas = b.person(
        "jonas",
        "Jonas",
        "Hansen",
        login="jonas",
        email="jonas@example.org",
        mobile_phone="21314151",
        street="Havnegade 4",
        postal_code="9999",
        postal_district="Havnby",
    )
    peter = b.person("peter", "Peter", "Nielsen", login="peter", email="peter@example.org", mobile_phone="22324252")
    lars = b.person("lars", "Lars", "Mikkelsen", login="lars", email="lars@example.org")
    sara = b.person(
        "sara",
        "Sara",
        "Kristensen",
        login="sara",
        is_protected=True,
        alias="Forælder til Lærke B.",
        street="Hemmeligvej 1",
        postal_code="9999",
        postal_district="Havnby",
    )
    camilla = b.person("camilla", "Camilla", "Larsen", email="camilla@example.org")
    signe = b.person("signe", "Signe", "Sørensen", email="signe@example.org")
    for guardian in (mette, jonas):
        b.guardian_of(guardian, emil)
        b.guardian_of(guardian, sofie)
    b.guardian_of(peter, sofie, custody=False)
    b.guardian_of(lars, noah, kind=RelationKind.FOSTER_PARENT, custody=False)
    b.guardian_of(sara, ida)
    b.guardian_of(signe, alma)

    # Staff.
    karin = b.person("karin", "Karin", "Jensen", login="karin", email="karin@havnby.example", work_phone="70102001")
    b.profile(karin, "G10001", ProfileRole.EMPLOYEE, job_role=JobRole.PEDAGOGUE, groups=("blaa", "kat-staff"))
    anders = b.person("anders", "Anders", "Holm", login="anders", email="anders@havnby.example")
    b.profile(anders, "G10001", ProfileRole.EMPLOYEE, job_role=JobRole.LEADER, admin=True, groups=("kat-staff",))
    b.profile(anders, "G10002", ProfileRole.EMPLOYEE, job_role=JobRole.LEADER, admin=True)
    mads = b.person("mads", "Mads", "Winther", email="mads@havnby.example")
    b.profile(mads, "G10002", ProfileRole.EMPLOYEE, job_role=JobRole.PEDAGOGUE, groups=("soestjerner",))
    birgitte = b.person("birgitte", "Birgitte", "Lund", login="birgitte", email="birgitte@havnby.example")
    b.profile(birgitte, "280101", ProfileRole.EMPLOYEE, job_role=JobRole.TEACHER, groups=("3b",))
    b.guardian_of(birgitte, oliver)
    ole = b.person("ole", "Ole", "Madsen", login="ole", email="ole@havnby.example")
    b.profile(ole, "280101", ProfileRole.EMPLOYEE, job_role=JobRole.LEADER, admin=True)
    hanne = b.person("hanne", "Hanne", "Poulsen", login="hanne", email="hanne@havnby.example")
    b.profile(hanne, "G10003", ProfileRole.EMPLOYEE, job_role=JobRole.DAYCARE_PROVIDER, groups=("fyrtaarnet",))
    rikke = b.person("rikke", "Rikke", "Dahl", email="rikke@havnby.example")
    b.profile(rikke, "280202", ProfileRole.EMPLOYEE, job_role=JobRole.PEDAGOGUE, groups=("boelgen",))

    # Freja: one child, two institutions.
    freja = b.person("freja", "Freja", "Larsen", login="freja", birth_date=date(2013, 4, 19))
    b.profile(freja, "280101", ProfileRole.PUPIL, groups=("7a",))
    b.profile(freja, "280202", ProfileRole.CHILD, groups=("boelgen",))
    b.guardian_of(camilla, freja)

    # Consents answered by custody holders: Emil's and Sofie's birthdays show in their groups; Ida's
    # consent is given too, but a protected child's birthday is never shown; Oliver's is not given.
    answered_at = timezone.now()
    Consent.objects.bulk_create(
        [
            Consent(child=child, kind=kind, given=given, answered_by=parent, answered_at=answered_at)
            for child, parent, kind, given in (
                (emil, mette, ConsentKind.BIRTHDAY_IN_GROUP, True),
                (emil, mette, ConsentKind.PHOTO_INTERNAL, True),
                (emil, mette, ConsentKind.PHOTO_PUBLIC, False),
                (sofie, jonas, ConsentKind.BIRTHDAY_IN_GROUP, True),
                (sofie, jonas, ConsentKind.PHOTO_INTERNAL, True),
                (ida, sara, ConsentKind.BIRTHDAY_IN_GROUP, True),
                (oliver, birgitte, ConsentKind.BIRTHDAY_IN_GROUP, False),
            )
        ]
    )

    # Katamaranen's office answers parents' questions together.
    office = CommonInbox.objects.create(institution=b.institutions["G10001"], name="Kontoret, Katamaranen")
    office.members.add(*InstitutionProfile.objects.filter(person__in=[anders, karin], institution__code="G10001"))

    # Rooms and equipment staff book together with events.
    resources: dict[str, list[tuple[str, str, int | None, str]]] = {
        "G10001": [
            ("Gymnastiksal", ResourceKind.ROOM, 25, "Med ribber, måtter og musikanlæg."),
            ("Værkstedet", ResourceKind.ROOM, 8, "Værktøj, ler og maling."),
            ("Ladcyklen", ResourceKind.EQUIPMENT, 4, "Fire børn med hjelm. Nøglen hænger på kontoret."),
        ],
        "280101": [
            ("Gymnastiksal", ResourceKind.ROOM, 60, ""),
            ("Musiklokalet", ResourceKind.ROOM, 28, "Klaver, trommesæt og forstærkere."),
            ("Projektorvogn", ResourceKind.EQUIPMENT, None, "Projektor, lærred og højttaler."),
        ],
    }
    Resource.objects.bulk_create(
        [
            Resource(institution=b.institutions[code], name=name, kind=kind, capacity=capacity, description=text)
            for code, rows in resources.items()
            for name, kind, capacity, text in rows
        ]
    )

    thomas = b.person("thomas", "Thomas", "Friis", login="thomas", email="thomas@havnby.example")
    MunicipalAdministrator.objects.create(person=thomas, municipality=municipality)
    # His profile at the administration is what he writes from (e.g. to all guardians).
    b.profile(thomas, "099900", ProfileRole.EMPLOYEE, job_role=JobRole.OTHER, admin=True)

    # Classmates and room-mates, so lists look real.
    b.filler_children("G10001", "blaa", ProfileRole.CHILD, 5, date(2022, 1, 1))
    b.filler_children("G10001", "groen", ProfileRole.CHILD, 4, date(2021, 1, 1))
    b.filler_children("G10002", "soestjerner", ProfileRole.CHILD, 3, date(2021, 1, 1))
    b.filler_children("280101", "3b", ProfileRole.PUPIL, 6, date(2017, 1, 1))
    b.filler_children("280101", "7a", ProfileRole.PUPIL, 5, date(2013, 1, 1))
    b.filler_children("280202", "boelgen", ProfileRole.CHILD, 3, date(2013, 1, 1))

    # A cross-institution group: every guardian in the municipality, composed of each main group's guardians.
    everyone = Group.objects.create(
        municipality=municipality,
        name="Alle forældre i Havnby Kommune",
        kind=GroupKind.CROSS_INSTITUTION,
        members_may_post=False,
        members_may_message=False,
        members_see_members=False,
    )
    GroupPart.objects.bulk_create(
        [
            GroupPart(group=everyone, part=g, portal_role=PortalRole.GUARDIAN)
            for g in b.groups.values()
            if g.kind == GroupKind.MAIN
        ]
    )
    return True
