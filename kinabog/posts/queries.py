"""Reads of posts, comments and reports, already scoped by access.

The feed costs a fixed number of queries however many groups and posts there are: the visible posts
are one filtered query (group membership is an EXISTS on the share table), important posts one more,
and the groups of a page one prefetch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.core.errors import NotFound
from kinabog.institutions import access as core_access
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import ChildAccess, Viewer
from kinabog.institutions.models import Group, Institution, InstitutionProfile, PortalRole

from . import access
from .models import Comment, CommunicationPrinciples, Moderation, Post, Report, ReportStatus

PAGE_SIZE = 20
MAX_IMPORTANT = 10
MAX_API_LIMIT = 100


def default_principles() -> str:
    return _(
        "We write to and about each other with respect. Write about the group, not about single children. "
        "Disagreements and worries about a child are taken directly with the staff, not in posts or comments."
    )


# --- Building blocks -----------------------------------------------------------------------------


def _guardian_institution_ids(viewer: Viewer) -> list[int]:
    """Institutions of the children a guardian acts for: institution-wide posts for guardians reach them."""
    if viewer.portal_role != PortalRole.GUARDIAN:
        return []
    acting_for = [c.child_id for c in viewer.children.values() if c.access >= ChildAccess.DAILY]
    if not acting_for:
        return []
    return list(
        InstitutionProfile.objects.filter(person_id__in=acting_for, is_active=True)
        .values_list("institution_id", flat=True)
        .distinct()
    )


def _comment_count() -> Coalesce:
    counted = (
        Comment.objects.filter(post=OuterRef("pk"), deleted_at__isnull=True, moderation=Moderation.VISIBLE)
        .order_by()
        .values("post")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def visible_posts(viewer: Viewer) -> QuerySet[Post]:
    posts = access.visible_posts(viewer, Post.objects.all(), _guardian_institution_ids(viewer))
    return posts.select_related("author__person", "institution").annotate(comment_count=_comment_count())


def _is_current_important(today: date) -> Q:
    return Q(is_important=True, important_until__gte=today)


@dataclass(frozen=True)
class PostView:
    post: Post
    author_name: str
    groups: list[Group]
    comment_count: int
    is_current_important: bool
    may_delete: bool
    may_report: bool
    may_comment: bool


def _author_name(viewer: Viewer, profile: InstitutionProfile | None) -> str:
    if profile is None:
        return _("Former user")
    return institution_queries.display_name(viewer, profile.person, {profile.institution_id})


def _view(viewer: Viewer, post: Post, today: date) -> PostView:
    return PostView(
        post=post,
        author_name=_author_name(viewer, post.author),
        groups=[g for g in post.groups.all() if core_access.can_see_group(viewer, g)],
        comment_count=getattr(post, "comment_count", 0),
        is_current_important=post.is_important and post.important_until is not None and post.important_until >= today,
        may_delete=access.may_delete_post(viewer, post),
        may_report=access.may_report(viewer, post.author_id),
        may_comment=access.may_comment(viewer, post),
    )


def _with_groups(posts: list[Post]) -> list[Post]:
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(posts, Prefetch("groups", queryset=Group.objects.select_related("institution")))
    return posts


# --- The feed ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedPage:
    important: list[PostView]
    posts: list[PostView]
    next_cursor: str | None
    is_first_page: bool = True


def feed(viewer: Viewer, *, cursor: str | None = None, limit: int = PAGE_SIZE) -> FeedPage:
    """Overblik: current important posts on top (first page), then the rest newest first, keyset-paginated."""
    today = timezone.localdate()
    posts = access.in_feed(visible_posts(viewer))
    important: list[Post] = []
    if not cursor:
        important = list(posts.filter(_is_current_important(today)).order_by("-published_at", "-id")[:MAX_IMPORTANT])
    rest = posts.exclude(_is_current_important(today))
    if cursor:
        try:
            stamp, _sep, last_id = cursor.partition("_")
            when = datetime.fromisoformat(stamp)
            rest = rest.filter(Q(published_at__lt=when) | Q(published_at=when, id__lt=int(last_id)))
        except ValueError as error:
            raise NotFound from error
    rows = list(rest.order_by("-published_at", "-id")[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = f"{rows[-1].published_at.isoformat()}_{rows[-1].id}"
    _with_groups(important + rows)
    return FeedPage(
        important=[_view(viewer, p, today) for p in important],
        posts=[_view(viewer, p, today) for p in rows],
        next_cursor=next_cursor,
        is_first_page=not cursor,
    )


def feed_by_index(
    viewer: Viewer, institution_profile_ids: list[int], *, index: int, limit: int
) -> tuple[list[PostView], bool]:
    """The Aula API's page `index` (0-based) of posts at the institutions of the given profiles
    (the viewer's own and their children's); ids that are neither narrow nothing and give an empty list."""
    people = [viewer.person_id, *[c.child_id for c in viewer.children.values() if c.access >= ChildAccess.DAILY]]
    institution_ids = list(
        InstitutionProfile.objects.filter(id__in=institution_profile_ids, person_id__in=people, is_active=True)
        .values_list("institution_id", flat=True)
        .distinct()
    )
    if not institution_ids:
        return [], False
    today = timezone.localdate()
    posts = (
        access.in_feed(visible_posts(viewer))
        .filter(institution_id__in=institution_ids)
        .annotate(
            on_top=Case(
                When(_is_current_important(today), then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-on_top", "-published_at", "-id")
    )
    start = index * limit
    page: list[Post] = list(posts[start : start + limit + 1])
    more = len(page) > limit
    rows = _with_groups(page[:limit])
    return [_view(viewer, p, today) for p in rows], more


# --- One post and its comments -------------------------------------------------------------------


@dataclass(frozen=True)
class CommentView:
    comment: Comment
    author_name: str
    may_edit: bool
    may_delete: bool
    may_report: bool


@dataclass(frozen=True)
class PostDetail:
    view: PostView
    comments: list[CommentView] = field(default_factory=list)
    is_moderator: bool = False


def get_post(viewer: Viewer, post_id: int) -> Post:
    """A post the viewer sees, with author and institution; NotFound otherwise."""
    post = visible_posts(viewer).filter(pk=post_id).first()
    if post is None:
        raise NotFound
    return post


def post_detail(viewer: Viewer, post_id: int) -> PostDetail:
    post = get_post(viewer, post_id)
    _with_groups([post])
    today = timezone.localdate()
    view = _view(viewer, post, today)
    rows = Comment.objects.filter(post=post).select_related("author__person").order_by("created_at", "id")
    group_ids = [g.id for g in post.groups.all()]
    comments = []
    for comment in rows:
        comment.post = post
        if not access.comment_shown(viewer, comment):
            continue
        comments.append(
            CommentView(
                comment=comment,
                author_name=_author_name(viewer, comment.author),
                may_edit=access.may_edit_comment(viewer, comment),
                may_delete=access.may_delete_comment(viewer, comment, group_ids),
                may_report=access.may_report(viewer, comment.author_id),
            )
        )
    return PostDetail(view=view, comments=comments, is_moderator=access.is_moderator(viewer, post.institution_id))


def get_comment(viewer: Viewer, post_id: int, comment_id: int) -> tuple[Comment, list[int]]:
    """A comment the viewer sees on a post they see, and the post's group ids (for the delete rule)."""
    post = get_post(viewer, post_id)
    comment = Comment.objects.filter(pk=comment_id, post=post).select_related("author__person").first()
    if comment is None:
        raise NotFound
    comment.post = post
    if not access.comment_shown(viewer, comment):
        raise NotFound
    return comment, list(post.shares.values_list("group_id", flat=True))


