"""Whom a new post is for, as one SQL SELECT of (person_id, profile_id) for the notification fan-out.

People without a login (daycare children) are left out: they read nothing.
"""

from __future__ import annotations

from typing import Any

from kinabog.core.sql import marks
from kinabog.institutions.models import InstitutionProfile, Membership, Person, ProfileRole, Relation

from .models import Post, PostGroup

CHILD_ROLES = (ProfileRole.CHILD.value, ProfileRole.PUPIL.value)


def new_post_recipients_sql(post_id: int) -> tuple[str, list[Any], Post] | None:
    post = Post.objects.select_related("author__person").filter(pk=post_id, deleted_at__isnull=True).first()
    if post is None or post.moderation:
        return None
    profile = InstitutionProfile._meta.db_table
    membership = Membership._meta.db_table
    relation = Relation._meta.db_table
    person = Person._meta.db_table
    shares = PostGroup._meta.db_table
    roles: tuple[str, ...] = ()
    if post.for_employees:
        roles += (ProfileRole.EMPLOYEE.value,)
    if post.for_children:
        roles += CHILD_ROLES
    # Children counted in: members of the groups, or everyone at the institution.
    if post.to_institution:
        scope_sql, scope_params = "x.institution_id = %s", [post.institution_id]
    else:
        scope_sql = f"x.id IN (SELECT profile_id FROM {membership} WHERE group_id IN (SELECT group_id FROM {shares} WHERE post_id = %s))"  # noqa: S608, E501
        scope_params = [post.id]
    selects: list[str] = []
    params: list[Any] = []
    if roles:
        selects.append(
            f"SELECT x.person_id, x.id AS profile_id FROM {profile} x "  # noqa: S608
            f"WHERE {scope_sql} AND x.is_active = %s AND x.role IN ({marks(roles)})"
        )
        params += [*scope_params, True, *roles]
    if post.for_guardians:
        selects.append(
            f"SELECT g.person_id, g.id AS profile_id FROM {profile} x "  # noqa: S608
            f"JOIN {relation} r ON r.child_id = x.person_id "
            f"JOIN {profile} g ON g.person_id = r.guardian_id AND g.institution_id = x.institution_id "
            f"WHERE {scope_sql} AND x.is_active = %s AND x.role IN ({marks(CHILD_ROLES)}) "
            f"AND g.role = %s AND g.is_active = %s "
            f"AND (r.has_custody = %s OR r.extended_access = %s OR r.kind <> %s)"
        )
        params += [*scope_params, True, *CHILD_ROLES, ProfileRole.GUARDIAN.value, True, True, True, "parent"]
    if not selects:
        return None
    union = " UNION ALL ".join(selects)
    sql = (
        f"SELECT u.person_id, u.profile_id FROM ({union}) AS u "  # noqa: S608
        f"JOIN {person} p ON p.id = u.person_id WHERE p.login_id IS NOT NULL"
    )
    return sql, params, post


def institution_names(post_ids: list[int]) -> dict[int, str]:
    """The institution each post was shared at, for e-mails that name it (title and institution only)."""
    rows = Post.objects.filter(id__in=post_ids).values_list("id", "institution__name")
    return {int(post_id): str(name) for post_id, name in rows}
