"""Writes of posts, comments and reports: check access → write → audit → notify after commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput, NotFound, Refused
from kinabog.core.html import is_blank, sanitise, to_plain_text
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import PortalRole
from kinabog.notifications import actions as notifications
from kinabog.notifications.models import Area

from . import access, queries
from .models import (
    Comment,
    CommunicationPrinciples,
    Moderation,
    Post,
    PostBookmark,
    PostGroup,
    Report,
    ReportStatus,
)

TITLE_MAX = 160
CONTENT_MAX = 50_000
COMMENT_MAX = 5_000
REASON_MAX = 2_000
PRINCIPLES_MAX = 10_000
DECISIONS = {"keep": ReportStatus.KEPT, "hide": ReportStatus.HIDDEN, "remove": ReportStatus.REMOVED}


def _audit(viewer: Viewer, action: str, obj: object, reason: str = "") -> None:
    audit.record(
        actor_id=viewer.user_id, action=action, obj=obj, reason=reason[:255], assurance_level=viewer.assurance_level
    )


def _profile_at(viewer: Viewer, institution_id: int) -> int:
    """The viewer's profile (in the active portal role) at the institution they write at."""
    profile = next((p for p in viewer.profiles if p.institution_id == institution_id), None)
    if profile is None:
        raise Refused(_("You may not write posts there."))
    return profile.id


def _clean(html: str, *, field: str, empty: str, maximum: int) -> str:
    cleaned = sanitise(html)
    if is_blank(cleaned):
        raise InvalidInput(empty, field=field)
    if len(cleaned) > maximum:
        raise InvalidInput(_("The text is too long."), field=field)
    return cleaned


def _parse_targets(viewer: Viewer, targets: Iterable[str]) -> tuple[int, bool, list[int]]:
    """Targets are "i:<institution id>" or "g:<group id>", all at one institution."""
    institution_ids: set[int] = set()
    group_ids: list[int] = []
    for target in targets:
        kind, _sep, raw = target.partition(":")
        if not raw.isdigit() or kind not in {"i", "g"}:
            raise InvalidInput(_("Choose where to share the post."), field="targets")
        if kind == "i":
            institution_ids.add(int(raw))
        else:
            group_ids.append(int(raw))
    groups = queries.groups_for_posting(viewer, group_ids)
    if len(groups) != len(set(group_ids)):
        raise InvalidInput(_("You cannot post to one of the chosen groups."), field="targets")
    if any(not access.may_post_to_institution(viewer, i) for i in institution_ids):
        raise InvalidInput(_("You cannot post to the whole institution."), field="targets")
    at = institution_ids | {g.institution_id for g in groups if g.institution_id is not None}
    if not at:
        raise InvalidInput(_("Choose where to share the post."), field="targets")
    if len(at) > 1:
        raise InvalidInput(_("A post is shared at one institution at a time."), field="targets")
    return at.pop(), bool(institution_ids), [g.id for g in groups]


@dataclass(frozen=True)
class PostFields:
    """What a post says and where it is shared, checked; the same for a new post and an edited one."""

    title: str
    content: str
    institution_id: int
    author_id: int
    to_institution: bool
    group_ids: list[int]
    roles: frozenset[str]
    allow_comments: bool
    important_until: date | None


def _checked(
    viewer: Viewer,
    *,
    title: str,
    content: str,
    targets: Iterable[str],
    roles: Iterable[str],
    allow_comments: bool,
    important_until: date | None,
    author_profile_id: int | None,
    institution_id: int | None,
) -> PostFields:
    """Every rule a post's input must meet; InvalidInput names the first field that does not."""
    title = title.strip()
    if not title:
        raise InvalidInput(_("Write a title."), field="title")
    if len(title) > TITLE_MAX:
        raise InvalidInput(_("The title is too long."), field="title")
    cleaned = _clean(content, field="content", empty=_("Write the post."), maximum=CONTENT_MAX)
    at, to_institution, group_ids = _parse_targets(viewer, targets)
    if institution_id is not None and at != institution_id:
        raise InvalidInput(_("The chosen groups are not at the chosen institution."), field="targets")
    chosen = frozenset(roles)
    if not chosen or not chosen <= set(access.ROLE_FIELDS):
        raise InvalidInput(_("Choose who should see the post."), field="roles")
    if important_until is not None and important_until < timezone.localdate():
        raise InvalidInput(_("The end date of an important post cannot be in the past."), field="important_until")
    author_id = _profile_at(viewer, at)
    if author_profile_id is not None and author_profile_id != author_id:
        raise InvalidInput(_("You can only write as yourself at the post's institution."), field="author")
    return PostFields(
        title=title,
        content=cleaned,
        institution_id=at,
        author_id=author_id,
        to_institution=to_institution,
        group_ids=group_ids,
        roles=chosen,
        allow_comments=allow_comments,
        important_until=important_until,
    )