# --- Writing: where the viewer may post ------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    value: str  # "i:<institution id>" or "g:<group id>"
    label: str


def post_targets(viewer: Viewer) -> list[Target]:
    """The institutions and groups the viewer may post to, institutions first."""
    writing = [i for i in viewer.institution_ids if access.may_post_to_institution(viewer, i)]
    targets = [
        Target(f"i:{inst.id}", _("Everyone at %(institution)s") % {"institution": inst.name})
        for inst in Institution.objects.filter(id__in=writing).order_by("name")
    ]
    groups = access.postable_groups(viewer, Group.objects.all()).select_related("institution").order_by("name")
    targets += [Target(f"g:{g.id}", f"{g.name} · {g.institution.name}") for g in groups if g.institution]
    return targets


def groups_for_posting(viewer: Viewer, group_ids: list[int]) -> list[Group]:
    return list(access.postable_groups(viewer, Group.objects.filter(id__in=group_ids)))


def may_write_posts(viewer: Viewer) -> bool:
    return access.may_write_posts(viewer)


# --- Reports and moderation ----------------------------------------------------------------------


def communication_principles(institution_id: int) -> str:
    row = CommunicationPrinciples.objects.filter(institution_id=institution_id).first()
    return row.text if row and row.text.strip() else default_principles()


def moderated_institution_ids(viewer: Viewer) -> list[int]:
    return sorted(i for i in viewer.admin_institution_ids if access.is_moderator(viewer, i))


def moderation_queue(viewer: Viewer) -> list[Report]:
    """Open reports of content at the institutions the viewer administers, oldest first."""
    institutions = moderated_institution_ids(viewer)
    if not institutions:
        raise NotFound
    return list(
        Report.objects.filter(institution_id__in=institutions, status=ReportStatus.OPEN)
        .select_related("post__author__person", "comment__author__person", "reporter", "institution")
        .order_by("created_at", "id")
    )


def get_open_report(viewer: Viewer, report_id: int) -> Report:
    report = (
        Report.objects.filter(pk=report_id, institution_id__in=moderated_institution_ids(viewer))
        .select_related("post__author__person", "comment__author__person")
        .first()
    )
    if report is None:
        raise NotFound
    return report
