"""posts.*: the overview feed of posts (Opslag), one post, writing, bookmarks and reports.

`institutionProfileIds[]` are the viewer's own and their children's institution profiles; they narrow
the posts to those institutions. Ids the viewer has no part in narrow to nothing: the answer is an
empty list with code 0, as Aula answers. A post the viewer may not see answers 404 like one that does
not exist. Writing follows the same rules as the pages (posts.actions): input Kinabog refuses answers
code 40 with a Danish `presentedMessage`, and nothing is stored.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from kinabog.posts import actions, attachments, queries

from .. import errors
from .. import posts_serializers as serializers
from ..params import ApiRequest, to_int
from ..registry import api_method

MAX_INDEX = 1000
PORTAL_ROLES = frozenset({"guardian", "employee", "child"})
# A publication time this far ahead is a scheduled post, which Kinabog does not have: refused, not published now.
PUBLISH_SLACK = timedelta(minutes=5)


@api_method("posts.getAllPosts")
def get_all_posts(api: ApiRequest) -> dict[str, Any]:
    """One page (`index`, 0-based; `limit` ≤ 100) of posts: current important ones first, then newest.

    `isBookmarked`, `isImportant` and `ownPost` narrow the page to those posts when true.
    """
    index = api.optional_integer("index", 0)
    limit = api.optional_integer("limit", queries.PAGE_SIZE)
    if index is None or limit is None or not 0 <= index <= MAX_INDEX or not 1 <= limit <= queries.MAX_API_LIMIT:
        raise errors.bad_parameters()
    only = queries.FeedFilter(
        bookmarked=api.flag("isBookmarked"), important=api.flag("isImportant"), own=api.flag("ownPost")
    )
    ids = api.integers("institutionProfileIds")
    views, more = queries.feed_by_index(api.viewer, ids, index=index, limit=limit, only=only)
    absolute = api.http.build_absolute_uri
    return {"posts": [serializers.post(view, absolute) for view in views], "hasMorePosts": more}


@api_method("posts.getById")
def get_by_id(api: ApiRequest) -> dict[str, Any]:
    """One post the viewer sees, with its groups and files."""
    view = queries.post_view(api.viewer, api.integer("id"))
    return serializers.post(view, api.http.build_absolute_uri)


@api_method("posts.createPost", verbs=("POST",))
def create_post(api: ApiRequest) -> dict[str, Any]:
    """Share a post with groups at one institution, in the chosen portal roles (the same in every group).

    Files cannot be uploaded through this API yet: a post with `attachmentIds` answers code 40 rather
    than being shared without them. Answers `{allImagesHasValidConsents: true}` and (Kinabog) the new `id`.
    """
    if api.body.get("id") not in (None, 0, "0", ""):
        raise errors.bad_parameters()  # an existing post is changed with posts.updatePost
    if _attachment_ids(api):
        raise errors.bad_parameters()
    post = actions.create_post(api.viewer, **_post_fields(api))
    return {"allImagesHasValidConsents": True, "id": post.id}


@api_method("posts.updatePost", verbs=("POST",))
def update_post(api: ApiRequest) -> bool:
    """The author changes their post: the same body as createPost with `id`. `attachmentIds` lists the
    post's files to keep (the others are removed); without it every file stays."""
    post_id = api.integer("id")
    keep = _attachment_ids(api) if "attachmentIds" in api.body else None
    attachments.update_post_with_files(api.viewer, post_id, keep_attachment_ids=keep, **_post_fields(api))
    return True


@api_method("posts.deletePost", verbs=("POST",))
def delete_post(api: ApiRequest) -> bool:
    actions.delete_post(api.viewer, api.integer("id"))
    return True


@api_method("posts.reportPost", verbs=("POST",))
def report_post(api: ApiRequest) -> bool:
    """Anmeld: the institution's administrators are asked to look at the post."""
    actions.report(api.viewer, api.integer("id"), api.text("reportReason") or "")
    return True


@api_method("posts.bookmark", verbs=("POST",))
def bookmark(api: ApiRequest) -> bool:
    actions.bookmark(api.viewer, api.integer("id"))
    return True


@api_method("posts.unbookmark", verbs=("POST",))
def unbookmark(api: ApiRequest) -> bool:
    actions.unbookmark(api.viewer, api.integer("id"))
    return True


# --- Reading a post's body ---------------------------------------------------------------------------


def html_text(value: Any) -> str:
    """Text as Aula sends it: a string, or `{html}`; code 40 otherwise."""
    if isinstance(value, dict):
        value = value.get("html")
    if not isinstance(value, str):
        raise errors.bad_parameters()
    return value


def _post_fields(api: ApiRequest) -> dict[str, Any]:
    """createPost's and updatePost's body as the arguments of posts.actions."""
    viewer = api.viewer
    institution_id = queries.institution_id_for_code(viewer, api.text("institutionCode", required=True) or "")
    groups = api.json_objects("sharedWithGroups")
    role_sets = {_roles(item.get("portalRolesEnum", item.get("portalRoles"))) for item in groups}
    if len(role_sets) != 1:
        raise errors.bad_parameters()  # at least one group, and the same portal roles in every group
    roles = role_sets.pop()
    targets = [f"g:{to_int(item.get('groupId', item.get('id')))}" for item in groups]
    _check_schedule(api)
    return {
        "title": api.text("title") or "",
        "content": html_text(api.body.get("content", "")),
        "targets": targets,
        "roles": sorted(roles),
        "allow_comments": api.flag("allowComments", default=True),
        "important_until": _day(api.body.get("importantTo")) if api.flag("isImportant") else None,
        "author_profile_id": api.optional_integer("creatorInstitutionProfileId"),
        "institution_id": institution_id,
    }


def _roles(value: Any) -> frozenset[str]:
    if not isinstance(value, list) or not value:
        raise errors.bad_parameters()
    roles = frozenset(str(role).strip().lower() for role in value)
    if not roles <= PORTAL_ROLES:
        raise errors.bad_parameters()
    return roles


def _day(value: Any) -> date:
    """`YYYY-MM-DD`, or a date-time whose date counts (Aula sends both)."""
    if not isinstance(value, str) or len(value) < 10:
        raise errors.bad_parameters()
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise errors.bad_parameters() from None


def _check_schedule(api: ApiRequest) -> None:
    """Scheduled publication and expiry are not in Kinabog: refused rather than ignored."""
    if api.body.get("expireAt"):
        raise errors.bad_parameters()
    publish_at = api.body.get("publishAt")
    if not publish_at:
        return
    if not isinstance(publish_at, str):
        raise errors.bad_parameters()
    try:
        moment = datetime.fromisoformat(publish_at.replace(" ", "T", 1))
    except ValueError:
        raise errors.bad_parameters() from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + PUBLISH_SLACK:
        raise errors.bad_parameters()


def _attachment_ids(api: ApiRequest) -> list[int]:
    values = api.body.get("attachmentIds") or []
    if not isinstance(values, list):
        raise errors.bad_parameters()
    return [to_int(value) for value in values]
