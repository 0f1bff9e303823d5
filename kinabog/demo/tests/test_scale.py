"""The scale municipality: sizes, families, profiles, determinism, idempotence, and Havnby left alone."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q

from kinabog.accounts.models import User
from kinabog.demo import scale
from kinabog.demo.havnby import MUNICIPALITY_CODE as HAVNBY
from kinabog.demo.havnby import build_havnby
from kinabog.demo.scale import ESBJERG, ScaleConflictError, ScaleSpec, build_esbjerg_scale, plan_scale
from kinabog.demo.scale_plan import CprNumbers, Plan, apportion
from kinabog.institutions.models import (
    Group,
    GroupKind,
    GroupPart,
    Institution,
    InstitutionKind,
    InstitutionProfile,
    JobRole,
    Membership,
    Municipality,
    Person,
    PortalRole,
    ProfileRole,
    Relation,
    RelationKind,
)

# Three institutions of each kind and a few dozen children; batches of 7 so batching is exercised.
TINY = ScaleSpec(
    code="0998",
    name="Småby Kommune",
    seed=7,
    areas=2,
    daycare_institutions=3,
    daycare_children=30,
    family_daycare_institutions=3,
    family_daycare_children=18,
    schools=3,
    pupils=60,
    guardians=160,
    staff=60,
    school_year=2025,
    batch_size=7,
    email_domain="smaaby.example",
)


def fingerprint(code: str) -> str:
    """A digest of a municipality's people, places and ties that ignores database ids."""
    in_municipality = Q(profiles__institution__municipality__code=code)
    rows = [
        Institution.objects.filter(municipality__code=code).values_list("code", "name", "kind", "parent__code"),
        Group.objects.filter(municipality__code=code).values_list("institution__code", "name", "kind"),
        Person.objects.filter(in_municipality)
        .distinct()
        .values_list("cpr", "first_name", "last_name", "birth_date", "alias", "street", "login__username"),
        InstitutionProfile.objects.filter(institution__municipality__code=code).values_list(
            "person__cpr", "person__first_name", "institution__code", "role", "job_role", "is_institution_admin"
        ),
        Relation.objects.filter(child__profiles__institution__municipality__code=code)
        .distinct()
        .values_list("guardian__cpr", "guardian__first_name", "child__cpr", "child__first_name", "kind", "has_custody"),
        Membership.objects.filter(group__municipality__code=code).values_list(
            "group__institution__code", "group__name", "profile__person__cpr", "profile__person__first_name", "role"
        ),
        GroupPart.objects.filter(group__municipality__code=code).values_list(
            "group__name", "part__institution__code", "part__name", "portal_role"
        ),
    ]
    return hashlib.sha256(repr([sorted(map(repr, query)) for query in rows]).encode()).hexdigest()


def build_and_fingerprint(spec: ScaleSpec) -> str:
    """Build in a transaction of its own that is rolled back, so each build starts from the same database."""
    with transaction.atomic():
        build_esbjerg_scale(spec)
        digest = fingerprint(spec.code)
        transaction.set_rollback(True)
    return digest


# -- planning, without a database ----------------------------------------------------------------


def test_apportion_is_exact_and_proportional() -> None:
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert apportion(100, [3, 1]) == [75, 25]
    assert sum(apportion(5_200, [0.7, 1.3, 1.1, 0.9])) == 5_200
    assert apportion(0, [1, 2]) == [0, 0]


def test_cpr_numbers_fit_birth_date_century_and_sex_and_skip_taken() -> None:
    from datetime import date

    cpr = CprNumbers(taken=["0102204000"])
    girl, boy = cpr(date(2020, 2, 1), True), cpr(date(2020, 2, 1), False)
    assert girl == "0102204002"  # 4000 is taken; even for women, 7th digit 4–9 after 2000
    assert boy == "0102204001"
    assert cpr(date(1985, 7, 9), True) == "0907850000"  # 7th digit 0–3 for the 1900s


def test_default_plan_has_the_seeds_sizes() -> None:
    plan = plan_scale(replace(ESBJERG, school_year=2025))
    assert plan.children_by_kind == {"daycare": 5_200, "family_daycare": 900, "school": 13_000}
    assert len(plan.staff) == 3_000
    assert abs(len(plan.guardians) - 30_000) < 600
    kinds = Counter(institution.kind for institution in plan.institutions)
    assert kinds[InstitutionKind.DAYCARE] == 60
    assert kinds[InstitutionKind.SCHOOL] == kinds[InstitutionKind.SFO] == 20
    assert 1 <= kinds[InstitutionKind.FAMILY_DAYCARE] <= 6
    cprs = [person.cpr for person in plan.people]
    assert len(set(cprs)) == len(cprs) and all(len(c) == 10 and c.isdigit() for c in cprs)
    usernames = [person.username for person in plan.people if person.username]
    assert len(usernames) == len(set(usernames)) == len(plan.staff) + len(plan.guardians) - plan_staff_parents(plan)
    assert len({i.code for i in plan.institutions}) == len(plan.institutions)


