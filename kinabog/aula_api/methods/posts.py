"""posts.*: the overview feed of posts (Opslag).

`institutionProfileIds[]` are the viewer's own and their children's institution profiles; they narrow
the posts to those institutions. Ids the viewer has no part in narrow to nothing: the answer is an
empty list with code 0, as Aula answers.
"""

from __future__ import annotations

from typing import Any

from kinabog.posts import queries

from .. import errors
from .. import posts_serializers as serializers
from ..params import ApiRequest
from ..registry import api_method

MAX_INDEX = 1000


@api_method("posts.getAllPosts")
def get_all_posts(api: ApiRequest) -> dict[str, Any]:
    """One page (`index`, 0-based; `limit` ≤ 100) of posts: current important ones first, then newest."""
    index = api.optional_integer("index", 0)
    limit = api.optional_integer("limit", queries.PAGE_SIZE)
    if index is None or limit is None or not 0 <= index <= MAX_INDEX or not 1 <= limit <= queries.MAX_API_LIMIT:
        raise errors.bad_parameters()
    ids = api.integers("institutionProfileIds")
    views, more = queries.feed_by_index(api.viewer, ids, index=index, limit=limit)
    return {"posts": [serializers.post(view) for view in views], "hasMorePosts": more}