def _apply(post: Post, fields: PostFields) -> None:
    post.institution_id = fields.institution_id
    post.title = fields.title
    post.content = fields.content
    post.to_institution = fields.to_institution
    post.for_guardians = PortalRole.GUARDIAN in fields.roles
    post.for_employees = PortalRole.EMPLOYEE in fields.roles
    post.for_children = PortalRole.CHILD in fields.roles
    post.is_important = fields.important_until is not None
    post.important_until = fields.important_until
    post.allow_comments = fields.allow_comments


@transaction.atomic
def create_post(
    viewer: Viewer,
    *,
    title: str,
    content: str,
    targets: Iterable[str],
    roles: Iterable[str],
    allow_comments: bool = True,
    important_until: date | None = None,
    author_profile_id: int | None = None,
    institution_id: int | None = None,
) -> Post:
    """Share a post (at `institution_id` when given: the targets must be there).

    Refuses, writing nothing, when any part of the input is not acceptable.
    """
    fields = _checked(
        viewer,
        title=title,
        content=content,
        targets=targets,
        roles=roles,
        allow_comments=allow_comments,
        important_until=important_until,
        author_profile_id=author_profile_id,
        institution_id=institution_id,
    )
    post = Post(author_id=fields.author_id, published_at=timezone.now())
    _apply(post, fields)
    post.save()
    PostGroup.objects.bulk_create([PostGroup(post=post, group_id=g) for g in fields.group_ids])
    _audit(viewer, "post.create", post)
    transaction.on_commit(lambda: notifications.notify_new_post(post.id))
    return post


@transaction.atomic
def update_post(
    viewer: Viewer,
    post_id: int,
    *,
    title: str,
    content: str,
    targets: Iterable[str],
    roles: Iterable[str],
    allow_comments: bool = True,
    important_until: date | None = None,
    author_profile_id: int | None = None,
    institution_id: int | None = None,
) -> Post:
    """The author edits their post: what it says and where it is shared. The same rules as a new post."""
    post = queries.get_post(viewer, post_id)
    if not access.may_edit_post(viewer, post):
        raise Refused(_("You may only edit your own posts."))
    fields = _checked(
        viewer,
        title=title,
        content=content,
        targets=targets,
        roles=roles,
        allow_comments=allow_comments,
        important_until=important_until,
        author_profile_id=author_profile_id,
        institution_id=institution_id,
    )
    if fields.institution_id != post.institution_id:
        raise InvalidInput(_("A post stays at the institution it was shared at."), field="targets")
    _apply(post, fields)
    post.edited_at = timezone.now()
    post.save()
    PostGroup.objects.filter(post=post).exclude(group_id__in=fields.group_ids).delete()
    PostGroup.objects.bulk_create([PostGroup(post=post, group_id=g) for g in fields.group_ids], ignore_conflicts=True)
    _audit(viewer, "post.edit", post)
    return post


@transaction.atomic
def delete_post(viewer: Viewer, post_id: int) -> None:
    post = queries.get_post(viewer, post_id)
    if not access.may_delete_post(viewer, post):
        raise Refused(_("You may only delete your own posts."))
    post.deleted_at = timezone.now()
    post.save(update_fields=["deleted_at", "updated_at"])
    _audit(viewer, "post.delete", post)


# --- Bookmarks -----------------------------------------------------------------------------------


def bookmark(viewer: Viewer, post_id: int) -> None:
    """Keep a post to find it again; bookmarking twice keeps one bookmark."""
    post = queries.get_post(viewer, post_id)
    if viewer.person_id is None:
        raise NotFound
    PostBookmark.objects.get_or_create(person_id=viewer.person_id, post=post, defaults={"created_at": timezone.now()})


def unbookmark(viewer: Viewer, post_id: int) -> None:
    post = queries.get_post(viewer, post_id)
    if viewer.person_id is not None:
        PostBookmark.objects.filter(person_id=viewer.person_id, post=post).delete()


# --- Comments ------------------------------------------------------------------------------------


@transaction.atomic
def add_comment(viewer: Viewer, post_id: int, text: str, *, author_profile_id: int | None = None) -> Comment:
    post = queries.get_post(viewer, post_id)
    if not access.may_comment(viewer, post):
        raise Refused(_("Comments are turned off for this post."))
    cleaned = _clean(text, field="text", empty=_("Write a comment."), maximum=COMMENT_MAX)
    author_id = access.comment_author_id(viewer, post)
    if author_profile_id is not None and author_profile_id != author_id:
        raise InvalidInput(_("You can only write as yourself at the post's institution."), field="author")
    comment = Comment.objects.create(post=post, author_id=author_id, text=cleaned, created_at=timezone.now())
    _audit(viewer, "comment.create", comment)
    return comment


