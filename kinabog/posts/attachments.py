"""Files and pictures of posts: checked by kinabog.core.files, stored in default storage, written with the post.

A post with one unacceptable file is not shared at all: every file is checked before anything is
written. Pictures are stored re-encoded (no EXIF/GPS) with a small copy for the feed. Who may read a
file is who may see its post (queries.open_attachment).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kinabog.core.errors import InvalidInput
from kinabog.core.files import FIELD, MAX_FILES, PreparedFile, delete_stored, prepare, storage_name, thumbnail
from kinabog.institutions.access import Viewer

from . import actions
from .models import Post, PostAttachment


def store(post: Post, prepared: Sequence[PreparedFile]) -> list[PostAttachment]:
    """Write checked files for a post. Call inside the transaction that wrote the post."""
    if not prepared:
        return []
    start = (PostAttachment.objects.filter(post=post).aggregate(n=Max("position"))["n"] or 0) + 1
    rows = []
    stored: list[str] = []
    try:
        for position, item in enumerate(prepared, start=start):
            row = PostAttachment(
                post=post, name=item.name, content_type=item.content_type, size=len(item.data), position=position
            )
            row.file.save(storage_name(item.content_type), ContentFile(item.data), save=False)
            stored.append(row.file.name)
            small = thumbnail(item)
            if small is not None:
                row.thumbnail.save(storage_name(item.content_type), ContentFile(small), save=False)
                stored.append(row.thumbnail.name)
            rows.append(row)
        created = PostAttachment.objects.bulk_create(rows)
    except Exception:
        delete_stored(stored)
        raise
    return created


def create_post_with_files(viewer: Viewer, *, files: Sequence[UploadedFile] = (), **fields: Any) -> Post:
    """actions.create_post with files: the post and all its files are written, or nothing."""
    prepared = prepare(files)
    with transaction.atomic():
        post = actions.create_post(viewer, **fields)
        store(post, prepared)
    return post


def update_post_with_files(
    viewer: Viewer,
    post_id: int,
    *,
    keep_attachment_ids: Collection[int] | None = None,
    files: Sequence[UploadedFile] = (),
    **fields: Any,
) -> Post:
    """actions.update_post; files not in `keep_attachment_ids` (None keeps all) are removed, new ones added."""
    prepared = prepare(files)
    with transaction.atomic():
        post = actions.update_post(viewer, post_id, **fields)
        current = PostAttachment.objects.filter(post=post)
        if keep_attachment_ids is not None:
            keep = set(keep_attachment_ids)
            if not keep <= set(current.values_list("id", flat=True)):
                raise InvalidInput(_("One of the files does not belong to the post."), field=FIELD)
            removed = current.exclude(id__in=keep)
            names = [n for pair in removed.values_list("file", "thumbnail") for n in pair if n]
            removed.delete()
            transaction.on_commit(lambda: delete_stored(names))
        if current.count() + len(prepared) > MAX_FILES:
            raise InvalidInput(_("You can attach at most %(count)s files.") % {"count": MAX_FILES}, FIELD)
        store(post, prepared)
    return post
