"""comments.*: the comments of a post — read, write, edit, delete and report (kommentarer).

Only posts have comments in Kinabog: `parentType` other than `post` answers code 40. A comment (or a
post) the viewer may not see answers 404; one they see but may not change answers 403. The rules are
posts.actions', the same as on the pages.
"""

from __future__ import annotations

from typing import Any

from kinabog.posts import actions, queries

from .. import errors
from .. import posts_serializers as serializers
from ..params import ApiRequest, to_int
from ..registry import api_method
from .posts import html_text

PARENT_TYPES = frozenset({"post"})
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_START = 100_000


def _parent_type(value: Any) -> None:
    if value is None or str(value).strip().lower() not in PARENT_TYPES:
        raise errors.bad_parameters()


@api_method("comments.getComments")
def get_comments(api: ApiRequest) -> dict[str, Any]:
    """A page of a post's comments, oldest first: `startIndex` (0-based) and `limit` (≤ 100)."""
    _parent_type(api.text("parentType"))
    post_id = api.integer("parentId")
    start = api.optional_integer("startIndex", 0)
    limit = api.optional_integer("limit", DEFAULT_LIMIT)
    if start is None or limit is None or not 0 <= start <= MAX_START or not 1 <= limit <= MAX_LIMIT:
        raise errors.bad_parameters()
    page = queries.comment_page(api.viewer, post_id, start=start, limit=limit)
    return serializers.comment_page(page, start, limit)


@api_method("comments.addComment", verbs=("POST",))
def add_comment(api: ApiRequest) -> dict[str, Any]:
    """`{commentableItem: {type: post, id}, content, creatorInstProfileId}`; answers the new comment."""
    item = api.json_object("commentableItem")
    _parent_type(item.get("type"))
    post_id = to_int(item.get("id"))
    viewer = api.viewer
    comment = actions.add_comment(
        viewer,
        post_id,
        html_text(api.body.get("content")),
        author_profile_id=api.optional_integer("creatorInstProfileId"),
    )
    return serializers.comment(queries.comment_view(viewer, post_id, comment.id))


@api_method("comments.updateComment", verbs=("POST",))
def update_comment(api: ApiRequest) -> bool:
    comment_id = api.integer("commentId")
    text = html_text(api.body.get("content"))
    actions.edit_comment(api.viewer, queries.post_id_of_comment(comment_id), comment_id, text)
    return True


@api_method("comments.deleteComment", verbs=("POST",))
def delete_comment(api: ApiRequest) -> bool:
    comment_id = api.integer("commentId")
    if api.text("parentType") is not None:
        _parent_type(api.text("parentType"))
    actions.delete_comment(api.viewer, queries.post_id_of_comment(comment_id), comment_id)
    return True


@api_method("comments.reportComment", verbs=("POST",))
def report_comment(api: ApiRequest) -> bool:
    comment_id = api.integer("commentId")
    post_id = queries.post_id_of_comment(comment_id)
    actions.report(api.viewer, post_id, api.text("reportReason") or "", comment_id)
    return True
