"""Who may see, write, comment on, report and moderate posts.

Deny by default. A post is seen by the members of the groups it is shared with (guardians through
their children, in the portal roles the author chose), by the leaders of the group's institution and by
its author. Content a moderator hid or removed is seen by the institution's administrators only.
Every check here is a pure function of the viewer (and facts already loaded), so pages do not grow
in queries with what is on them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from kinabog.institutions.access import Viewer
from kinabog.institutions.models import Group, Permission, PortalRole

from .models import Comment, Moderation, Post, PostGroup

ROLE_FIELDS = {
    PortalRole.GUARDIAN: "for_guardians",
    PortalRole.EMPLOYEE: "for_employees",
    PortalRole.CHILD: "for_children",
}


def is_moderator(viewer: Viewer, institution_id: int) -> bool:
    """Institution administrators handle reports of content at their institution."""
    return viewer.portal_role == PortalRole.EMPLOYEE and institution_id in viewer.admin_institution_ids


def visible_posts(
    viewer: Viewer, posts: QuerySet[Post], guardian_institution_ids: Iterable[int] = ()
) -> QuerySet[Post]:
    """Posts in the viewer's feed: shared with a group whose content they see (or their institution),
    in their portal role; never deleted ones; hidden or removed ones only for their moderators.

    `guardian_institution_ids` are the institutions of the children a guardian acts for (see queries).
    """
    if not viewer.is_authenticated or viewer.portal_role is None:
        return posts.none()
    in_groups = Exists(PostGroup.objects.filter(post=OuterRef("pk"), group_id__in=viewer.group_ids))
    if viewer.portal_role == PortalRole.EMPLOYEE:
        condition = Q(in_groups)
        if viewer.leader_institution_ids:
            condition |= Q(
                Exists(
                    PostGroup.objects.filter(
                        post=OuterRef("pk"), group__institution_id__in=viewer.leader_institution_ids
                    )
                )
            )
        if viewer.employee_institution_ids:
            condition |= Q(to_institution=True, institution_id__in=viewer.employee_institution_ids)
    elif viewer.portal_role == PortalRole.GUARDIAN:
        condition = Q(for_guardians=True) & (
            Q(in_groups) | Q(to_institution=True, institution_id__in=list(guardian_institution_ids))
        )
    else:
        condition = Q(for_children=True) & (
            Q(in_groups) | Q(to_institution=True, institution_id__in=viewer.institution_ids)
        )
    condition |= Q(author_id__in=viewer.profile_ids)
    shown = Q(moderation=Moderation.VISIBLE)
    moderated = [i for i in viewer.admin_institution_ids if is_moderator(viewer, i)]
    if moderated:
        shown |= Q(institution_id__in=moderated)
    return posts.filter(condition, shown, deleted_at__isnull=True)


def in_feed(posts: QuerySet[Post]) -> QuerySet[Post]:
    """The feed leaves moderated content out for everyone; moderators find it in their queue."""
    return posts.filter(moderation=Moderation.VISIBLE)


# --- Writing ---------------------------------------------------------------------------------------


def may_post_to_institution(viewer: Viewer, institution_id: int) -> bool:
    return viewer.has_permission(institution_id, Permission.WRITE_POST)


def may_post_to_group(viewer: Viewer, group: Group) -> bool:
    """The write_post permission at the group's institution, or membership of a group whose members post."""
    if group.institution_id is None:
        return False
    if may_post_to_institution(viewer, group.institution_id):
        return True
    return group.members_may_post and group.id in viewer.group_ids


def postable_groups(viewer: Viewer, groups: QuerySet[Group]) -> QuerySet[Group]:
    if not viewer.is_authenticated:
        return groups.none()
    writing = [i for i in viewer.institution_ids if may_post_to_institution(viewer, i)]
    condition = Q(pk__in=[])
    if writing:
        condition |= Q(institution_id__in=writing)
    if viewer.group_ids:
        condition |= Q(id__in=viewer.group_ids, members_may_post=True)
    return groups.filter(condition, institution__isnull=False)


def may_write_posts(viewer: Viewer) -> bool:
    return any(may_post_to_institution(viewer, i) for i in viewer.institution_ids) or bool(viewer.group_ids)


# --- Acting on a post the viewer sees ----------------------------------------------------------------


def is_own(viewer: Viewer, author_id: int | None) -> bool:
    return author_id is not None and author_id in viewer.profile_ids


def may_comment(viewer: Viewer, post: Post) -> bool:
    return post.allow_comments and post.moderation == Moderation.VISIBLE and bool(viewer.profiles)


def may_delete_post(viewer: Viewer, post: Post) -> bool:
    return is_own(viewer, post.author_id)


def may_edit_post(viewer: Viewer, post: Post) -> bool:
    """Authors edit their own posts while no moderator has hidden or removed them."""
    return is_own(viewer, post.author_id) and post.moderation == Moderation.VISIBLE


def comment_author_id(viewer: Viewer, post: Post) -> int | None:
    """The profile a comment is written as: the viewer's at the post's institution, else their first."""
    if not viewer.profiles:
        return None
    return next((p.id for p in viewer.profiles if p.institution_id == post.institution_id), viewer.profiles[0].id)


def may_delete_comment(viewer: Viewer, comment: Comment, post_group_ids: Iterable[int]) -> bool:
    """Own comments; staff also delete comments on posts in their groups (or at an institution they lead)."""
    if is_own(viewer, comment.author_id):
        return True
    if viewer.portal_role != PortalRole.EMPLOYEE or comment.post.institution_id not in viewer.employee_institution_ids:
        return False
    group_ids = set(post_group_ids)
    if group_ids & viewer.group_ids or comment.post.institution_id in viewer.leader_institution_ids:
        return True
    return comment.post.to_institution


def may_edit_comment(viewer: Viewer, comment: Comment) -> bool:
    return is_own(viewer, comment.author_id) and comment.moderation == Moderation.VISIBLE


def may_report(viewer: Viewer, author_id: int | None) -> bool:
    return viewer.is_authenticated and not is_own(viewer, author_id)


def visible_comments(viewer: Viewer, post: Post, comments: QuerySet[Comment]) -> QuerySet[Comment]:
    """The comments of a post the viewer sees: the same rule as comment_shown, as a filter."""
    comments = comments.filter(post=post, deleted_at__isnull=True)
    if is_moderator(viewer, post.institution_id):
        return comments
    return comments.filter(moderation=Moderation.VISIBLE)


def comment_shown(viewer: Viewer, comment: Comment) -> bool:
    """Deleted comments are gone; moderated ones are seen by the institution's moderators only."""
    if comment.deleted_at is not None:
        return False
    return comment.moderation == Moderation.VISIBLE or is_moderator(viewer, comment.post.institution_id)
