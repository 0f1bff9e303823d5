"""Reads of posts, comments and reports, already scoped by access.

The feed costs a fixed number of queries however many groups and posts there are: the visible posts
are one filtered query (group membership is an EXISTS on the share table), important posts one more,
and the groups of a page one prefetch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.core.errors import NotFound
from kinabog.core.files import IMAGE_TYPES
from kinabog.core.html import plain_text_to_html
from kinabog.institutions import access as core_access
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import ChildAccess, Viewer
from kinabog.institutions.models import Group, Institution, InstitutionProfile, PortalRole

from . import access
from .models import (
    Comment,
    CommunicationPrinciples,
    Moderation,
    Post,
    PostAttachment,
    PostBookmark,
    Report,
    ReportStatus,
)

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


def _is_bookmarked(viewer: Viewer) -> Exists:
    return Exists(PostBookmark.objects.filter(post=OuterRef("pk"), person_id=viewer.person_id or -1))


def visible_posts(viewer: Viewer) -> QuerySet[Post]:
    posts = access.visible_posts(viewer, Post.objects.all(), _guardian_institution_ids(viewer))
    return posts.select_related("author__person", "institution").annotate(
        comment_count=_comment_count(), is_bookmarked=_is_bookmarked(viewer)
    )


def _with_file_summary(posts: QuerySet[Post]) -> QuerySet[Post]:
    """How many files a post has and its first picture, in the feed's own query (no query per post)."""
    files = PostAttachment.objects.filter(post=OuterRef("pk")).order_by()
    counted = files.values("post").annotate(n=Count("id")).values("n")
    first_image = files.filter(content_type__in=IMAGE_TYPES).order_by("position", "id")
    return posts.annotate(
        file_count=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)),
        image_id=Subquery(first_image.values("id")[:1]),
        image_name=Subquery(first_image.values("name")[:1]),
    )


def _is_current_important(today: date) -> Q:
    return Q(is_important=True, important_until__gte=today)


@dataclass(frozen=True)
class Thumbnail:
    attachment_id: int
    name: str


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
    may_edit: bool = False
    is_bookmarked: bool = False
    # Loaded for one post and for the API; the feed has only the count and the first picture.
    attachments: list[PostAttachment] = field(default_factory=list)
    file_count: int = 0
    thumbnail: Thumbnail | None = None

    @property
    def images(self) -> list[PostAttachment]:
        return [a for a in self.attachments if a.content_type in IMAGE_TYPES]

    @property
    def files(self) -> list[PostAttachment]:
        return [a for a in self.attachments if a.content_type not in IMAGE_TYPES]

    @property
    def other_file_count(self) -> int:
        """Files besides the feed's thumbnail."""
        return self.file_count - (1 if self.thumbnail else 0)


def _author_name(viewer: Viewer, profile: InstitutionProfile | None) -> str:
    if profile is None:
        return _("Former user")
    return institution_queries.display_name(viewer, profile.person, {profile.institution_id})


def _view(viewer: Viewer, post: Post, today: date) -> PostView:
    files: list[PostAttachment] = getattr(post, "_prefetched_objects_cache", {}).get("attachments", [])
    files = list(files)
    image_id = getattr(post, "image_id", None)
    return PostView(
        post=post,
        author_name=_author_name(viewer, post.author),
        groups=[g for g in post.groups.all() if core_access.can_see_group(viewer, g)],
        comment_count=getattr(post, "comment_count", 0),
        is_current_important=post.is_important and post.important_until is not None and post.important_until >= today,
        may_delete=access.may_delete_post(viewer, post),
        may_report=access.may_report(viewer, post.author_id),
        may_comment=access.may_comment(viewer, post),
        may_edit=access.may_edit_post(viewer, post),
        is_bookmarked=bool(getattr(post, "is_bookmarked", False)),
        attachments=files,
        file_count=getattr(post, "file_count", len(files)),
        thumbnail=Thumbnail(image_id, getattr(post, "image_name", "")) if image_id else None,
    )


def _with_groups(posts: list[Post], *, files: bool = False) -> list[Post]:
    """The groups of the posts (one query) and, when asked, their files (one more)."""
    lookups: list[str | Prefetch[Any]] = [Prefetch("groups", queryset=Group.objects.select_related("institution"))]
    if files:
        lookups.append(Prefetch("attachments", queryset=PostAttachment.objects.order_by("position", "id")))
    prefetch_related_objects(posts, *lookups)
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
    posts = _with_file_summary(access.in_feed(visible_posts(viewer)))
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


@dataclass(frozen=True)
class FeedFilter:
    """The Aula API's narrowing of the feed: bookmarked, important or own posts only."""

    bookmarked: bool = False
    important: bool = False
    own: bool = False


def feed_by_index(
    viewer: Viewer,
    institution_profile_ids: list[int],
    *,
    index: int,
    limit: int,
    only: FeedFilter | None = None,
) -> tuple[list[PostView], bool]:
    """The Aula API's page `index` (0-based) of posts at the institutions of the given profiles
    (the viewer's own and their children's); ids that are neither give an empty list."""
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
    only = only or FeedFilter()
    if only.bookmarked:
        posts = posts.filter(_is_bookmarked(viewer))
    if only.important:
        posts = posts.filter(_is_current_important(today))
    if only.own:
        posts = posts.filter(author_id__in=viewer.profile_ids)
    start = index * limit
    page: list[Post] = list(posts[start : start + limit + 1])
    more = len(page) > limit
    rows = _with_groups(page[:limit], files=True)
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