def plan_staff_parents(plan: Plan) -> int:
    return len(set(plan.staff) & set(plan.guardians))


def test_same_spec_same_plan_and_another_seed_another_plan() -> None:
    def people(spec: ScaleSpec) -> list[tuple[str, str, str]]:
        return [(p.cpr, p.first_name, p.last_name) for p in plan_scale(spec).people]

    assert people(TINY) == people(TINY)
    assert people(TINY) != people(replace(TINY, seed=8))


# -- building -------------------------------------------------------------------------------------


@pytest.fixture
def tiny(db: None) -> Municipality:
    build_havnby()
    build_esbjerg_scale(TINY)
    return Municipality.objects.get(code=TINY.code)


def test_tiny_build_has_the_sizes_asked_for(tiny: Municipality) -> None:
    profiles = InstitutionProfile.objects.filter(institution__municipality=tiny)
    children = Counter(
        profiles.filter(role__in=[ProfileRole.CHILD, ProfileRole.PUPIL])
        .exclude(institution__kind=InstitutionKind.SFO)
        .values_list("institution__kind", flat=True)
    )
    assert children == {"daycare": 30, "family_daycare": 18, "school": 60}
    assert profiles.filter(role=ProfileRole.EMPLOYEE).count() == 60
    kinds = Counter(Institution.objects.filter(municipality=tiny).values_list("kind", flat=True))
    assert kinds == {"daycare": 3, "family_daycare": 3, "school": 3, "sfo": 3}
    assert not Institution.objects.filter(municipality=tiny, kind=InstitutionKind.SFO, parent__isnull=True).exists()
    guardians = Person.objects.filter(profiles__institution__municipality=tiny, profiles__role=ProfileRole.GUARDIAN)
    assert 130 <= guardians.distinct().count() <= 190
    providers = profiles.filter(job_role=JobRole.DAYCARE_PROVIDER)
    assert providers.exists() and set(providers.values_list("institution__kind", flat=True)) == {"family_daycare"}
    assert profiles.filter(is_institution_admin=True).count() >= 3 * 4


def test_every_child_has_a_custody_holder_and_ages_fit(tiny: Municipality) -> None:
    children = Person.objects.filter(
        profiles__institution__municipality=tiny, profiles__role__in=[ProfileRole.CHILD, ProfileRole.PUPIL]
    ).distinct()
    without_custody_holder = children.exclude(guardian_relations__has_custody=True)
    assert children.count() == 108
    assert not without_custody_holder.exists()
    for relation in Relation.objects.filter(child__in=children).select_related("guardian", "child"):
        assert relation.guardian.birth_date.year <= relation.child.birth_date.year - 18
        if relation.kind != RelationKind.PARENT:
            assert not relation.has_custody
    kinds = set(Relation.objects.filter(child__in=children).values_list("kind", "has_custody"))
    assert (RelationKind.PARENT, True) in kinds
    for pupil in InstitutionProfile.objects.filter(
        institution__municipality=tiny, role=ProfileRole.PUPIL
    ).select_related("person"):
        grade = int(pupil.memberships.get().group.name.split(".")[0])
        assert pupil.person.birth_date.year == 2025 - 6 - grade
    daycare = children.filter(profiles__institution__kind__in=[InstitutionKind.DAYCARE, InstitutionKind.FAMILY_DAYCARE])
    assert all(2019 <= year <= 2025 for year in daycare.values_list("birth_date__year", flat=True))


def test_guardians_have_profiles_at_each_of_their_childrens_institutions(tiny: Municipality) -> None:
    institutions_of: dict[tuple[int, bool], set[int]] = defaultdict(set)
    for person, institution, role in InstitutionProfile.objects.filter(institution__municipality=tiny).values_list(
        "person", "institution", "role"
    ):
        institutions_of[(person, role == ProfileRole.GUARDIAN)].add(institution)
    relations = Relation.objects.filter(child__in=Person.objects.filter(profiles__institution__municipality=tiny))
    assert relations.exists()
    for guardian, child in relations.values_list("guardian", "child"):
        assert institutions_of[(child, False)] <= institutions_of[(guardian, True)]
    # Siblings share guardians, so some guardians have several children.
    assert Counter(relations.values_list("guardian", flat=True)).most_common(1)[0][1] >= 2


