"""Posts and comments in Aula's shapes (field names as the community clients read them; see serializers.py).

File addresses are absolute (Aula hands out full URLs); they answer only to people who see the post.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.urls import reverse

from kinabog.core.files import IMAGE_TYPES
from kinabog.posts.queries import CommentPage, CommentView, PostView

from .messaging_serializers import iso
from .serializers import institution_role, short_name

Absolute = Callable[[str], str]


def _as_is(path: str) -> str:
    return path


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def owner_profile(view: PostView) -> dict[str, Any]:
    author = view.post.author
    first, _sep, last = view.author_name.partition(" ")
    return {
        "id": author.id if author else None,
        "institutionProfileId": author.id if author else None,
        "profileId": author.person_id if author else None,
        "firstName": first,
        "lastName": last,
        "fullName": view.author_name,
        "shortName": short_name(view.author_name),
        "role": institution_role(author) if author else None,
        "institution": {
            "institutionName": view.post.institution.name,
            "institutionCode": view.post.institution.code,
        },
        "profilePicture": None,
        "metadata": "",
    }


def attachment(row: Any, absolute: Absolute = _as_is) -> dict[str, Any]:
    url = absolute(reverse("posts:attachment", args=[row.id]))
    media = None
    if row.content_type in IMAGE_TYPES:
        thumbnail = absolute(reverse("posts:thumbnail", args=[row.id])) if row.thumbnail else url
        media = {"file": {"name": row.name, "url": url}, "thumbnailUrl": thumbnail, "mediaType": "image"}
    return {
        "id": row.id,
        "name": row.name,
        "file": {"name": row.name, "url": url},
        "media": media,
        "link": None,
        "document": None,
        "contentType": row.content_type,
        "size": row.size,
    }


def post(view: PostView, absolute: Absolute = _as_is) -> dict[str, Any]:
    row = view.post
    roles = [
        r
        for r, on in (("guardian", row.for_guardians), ("employee", row.for_employees), ("child", row.for_children))
        if on
    ]
    return {
        "id": row.id,
        "title": row.title,
        "content": {"html": row.content},
        "timestamp": iso(row.published_at),
        "publishAt": iso(row.published_at),
        "isPublished": True,
        "editedAt": iso(row.edited_at),
        "isImportant": view.is_current_important,
        "importantFrom": _day(row.published_at.date()) if row.is_important else None,
        "importantTo": _day(row.important_until),
        "ownerProfile": owner_profile(view),
        "sharedWithGroups": [
            {
                "id": group.id,
                "name": group.name,
                "shortName": group.name,
                "institutionCode": group.institution.code if group.institution else None,
                "institutionName": group.institution.name if group.institution else None,
                "portalRoles": roles,
            }
            for group in view.groups
        ],
        "allowComments": row.allow_comments,
        "commentCount": view.comment_count,
        "isBookmarked": view.is_bookmarked,
        "attachments": [attachment(a, absolute) for a in view.attachments],
        "canCurrentUserEdit": view.may_edit,
        "canCurrentUserDelete": view.may_delete,
        "canCurrentUserComment": view.may_comment,
        "canCurrentUserReport": view.may_report,
    }


def comment(view: CommentView) -> dict[str, Any]:
    row = view.comment
    author = row.author
    return {
        "id": row.id,
        "creator": {
            "id": author.id if author else None,
            "institutionProfileId": author.id if author else None,
            "profileId": author.person_id if author else None,
            "name": view.author_name,
            "shortName": short_name(view.author_name),
            "role": institution_role(author) if author else None,
            "profilePicture": None,
        },
        "content": row.text,
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.edited_at or row.created_at),
        "isEdited": row.edited_at is not None,
        "comments": [],
        "commentCount": 0,
        "canEdit": view.may_edit,
        "canDelete": view.may_delete,
        "canReport": view.may_report,
        "isDeleted": False,
        "isReported": bool(row.moderation),
    }


def comment_page(page: CommentPage, start: int, limit: int) -> dict[str, Any]:
    # The profile a new comment is written as (none when the viewer may not comment).
    commentable = []
    if page.author_id is not None:
        commentable.append({"id": page.author_id, "institutionProfileId": page.author_id})
    return {
        "startIndex": start,
        "limit": limit,
        "totalResultCount": page.total,
        "comments": [comment(c) for c in page.comments],
        "commentableInstitutionProfiles": commentable,
    }