def post_view(viewer: Viewer, post_id: int) -> PostView:
    """One post the viewer sees, with its groups and files."""
    post = get_post(viewer, post_id)
    _with_groups([post], files=True)
    return _view(viewer, post, timezone.localdate())


def _comment_view(viewer: Viewer, comment: Comment, group_ids: list[int]) -> CommentView:
    return CommentView(
        comment=comment,
        author_name=_author_name(viewer, comment.author),
        may_edit=access.may_edit_comment(viewer, comment),
        may_delete=access.may_delete_comment(viewer, comment, group_ids),
        may_report=access.may_report(viewer, comment.author_id),
    )


def post_detail(viewer: Viewer, post_id: int) -> PostDetail:
    view = post_view(viewer, post_id)
    post = view.post
    rows = Comment.objects.filter(post=post).select_related("author__person").order_by("created_at", "id")
    group_ids = [g.id for g in post.groups.all()]
    comments = []
    for comment in rows:
        comment.post = post
        if access.comment_shown(viewer, comment):
            comments.append(_comment_view(viewer, comment, group_ids))
    return PostDetail(view=view, comments=comments, is_moderator=access.is_moderator(viewer, post.institution_id))


@dataclass(frozen=True)
class CommentPage:
    post: PostView
    comments: list[CommentView]
    total: int
    author_id: int | None  # the profile a new comment is written as, None when the viewer may not comment


def comment_page(viewer: Viewer, post_id: int, *, start: int, limit: int) -> CommentPage:
    """The Aula API's page of a post's comments, oldest first, from `start` (0-based)."""
    view = post_view(viewer, post_id)
    post = view.post
    shown = access.visible_comments(viewer, post, Comment.objects.all())
    rows = list(shown.select_related("author__person").order_by("created_at", "id")[start : start + limit])
    group_ids = [g.id for g in post.groups.all()]
    for comment in rows:
        comment.post = post
    return CommentPage(
        post=view,
        comments=[_comment_view(viewer, c, group_ids) for c in rows],
        total=shown.count(),
        author_id=access.comment_author_id(viewer, post) if view.may_comment else None,
    )


def post_id_of_comment(comment_id: int) -> int:
    """The post a comment belongs to; access is checked by whatever reads or changes the comment next."""
    post_id = Comment.objects.filter(pk=comment_id).values_list("post_id", flat=True).first()
    if post_id is None:
        raise NotFound
    return int(post_id)


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


def comment_view(viewer: Viewer, post_id: int, comment_id: int) -> CommentView:
    """One comment the viewer sees, with what they may do to it."""
    comment, group_ids = get_comment(viewer, post_id, comment_id)
    return _comment_view(viewer, comment, group_ids)


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


def institution_id_for_code(viewer: Viewer, code: str) -> int:
    """One of the viewer's institutions by its institution number; NotFound for any other."""
    found = Institution.objects.filter(code=code, id__in=viewer.institution_ids).values_list("id", flat=True).first()
    if found is None:
        raise NotFound
    return int(found)


# --- Files ---------------------------------------------------------------------------------------


def open_attachment(viewer: Viewer, attachment_id: int) -> PostAttachment:
    """A file of a post the viewer sees; NotFound otherwise (the same answer as a file that does not exist)."""
    posts = access.visible_posts(viewer, Post.objects.all(), _guardian_institution_ids(viewer))
    row = PostAttachment.objects.filter(pk=attachment_id, post__in=posts.values("pk")).first()
    if row is None:
        raise NotFound
    return row


# --- Reports and moderation ----------------------------------------------------------------------


def communication_principles(institution_id: int) -> str:
    """The institution's principles as (sanitised) HTML; Kinabog's default words until it writes its own."""
    row = CommunicationPrinciples.objects.filter(institution_id=institution_id).first()
    return row.text if row and row.text.strip() else plain_text_to_html(default_principles())


@dataclass(frozen=True)
class PrinciplesView:
    institution: Institution
    html: str
    is_default: bool


def principles_for_editing(viewer: Viewer, institution_id: int) -> PrinciplesView:
    """The principles of an institution the viewer moderates (an institution administrator); NotFound otherwise."""
    if not access.is_moderator(viewer, institution_id):
        raise NotFound
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        raise NotFound
    row = CommunicationPrinciples.objects.filter(institution_id=institution_id).first()
    if row is None or not row.text.strip():
        return PrinciplesView(institution, plain_text_to_html(default_principles()), is_default=True)
    return PrinciplesView(institution, row.text, is_default=False)


def moderated_institutions(viewer: Viewer) -> list[Institution]:
    """The institutions whose reports and principles the viewer looks after, by name."""
    ids = moderated_institution_ids(viewer)
    return list(Institution.objects.filter(id__in=ids).order_by("name")) if ids else []


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
