"""Posts in Aula's shapes (field names as the community clients read them; see serializers.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from kinabog.posts.queries import PostView

from .messaging_serializers import iso
from .serializers import institution_role, short_name


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


def post(view: PostView) -> dict[str, Any]:
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
        "attachments": [],
        "canCurrentUserDelete": view.may_delete,
        "canCurrentUserComment": view.may_comment,
        "canCurrentUserReport": view.may_report,
    }
