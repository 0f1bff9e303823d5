"""Planning the scale municipality (see scale.py): every person, place and tie, decided in plain Python.

All random choices come from one `random.Random(spec.seed)` in a fixed order, so the same spec gives the
same people, names, CPR numbers and groups every time. Rows refer to each other by list position; the
database ids are only known when scale.write_plan stores them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from kinabog.demo import scale_names as names
from kinabog.demo.havnby import DEMO_PASSWORD
from kinabog.institutions.models import (
    GroupKind,
    InstitutionKind,
    JobRole,
    MembershipRole,
    ProfileRole,
    RelationKind,
)

# How many children one adult looks after, used to share the staff budget between daycare and schools.
DAYCARE_CHILDREN_PER_STAFF = 6.5
PUPILS_PER_STAFF = 9.0
SFO_CHILDREN_PER_PEDAGOGUE = 17.0
PROVIDERS_PER_FAMILY_DAYCARE_PEDAGOGUE = 20
GRADES = range(10)  # 0. to 9. klasse
SFO_GRADES = range(4)  # 0. to 3. klasse
SIBLING_YEAR_GAPS = (2, -2, 3, -3, 4, -4, 1, -1, 5, -5, 6, -6)


@dataclass(frozen=True)
class ScaleSpec:
    """The size and shape of a scale municipality. The defaults are Esbjerg's, from the seeds."""

    code: str = "0561"
    name: str = "Esbjerg Kommune"
    seed: int = 561
    areas: int = 7
    daycare_institutions: int = 60
    daycare_children: int = 5_200
    nursery_share: float = 0.33  # of daycare children in vuggestue rooms (under 3)
    nursery_room_size: int = 12
    kindergarten_room_size: int = 22
    family_daycare_institutions: int = 4
    family_daycare_children: int = 900
    children_per_provider: int = 4  # children per dagplejer
    providers_per_playgroup: int = 4  # dagplejere per legestuegruppe
    schools: int = 20
    pupils: int = 13_000
    class_size: int = 26  # at most this many pupils in a class
    sfo_share: float = 0.85  # of pupils in 0.–3. klasse who also go to the school's SFO
    guardians: int = 30_000  # aimed at: siblings share guardians, so this sets how many siblings there are
    staff: int = 3_000  # leaders, administrators, dagplejere included
    # Households. The rest of two_parent_share and foster_share is one parent with custody.
    two_parent_share: float = 0.80
    foster_share: float = 0.03  # foster parents beside a parent who keeps custody
    non_custody_share: float = 0.5  # of one-parent households where the other parent has no custody
    staff_parent_share: float = 0.05  # of two-parent households where a parent works in the municipality
    protected_share: float = 0.003  # households with name and address protection
    school_year: int | None = None  # the year the school year began (August); None: the current one
    batch_size: int = 5_000
    email_domain: str = "esbjerg.example"

    def __post_init__(self) -> None:
        if not (len(self.code) == 4 and self.code.isdigit()):
            raise ValueError("code is a four-digit municipality code")
        if self.schools > 499 or self.daycare_institutions > 8999 or self.family_daycare_institutions > 999:
            raise ValueError("too many institutions for the numbering scheme")
        if min(self.areas, self.daycare_institutions, self.family_daycare_institutions, self.schools) < 1:
            raise ValueError("every kind of institution needs at least one institution and one area")

    @property
    def code_prefix(self) -> str:
        return self.code[-3:]

    def resolved_school_year(self) -> int:
        if self.school_year is not None:
            return self.school_year
        today = date.today()
        return today.year if today.month >= 8 else today.year - 1


ESBJERG = ScaleSpec()


@dataclass(slots=True)
class PersonPlan:
    first_name: str
    last_name: str
    female: bool
    birth_date: date
    cpr: str = ""
    username: str = ""
    email: str = ""
    mobile_phone: str = ""
    street: str = ""
    postal_code: str = ""
    postal_district: str = ""
    alias: str = ""  # set for name and address protection only


@dataclass(slots=True)
class InstitutionPlan:
    code: str
    name: str
    kind: str
    area: int
    parent: int | None = None


