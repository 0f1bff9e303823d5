"""Files and pictures of events: checked by kinabog.core.files, stored in default storage, written with the event.

An event with one unacceptable file is not saved at all: every file is checked before anything is written,
and files already stored are removed again when the event's transaction fails. Pictures are stored
re-encoded (no EXIF/GPS). Who may read a file is who may see its event (queries.open_attachment).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from kinabog.core.errors import InvalidInput
from kinabog.core.files import FIELD, MAX_FILES, PreparedFile, delete_stored, prepare, storage_name
from kinabog.institutions.access import Viewer

from . import actions
from .models import Event, EventAttachment

REMOVE_FIELD = "remove_attachments"


def _store(event: Event, prepared: Sequence[PreparedFile], start: int) -> list[str]:
    """Write checked files for an event inside its transaction; the stored names are returned."""
    rows: list[EventAttachment] = []
    stored: list[str] = []
    try:
        for position, item in enumerate(prepared, start=start):
            row = EventAttachment(
                event=event, name=item.name, content_type=item.content_type, size=len(item.data), position=position
            )
            row.file.save(storage_name(item.content_type), ContentFile(item.data), save=False)
            stored.append(row.file.name)
            rows.append(row)
        EventAttachment.objects.bulk_create(rows)
    except BaseException:
        delete_stored(stored)
        raise
    return stored


@contextmanager
def _files_removed_on_failure() -> Iterator[list[str]]:
    """A transaction for a write that stores files: the names it adds to the list are removed if it fails."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            yield stored
    except BaseException:
        delete_stored(stored)
        raise


def create_event_with_files(viewer: Viewer, data: actions.EventInput, files: Sequence[UploadedFile] = ()) -> Event:
    """actions.create_event with files: the event and all its files are written, or nothing."""
    prepared = prepare(files)
    with _files_removed_on_failure() as stored:
        event = actions.create_event(viewer, data)
        stored += _store(event, prepared, start=1)
    return event


def update_event_with_files(
    viewer: Viewer,
    event_id: int,
    data: actions.EventInput,
    *,
    files: Sequence[UploadedFile] = (),
    remove_ids: Collection[int] = (),
) -> Event:
    """actions.update_event; the event's files in `remove_ids` are removed and new ones added (at most
    MAX_FILES in all), or nothing changes."""
    prepared = prepare(files)
    with _files_removed_on_failure() as stored:
        event = actions.update_event(viewer, event_id, data)
        current = {pk: (name, position) for pk, name, position in _files_of(event)}
        remove = set(remove_ids)
        if not remove <= set(current):
            raise InvalidInput(_("One of the files does not belong to the event."), field=REMOVE_FIELD)
        if len(current) - len(remove) + len(prepared) > MAX_FILES:
            raise InvalidInput(_("You can attach at most %(count)s files.") % {"count": MAX_FILES}, FIELD)
        if remove:
            removed = [current[pk][0] for pk in remove]
            EventAttachment.objects.filter(event=event, id__in=list(remove)).delete()
            transaction.on_commit(lambda: delete_stored(removed))
        start = max((position for _name, position in current.values()), default=0) + 1
        stored += _store(event, prepared, start=start)
    return event


def _files_of(event: Event) -> list[tuple[int, str, int]]:
    return list(EventAttachment.objects.filter(event=event).values_list("id", "file", "position"))
