"""A municipality of Esbjerg's size for benchmarks: `./run demo --scale esbjerg`.

The seeds describe about 5,200 children in daycare, 900 in family daycare, 13,000 pupils, 30,000
guardians and 3,000 staff. This module builds a municipality of that size beside Havnby Kommune, which
it never touches. Building happens in two steps:

- `plan_scale` (scale_plan.py) decides everything in plain Python from a seeded `random.Random`, so the
  same spec gives the same people, names, CPR numbers and groups every time;
- `write_plan` stores the plan with `bulk_create` in batches (ids come back on PostgreSQL and on
  SQLite 3.35+), inside one transaction.

Every staff member and guardian gets a login (`s00001`, `g000001`, …) with the demo password, hashed
once, so benchmarks can sign in as any of them. Building is idempotent: when the municipality exists,
nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from kinabog.accounts.models import User
from kinabog.demo.havnby import DEMO_PASSWORD
from kinabog.demo.scale_plan import ESBJERG, Plan, ScaleSpec, plan_scale
from kinabog.institutions.models import (
    Area,
    Group,
    GroupKind,
    GroupPart,
    Institution,
    InstitutionProfile,
    Membership,
    Municipality,
    Person,
    PortalRole,
    Relation,
)

__all__ = ["ESBJERG", "Plan", "ScaleConflictError", "ScaleSpec", "build_esbjerg_scale", "plan_scale", "write_plan"]

M = TypeVar("M", bound=models.Model)


def chunks(items: Iterable[M], size: int) -> Iterator[list[M]]:
    batch: list[M] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert(model: type[M], objects: Iterable[M], batch_size: int) -> list[int]:
    """bulk_create in batches; the new primary keys, in order."""
    ids: list[int] = []
    for batch in chunks(objects, batch_size):
        ids.extend(obj.pk for obj in model._default_manager.bulk_create(batch))
    if None in ids:
        raise RuntimeError(f"the database returned no ids for new {model.__name__} rows (SQLite 3.35+ is needed)")
    return ids


def write_plan(plan: Plan, password_hash: str) -> Municipality:
    """Store a plan. Call inside a transaction."""
    spec, size = plan.spec, plan.spec.batch_size
    municipality = Municipality.objects.create(code=spec.code, name=spec.name)
    area_ids = insert(Area, (Area(municipality=municipality, name=name) for name in plan.areas), size)

    # Units (SFO) refer to their school, so schools and other institutions go first.
    institution_ids: dict[int, int] = {}
    for with_parent in (False, True):
        chosen = [(i, inst) for i, inst in enumerate(plan.institutions) if (inst.parent is not None) == with_parent]
        rows = (
            Institution(
                municipality=municipality,
                area_id=area_ids[inst.area],
                code=inst.code,
                name=inst.name,
                kind=inst.kind,
                parent_id=None if inst.parent is None else institution_ids[inst.parent],
            )
            for _, inst in chosen
        )
        institution_ids.update(zip((i for i, _ in chosen), insert(Institution, rows, size), strict=True))

    group_ids = insert(
        Group,
        (
            Group(municipality=municipality, institution_id=institution_ids[g.institution], name=g.name, kind=g.kind)
            for g in plan.groups
        ),
        size,
    )
    with_login = [i for i, person in enumerate(plan.people) if person.username]
    joined = timezone.now()
    user_ids = insert(
        User,
        (
            User(
                username=plan.people[i].username,
                first_name=plan.people[i].first_name,
                last_name=plan.people[i].last_name,
                email=plan.people[i].email,
                password=password_hash,
                date_joined=joined,
            )
            for i in with_login
        ),
        size,
    )
    login_of = dict(zip(with_login, user_ids, strict=True))
    person_ids = insert(
        Person,
        (
            Person(
                login_id=login_of.get(i),
                first_name=p.first_name,
                last_name=p.last_name,
                cpr=p.cpr,
                birth_date=p.birth_date,
                is_protected=bool(p.alias),
                alias=p.alias,
                email=p.email,
                mobile_phone=p.mobile_phone,
                street=p.street,
                postal_code=p.postal_code,
                postal_district=p.postal_district,
            )
            for i, p in enumerate(plan.people)
        ),
        size,
    )
    profile_ids = insert(
        InstitutionProfile,
        (
            InstitutionProfile(
                person_id=person_ids[p.person],
                institution_id=institution_ids[p.institution],
                role=p.role,
                job_role=p.job_role,
                is_institution_admin=p.is_admin,
            )
            for p in plan.profiles
        ),
        size,
    )
    insert(
        Membership,
        (Membership(group_id=group_ids[g], profile_id=profile_ids[p], role=role) for g, p, role in plan.memberships),
        size,
    )
    insert(
        Relation,
        (
            Relation(guardian_id=person_ids[g], child_id=person_ids[c], kind=kind, has_custody=custody)
            for g, c, kind, custody in plan.relations
        ),
        size,
    )
    everyone = Group.objects.create(
        municipality=municipality,
        name=plan.cross_group_name,
        kind=GroupKind.CROSS_INSTITUTION,
        members_may_post=False,
        members_may_message=False,
        members_see_members=False,
    )
    insert(
        GroupPart,
        (
            GroupPart(group=everyone, part_id=group_ids[i], portal_role=PortalRole.GUARDIAN)
            for i, g in enumerate(plan.groups)
            if g.kind == GroupKind.MAIN
        ),
        size,
    )
    return municipality


class ScaleConflictError(Exception):
    """The scale logins are already taken by something else in this database."""


def build_esbjerg_scale(spec: ScaleSpec | None = None) -> str:
    """Build the scale municipality (Esbjerg's size unless `spec` says otherwise). Returns a summary.

    Idempotent: when a municipality with the spec's code exists, nothing is written.
    """
    spec = spec or ESBJERG
    with transaction.atomic():
        if Municipality.objects.filter(code=spec.code).exists():
            return f"{spec.name} ({spec.code}) already exists; nothing changed."
        taken = list(User.objects.filter(username__in=["s00001", "g000001"]).values_list("username", flat=True))
        if taken:
            raise ScaleConflictError(
                f"logins {', '.join(sorted(taken))} already exist: one scale municipality per database"
            )
        plan = plan_scale(spec, Person.objects.exclude(cpr="").values_list("cpr", flat=True))
        write_plan(plan, make_password(DEMO_PASSWORD))
    return plan.summary()