@transaction.atomic
def edit_comment(viewer: Viewer, post_id: int, comment_id: int, text: str) -> Comment:
    comment, _groups = queries.get_comment(viewer, post_id, comment_id)
    if not access.may_edit_comment(viewer, comment):
        raise Refused(_("You may only edit your own comments."))
    comment.text = _clean(text, field="text", empty=_("Write a comment."), maximum=COMMENT_MAX)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["text", "edited_at"])
    _audit(viewer, "comment.edit", comment)
    return comment


@transaction.atomic
def delete_comment(viewer: Viewer, post_id: int, comment_id: int) -> None:
    comment, group_ids = queries.get_comment(viewer, post_id, comment_id)
    if not access.may_delete_comment(viewer, comment, group_ids):
        raise Refused(_("You may not delete this comment."))
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at"])
    _audit(viewer, "comment.delete", comment)


# --- Reports and moderation ------------------------------------------------------------------------


@transaction.atomic
def report(viewer: Viewer, post_id: int, reason: str, comment_id: int | None = None) -> Report:
    """Anmeld: anyone who sees a post or comment asks the institution's administrators to look at it."""
    if comment_id is None:
        post = queries.get_post(viewer, post_id)
        comment = None
        author_id = post.author_id
    else:
        comment, _groups = queries.get_comment(viewer, post_id, comment_id)
        post = comment.post
        author_id = comment.author_id
    if not access.may_report(viewer, author_id):
        raise Refused(_("You cannot report your own content."))
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Tell the administrators why you report it."), field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("The text is too long."), field="reason")
    existing = Report.objects.filter(
        reporter_id=viewer.person_id, post=post, comment=comment, status=ReportStatus.OPEN
    ).first()
    if existing is not None:
        return existing
    row = Report.objects.create(
        institution_id=post.institution_id,
        post=post,
        comment=comment,
        reporter_id=viewer.person_id,
        reason=reason,
        created_at=timezone.now(),
    )
    _audit(viewer, "report.create", row, reason)
    return row


@transaction.atomic
def handle_report(viewer: Viewer, report_id: int, decision: str, note: str = "") -> Report:
    """Keep, hide or remove the reported content; the author is told, with the moderator's note."""
    row = queries.get_open_report(viewer, report_id)
    if row.status != ReportStatus.OPEN:
        raise InvalidInput(_("The report has already been handled."), field="decision")
    if decision not in DECISIONS:
        raise InvalidInput(_("Choose what to do with the content."), field="decision")
    note = note.strip()[:REASON_MAX]
    status = DECISIONS[decision]
    target: Post | Comment = row.comment if row.comment is not None else row.post
    if status != ReportStatus.KEPT:
        target.moderation = Moderation.HIDDEN if status == ReportStatus.HIDDEN else Moderation.REMOVED
        target.save(update_fields=["moderation"])
        _audit(viewer, f"{target._meta.model_name}.{status}", target, note)
    # Every open report of the same content is settled by the one decision.
    now = timezone.now()
    Report.objects.filter(post=row.post, comment=row.comment, status=ReportStatus.OPEN).update(
        status=status, handled_by_id=viewer.person_id, handled_at=now, note_to_author=note
    )
    row.refresh_from_db()
    _audit(viewer, f"report.{status}", row, note)
    if status != ReportStatus.KEPT and target.author is not None:
        author = target.author
        summary = (
            _("Your content was removed: %(note)s")
            if status == ReportStatus.REMOVED
            else _("Your content was hidden: %(note)s")
        )
        title = summary % {"note": note or to_plain_text(getattr(target, "title", "") or target_text(target))[:80]}
        transaction.on_commit(
            lambda: notifications.notify_person(
                person_id=author.person_id,
                profile_id=author.id,
                area=Area.POSTS,
                event_type="PostOrCommentModerated",
                title=title,
                url=reverse("posts:feed"),
                dedupe_key=f"report:{row.id}",
            )
        )
    return row


def target_text(target: Post | Comment) -> str:
    return target.content if isinstance(target, Post) else target.text


@transaction.atomic
def set_communication_principles(viewer: Viewer, institution_id: int, html: str) -> CommunicationPrinciples:
    """Kommunikationsprincipper: an institution administrator writes the institution's own (sanitised) words."""
    if not access.is_moderator(viewer, institution_id):
        raise NotFound
    cleaned = _clean(html, field="text", empty=_("Write the principles."), maximum=PRINCIPLES_MAX)
    row, _created = CommunicationPrinciples.objects.update_or_create(
        institution_id=institution_id, defaults={"text": cleaned}
    )
    _audit(viewer, "communication_principles.update", row)
    return row