@dataclass(slots=True)
class GroupPlan:
    institution: int
    name: str
    kind: str


@dataclass(slots=True)
class ProfilePlan:
    person: int
    institution: int
    role: str
    job_role: str = ""
    is_admin: bool = False


@dataclass
class Plan:
    """Everything the scale municipality holds; rows refer to each other by list position."""

    spec: ScaleSpec
    areas: list[str] = field(default_factory=list)
    institutions: list[InstitutionPlan] = field(default_factory=list)
    groups: list[GroupPlan] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    profiles: list[ProfilePlan] = field(default_factory=list)
    memberships: list[tuple[int, int, str]] = field(default_factory=list)  # group, profile, role
    relations: list[tuple[int, int, str, bool]] = field(default_factory=list)  # guardian, child, kind, custody
    children: list[int] = field(default_factory=list)
    guardians: list[int] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)
    children_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def cross_group_name(self) -> str:
        return f"Alle forældre i {self.spec.name}"

    def summary(self) -> str:
        logins = sum(1 for p in self.people if p.username)
        return (
            f"{self.spec.name} built: {len(self.institutions)} institutions, {len(self.groups) + 1} groups, "
            f"{len(self.children):,} children ({self.children_by_kind.get('daycare', 0):,} in daycare, "
            f"{self.children_by_kind.get('family_daycare', 0):,} in family daycare, "
            f"{self.children_by_kind.get('school', 0):,} pupils), {len(self.guardians):,} guardians, "
            f"{len(self.staff):,} staff, {logins:,} logins, {len(self.profiles):,} profiles, "
            f"{len(self.relations):,} relations, {len(self.memberships):,} memberships. "
            f"Sign in as g000001… or s00001… with the password '{DEMO_PASSWORD}'."
        )


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` into whole parts proportional to `weights` (largest remainder; ties by position)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    parts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


class CprNumbers:
    """Distinct CPR strings: birth date, then a sequence whose 7th digit fits the century and whose
    last digit is even for women and odd for men. Numbers already in the database are skipped."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = frozenset(taken)
        self.next: dict[tuple[date, bool], int] = {}

    def __call__(self, born: date, female: bool) -> str:
        base, room = (4000, 6000) if born.year >= 2000 else (0, 4000)
        n = self.next.get((born, female), 0)
        while True:
            sequence = base + 2 * n + (0 if female else 1)
            n += 1
            if sequence >= base + room:
                raise ValueError(f"no CPR numbers left for {born}")
            cpr = f"{born:%d%m%y}{sequence:04d}"
            if cpr not in self.taken:
                self.next[(born, female)] = n
                return cpr


class Planner:
    """Decides the scale municipality. Every random choice comes from one seeded generator, in a fixed order."""

    def __init__(self, spec: ScaleSpec, taken_cprs: Iterable[str] = ()) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.year = spec.resolved_school_year()
        self.cpr = CprNumbers(taken_cprs)
        self.plan = Plan(spec=spec)
        self.child_institutions: dict[int, list[int]] = {}  # child person → institutions, in order
        self.staff_groups: dict[int, int] = {}  # institution → its staff group
        self.staff_by_year: dict[int, list[int]] = {}  # staff who may turn out to be parents, by birth year
        self.staff_parents = 0

    # -- small builders -----------------------------------------------------------------------------

    def day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def institution(self, code: str, name: str, kind: str, area: int, parent: int | None = None) -> int:
        self.plan.institutions.append(InstitutionPlan(code, name, kind, area, parent))
        index = len(self.plan.institutions) - 1
        self.staff_groups[index] = self.group(index, f"Personale {name}", GroupKind.INSTITUTION)
        return index

    def group(self, institution: int, name: str, kind: str = GroupKind.MAIN) -> int:
        self.plan.groups.append(GroupPlan(institution, name, kind))
        return len(self.plan.groups) - 1

    def profile(self, person: int, institution: int, role: str, job_role: str = "", admin: bool = False) -> int:
        self.plan.profiles.append(ProfilePlan(person, institution, role, job_role, admin))
        return len(self.plan.profiles) - 1

    def member(self, group: int, profile: int, role: str = MembershipRole.MEMBER) -> None:
        self.plan.memberships.append((group, profile, role))

    def person(self, person: PersonPlan) -> int:
        person.cpr = self.cpr(person.birth_date, person.female)
        self.plan.people.append(person)
        return len(self.plan.people) - 1

    def child(self, born: date, kind: str, placements: Sequence[tuple[int, str, int]]) -> int:
        """A child placed at institutions, each (institution, profile role, main group). Named with its family."""
        female = self.rng.random() < 0.5
        first = self.rng.choice(names.GIRLS if female else names.BOYS)
        index = self.person(PersonPlan(first, "", female, born))
        for institution, role, group in placements:
            self.member(group, self.profile(index, institution, role))
        self.child_institutions[index] = [institution for institution, _, _ in placements]
        self.plan.children.append(index)
        self.plan.children_by_kind[kind] = self.plan.children_by_kind.get(kind, 0) + 1
        return index

    def employee(
        self, institution: int, job_role: str, groups: Sequence[int] = (), *, admin: bool = False, leads: bool = False
    ) -> int:
        """A staff member with a login, in the institution's staff group (as its administrator if `leads`)."""
        female = self.rng.random() < (0.95 if job_role == JobRole.DAYCARE_PROVIDER else 0.75)
        username = f"s{len(self.plan.staff) + 1:05d}"
        person = PersonPlan(
            self.rng.choice(names.WOMEN if female else names.MEN),
            self.rng.choice(names.SURNAMES),
            female,
            self.day_between(date(self.year - 65, 1, 1), date(self.year - 23, 12, 31)),
            username=username,
            email=f"{username}@{self.spec.email_domain}",
        )
        index = self.person(person)
        profile = self.profile(index, institution, ProfileRole.EMPLOYEE, job_role, admin)
        self.member(self.staff_groups[institution], profile, MembershipRole.ADMIN if leads else MembershipRole.MEMBER)
        for group in groups:
            self.member(group, profile)
        self.plan.staff.append(index)
        return index

    def guardian(self, female: bool, born_in: int, surname: str, address: tuple[str, str, str], alias: str = "") -> int:
        """A guardian with a login. Staff who are parents are not made here: they keep their staff login."""
        number = len(self.plan.guardians) - self.staff_parents + 1
        username = f"g{number:06d}"
        street, postal_code, district = address
        person = PersonPlan(
            self.rng.choice(names.WOMEN if female else names.MEN),
            surname,
            female,
            self.day_between(date(born_in, 1, 1), date(born_in, 12, 31)),
            username=username,
            email=f"{username}@example.org",
            mobile_phone=f"{30_000_000 + number:08d}",
            street=street,
            postal_code=postal_code,
            postal_district=district,
            alias=alias,
        )
        index = self.person(person)
        self.plan.guardians.append(index)
        return index

    # -- institutions -------------------------------------------------------------------------------

    def build(self) -> Plan:
        spec, rng = self.spec, self.rng
        self.plan.areas = [names.numbered([f"Område {a}" for a in names.AREAS], i) for i in range(spec.areas)]
        daycare_names = names.distinct_names(
            spec.daycare_institutions, names.DAYCARE_PREFIXES, names.DAYCARE_WORDS, rng
        )
        school_names = names.school_names(spec.schools, rng)
        daycare_sizes = apportion(spec.daycare_children, [rng.uniform(0.6, 1.4) for _ in daycare_names])
        family_sizes = apportion(
            spec.family_daycare_children, [rng.uniform(0.8, 1.2) for _ in range(spec.family_daycare_institutions)]
        )
        providers = [math.ceil(n / spec.children_per_provider) for n in family_sizes]
        school_sizes = apportion(spec.pupils, [rng.uniform(0.5, 1.5) for _ in school_names])

        # Leaders, administrators and dagplejere first; the rest of the staff follows the children. A daycare
        # has a leader; a school a leader, a deputy and a secretary, and its SFO a leader.
        fixed = spec.daycare_institutions + spec.schools * 4
        fixed += sum(1 + math.ceil(p / PROVIDERS_PER_FAMILY_DAYCARE_PEDAGOGUE) + p for p in providers)
        daycare_staff, school_staff = apportion(
            max(0, spec.staff - fixed),
            [spec.daycare_children / DAYCARE_CHILDREN_PER_STAFF, spec.pupils / PUPILS_PER_STAFF],
        )
        for i, (size, staff) in enumerate(zip(daycare_sizes, apportion(daycare_staff, daycare_sizes), strict=True)):
            self.daycare(i, daycare_names[i], size, staff)
        for i, (size, count) in enumerate(zip(family_sizes, providers, strict=True)):
            self.family_daycare(i, size, count)
        for i, (size, staff) in enumerate(zip(school_sizes, apportion(school_staff, school_sizes), strict=True)):
            self.school(i, school_names[i], size, staff)
        self.families()
        return self.plan

    def nursery_birth(self) -> date:
        """Vuggestue and dagpleje: from about ten months to three years old."""
        return self.day_between(date(self.year - 3, 8, 1), date(self.year - 1, 10, 31))

    def daycare(self, i: int, name: str, size: int, staff: int) -> None:
        spec = self.spec
        inst = self.institution(f"G{spec.code_prefix}{i + 1:04d}", name, InstitutionKind.DAYCARE, i % spec.areas)
        nursery = round(size * spec.nursery_share)
        kindergarten = size - nursery
        nursery_rooms = [
            self.group(inst, names.numbered(names.NURSERY_ROOMS, r))
            for r in range(math.ceil(nursery / spec.nursery_room_size))
        ]
        kindergarten_rooms = [
            self.group(inst, names.numbered(names.KINDERGARTEN_ROOMS, r))
            for r in range(math.ceil(kindergarten / spec.kindergarten_room_size))
        ]
        for k in range(nursery):
            self.child(
                self.nursery_birth(), "daycare", [(inst, ProfileRole.CHILD, nursery_rooms[k % len(nursery_rooms)])]
            )
        for k in range(kindergarten):
            born = self.day_between(date(self.year - 5, 1, 1), date(self.year - 3, 7, 31))
            room = kindergarten_rooms[k % len(kindergarten_rooms)]
            self.child(born, "daycare", [(inst, ProfileRole.CHILD, room)])
        self.employee(inst, JobRole.LEADER, admin=True, leads=True)
        rooms = nursery_rooms + kindergarten_rooms
        for k in range(staff):
            job = JobRole.PEDAGOGUE if self.rng.random() < 0.6 else JobRole.OTHER  # the others: medhjælpere
            self.employee(inst, job, [rooms[k % len(rooms)]] if rooms else [])

    def family_daycare(self, i: int, size: int, providers: int) -> None:
        """Dagplejen: dagplejere are its employees; their children meet in legestuegrupper."""
        spec = self.spec
        name = f"Dagplejen {names.numbered(names.FAMILY_DAYCARE_WORDS, i)}"
        inst = self.institution(
            f"G{spec.code_prefix}9{i + 1:03d}", name, InstitutionKind.FAMILY_DAYCARE, i % spec.areas
        )
        playgroups = [
            self.group(inst, f"Legestue {names.numbered(names.PLAYGROUPS, g)}")
            for g in range(math.ceil(providers / spec.providers_per_playgroup))
        ]
        self.employee(inst, JobRole.LEADER, admin=True, leads=True)
        pedagogues = math.ceil(providers / PROVIDERS_PER_FAMILY_DAYCARE_PEDAGOGUE)
        for k in range(pedagogues):
            self.employee(inst, JobRole.PEDAGOGUE, playgroups[k::pedagogues])
        playgroup_of = [playgroups[k // spec.providers_per_playgroup] for k in range(providers)]
        for group in playgroup_of:
            self.employee(inst, JobRole.DAYCARE_PROVIDER, [group])
        for k in range(size):
            self.child(self.nursery_birth(), "family_daycare", [(inst, ProfileRole.CHILD, playgroup_of[k % providers])])

    def school(self, i: int, name: str, size: int, staff: int) -> None:
        spec, rng = self.spec, self.rng
        area = i % spec.areas
        inst = self.institution(f"{spec.code_prefix}{i + 1:03d}", name, InstitutionKind.SCHOOL, area)
        sfo = self.institution(f"{spec.code_prefix}{i + 501:03d}", f"{name} SFO", InstitutionKind.SFO, area, inst)
        sfo_groups: dict[int, int] = {}  # grade → SFO group, made when the first child of that grade joins
        classes: list[int] = []
        sfo_children = 0
        for grade, pupils in zip(GRADES, apportion(size, [rng.uniform(0.9, 1.1) for _ in GRADES]), strict=True):
            tracks = math.ceil(pupils / spec.class_size)
            grade_classes = [self.group(inst, f"{grade}.{names.class_letter(t)}") for t in range(tracks)]
            classes.extend(grade_classes)
            for k in range(pupils):
                born = self.day_between(date(self.year - 6 - grade, 1, 1), date(self.year - 6 - grade, 12, 31))
                placements = [(inst, ProfileRole.PUPIL, grade_classes[k % tracks])]
                if grade in SFO_GRADES and rng.random() < spec.sfo_share:
                    if grade not in sfo_groups:
                        sfo_groups[grade] = self.group(sfo, f"SFO {grade}. årgang")
                    placements.append((sfo, ProfileRole.CHILD, sfo_groups[grade]))
                    sfo_children += 1
                self.child(born, "school", placements)
        self.employee(inst, JobRole.LEADER, admin=True, leads=True)  # skoleleder
        self.employee(inst, JobRole.LEADER, leads=True)  # viceskoleleder
        self.employee(inst, JobRole.OTHER, admin=True)  # skolesekretær
        self.employee(sfo, JobRole.LEADER, admin=True, leads=True)
        sfo_pedagogues = min(staff, round(sfo_children / SFO_CHILDREN_PER_PEDAGOGUE))
        sfo_group_list = list(sfo_groups.values())
        for k in range(sfo_pedagogues):
            self.employee(sfo, JobRole.PEDAGOGUE, [sfo_group_list[k % len(sfo_group_list)]])
        for k in range(staff - sfo_pedagogues):
            taught = sorted({classes[(3 * k + j) % len(classes)] for j in range(3)}) if classes else []
            self.employee(inst, JobRole.TEACHER, taught)

    # -- families -----------------------------------------------------------------------------------

    def families(self) -> None:
        """Group the children into households and give each household its guardians.

        Siblings are drawn a few years apart. How many children share a household follows from the
        guardians aimed at: more guardians per child means fewer siblings.
        """
        spec, rng, people = self.spec, self.rng, self.plan.people
        one_parent = max(0.0, 1 - spec.two_parent_share - spec.foster_share)
        per_household = 2 * spec.two_parent_share + one_parent * (1 + spec.non_custody_share) + 3 * spec.foster_share
        mean = len(self.plan.children) * per_household / max(1, spec.guardians)
        extra = min(max(mean - 1, 0.0), 1.1)
        two_children, three_children = 0.8 * extra, 0.1 * extra

        by_year: dict[int, list[int]] = {}
        for child in self.plan.children:
            by_year.setdefault(people[child].birth_date.year, []).append(child)
        for same_year in by_year.values():
            rng.shuffle(same_year)
        for member in self.plan.staff:
            self.staff_by_year.setdefault(people[member].birth_date.year, []).append(member)
        for same_year in self.staff_by_year.values():
            rng.shuffle(same_year)

        order = list(self.plan.children)
        rng.shuffle(order)
        placed: set[int] = set()
        for child in order:
            if child in placed:
                continue
            placed.add(child)
            household = [child]
            draw = rng.random()
            size = 3 if draw < three_children else 2 if draw < three_children + two_children else 1
            year = people[child].birth_date.year
            while len(household) < size:
                gaps = list(SIBLING_YEAR_GAPS)
                rng.shuffle(gaps)
                sibling = next(
                    (s for gap in gaps if (s := self.take(by_year.get(year + gap), placed)) is not None), None
                )
                if sibling is None:
                    break
                household.append(sibling)
            self.household(household)

    @staticmethod
    def take(candidates: list[int] | None, placed: set[int]) -> int | None:
        while candidates:
            child = candidates.pop()
            if child not in placed:
                placed.add(child)
                return child
        return None

    def address(self, area: int) -> tuple[str, str, str]:
        postal_code, district = names.POSTAL_DISTRICTS[(area + self.rng.randrange(2)) % len(names.POSTAL_DISTRICTS)]
        return f"{self.rng.choice(names.STREETS)} {self.rng.randint(1, 140)}", postal_code, district

    def household(self, children: list[int]) -> None:
        spec, rng, people = self.spec, self.rng, self.plan.people
        eldest = min(people[c].birth_date.year for c in children)
        area = self.plan.institutions[self.child_institutions[children[0]][0]].area
        home = self.address(area)
        surname = rng.choice(names.SURNAMES)
        protected = rng.random() < spec.protected_share
        for child in children:
            people[child].last_name = surname
            people[child].street, people[child].postal_code, people[child].postal_district = home
            if protected:
                given = rng.choice(names.GIRLS if people[child].female else names.BOYS)
                people[child].alias = f"{given} {names.class_letter(rng.randrange(26))}."
        alias = f"Forælder til {people[children[0]].alias}" if protected else ""

        def parent_year() -> int:
            return eldest - rng.randint(24, 38)

        guardians: list[tuple[int, str, bool]] = []  # guardian, kind, custody
        draw = rng.random()
        if draw < spec.two_parent_share:
            staff_parent = self.staff_parent(eldest) if rng.random() < spec.staff_parent_share else None
            if staff_parent is not None:
                female = not people[staff_parent].female
                guardians.append((staff_parent, RelationKind.PARENT, True))
            else:
                female = False
                mother_surname = surname if rng.random() < 0.6 else rng.choice(names.SURNAMES)
                guardians.append(
                    (self.guardian(True, parent_year(), mother_surname, home, alias), RelationKind.PARENT, True)
                )
            guardians.append((self.guardian(female, parent_year(), surname, home, alias), RelationKind.PARENT, True))
        elif draw < 1 - spec.foster_share:
            female = rng.random() < 0.8
            guardians.append((self.guardian(female, parent_year(), surname, home, alias), RelationKind.PARENT, True))
            if rng.random() < spec.non_custody_share:
                elsewhere = self.address(rng.randrange(spec.areas))
                other = self.guardian(not female, parent_year(), rng.choice(names.SURNAMES), elsewhere)
                guardians.append((other, RelationKind.PARENT, False))
        else:
            # In foster care the parent usually keeps custody; the foster parents live with the child.
            elsewhere = self.address(rng.randrange(spec.areas))
            parent = self.guardian(rng.random() < 0.8, parent_year(), surname, elsewhere, alias)
            guardians.append((parent, RelationKind.PARENT, True))
            foster_surname = rng.choice(names.SURNAMES)
            foster_alias = f"Plejeforælder til {people[children[0]].alias}" if protected else ""
            for female in (True, False):
                foster = self.guardian(female, eldest - rng.randint(30, 50), foster_surname, home, foster_alias)
                guardians.append((foster, RelationKind.FOSTER_PARENT, False))

        institutions = list(dict.fromkeys(i for c in children for i in self.child_institutions[c]))
        for guardian, kind, custody in guardians:
            for child in children:
                self.plan.relations.append((guardian, child, kind, custody))
            for institution in institutions:
                self.profile(guardian, institution, ProfileRole.GUARDIAN)

    def staff_parent(self, eldest_child_year: int) -> int | None:
        """A staff member of a fitting age who is also a parent here: one login, two roles."""
        candidates = self.staff_by_year.get(eldest_child_year - self.rng.randint(26, 40))
        if not candidates:
            return None
        parent = candidates.pop()
        self.plan.guardians.append(parent)
        self.staff_parents += 1
        return parent


def plan_scale(spec: ScaleSpec, taken_cprs: Iterable[str] = ()) -> Plan:
    """Decide the whole municipality without touching the database (CPR numbers in `taken_cprs` are avoided)."""
    return Planner(spec, taken_cprs).build()