def test_logins_groups_and_memberships(tiny: Municipality) -> None:
    profiles = InstitutionProfile.objects.filter(institution__municipality=tiny)
    adults = Person.objects.filter(
        profiles__institution__municipality=tiny, profiles__role__in=[ProfileRole.GUARDIAN, ProfileRole.EMPLOYEE]
    ).distinct()
    assert not adults.filter(login__isnull=True).exists()
    staff_login = User.objects.get(username="s00001")
    guardian_login = User.objects.get(username="g000001")
    assert staff_login.check_password("demo") and guardian_login.password == staff_login.password
    assert staff_login.person.profiles.filter(role=ProfileRole.EMPLOYEE).exists()
    assert guardian_login.person.profiles.filter(role=ProfileRole.GUARDIAN).exists()
    cprs = list(
        Person.objects.filter(profiles__institution__municipality=tiny).distinct().values_list("cpr", flat=True)
    )
    assert all(len(cpr) == 10 and cpr.isdigit() for cpr in cprs)

    # Every child and pupil is in one main group at each institution; every main group has members.
    for profile in profiles.filter(role__in=[ProfileRole.CHILD, ProfileRole.PUPIL]).prefetch_related(
        "memberships__group"
    ):
        groups = [m.group for m in profile.memberships.all()]
        assert len(groups) == 1 and groups[0].kind == GroupKind.MAIN
        assert groups[0].institution_id == profile.institution_id
    main = Group.objects.filter(municipality=tiny, kind=GroupKind.MAIN)
    assert not main.filter(memberships__isnull=True).exists()
    assert not profiles.filter(role=ProfileRole.EMPLOYEE, memberships__isnull=True).exists()
    assert not profiles.filter(job_role=JobRole.TEACHER).exclude(memberships__group__kind=GroupKind.MAIN).exists()

    everyone = Group.objects.get(municipality=tiny, kind=GroupKind.CROSS_INSTITUTION)
    assert everyone.name == "Alle forældre i Småby Kommune" and everyone.institution is None
    parts = everyone.part_links.all()
    assert set(parts.values_list("portal_role", flat=True)) == {PortalRole.GUARDIAN}
    assert set(parts.values_list("part", flat=True)) == set(main.values_list("id", flat=True))


def test_building_twice_from_scratch_gives_the_same_people(db: None) -> None:
    build_havnby()
    first = build_and_fingerprint(TINY)
    assert not Municipality.objects.filter(code=TINY.code).exists()
    assert build_and_fingerprint(TINY) == first
    assert build_and_fingerprint(replace(TINY, seed=99)) != first


def test_building_again_changes_nothing(tiny: Municipality) -> None:
    before = fingerprint(TINY.code), Person.objects.count(), User.objects.count()
    message = build_esbjerg_scale(TINY)
    assert "already exists" in message
    assert (fingerprint(TINY.code), Person.objects.count(), User.objects.count()) == before


def test_havnby_is_untouched(db: None) -> None:
    build_havnby()
    before = fingerprint(HAVNBY), Municipality.objects.get(code=HAVNBY).updated_at
    build_esbjerg_scale(TINY)
    assert (fingerprint(HAVNBY), Municipality.objects.get(code=HAVNBY).updated_at) == before
    havnby_groups = Group.objects.filter(municipality__code=HAVNBY)
    assert not GroupPart.objects.filter(group__municipality__code=TINY.code, part__in=havnby_groups).exists()


def test_taken_logins_stop_the_build(db: None) -> None:
    User.objects.create(username="s00001")
    with pytest.raises(ScaleConflictError):
        build_esbjerg_scale(TINY)
    assert not Municipality.objects.filter(code=TINY.code).exists()


def test_management_command_builds_the_scale_municipality_once(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scale, "ESBJERG", TINY)
    out = StringIO()
    call_command("build_demo", "--scale", "esbjerg", "--quiet-logins", stdout=out)
    assert "Småby Kommune built" in out.getvalue()
    assert Municipality.objects.filter(code__in=[TINY.code, HAVNBY]).count() == 2
    call_command("build_demo", "--scale", "esbjerg", "--quiet-logins", stdout=out)
    assert "Småby Kommune (0998) already exists; nothing changed." in out.getvalue()
