"""Writes of one time of a repeating event: cancel it, move it, or give it back its series time
(Aula: an exception event). Check access → write → audit, in a transaction.

A moved time stays within the series' span (its first start to its last date): reads of a window find a
series by that span, so a time moved outside it would be missed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput, NotFound
from kinabog.institutions.access import Viewer

from . import queries, recurrence, resource_actions, tasks
from .models import Event, EventException, Repeat


def _check_date(event: Event, day: date) -> None:
    if not recurrence.is_series_date(event, day):
        raise InvalidInput(_("The series has no time on that date."), field="occurrence_date")


@transaction.atomic
def cancel_occurrence(viewer: Viewer, event_id: int, day: date) -> EventException:
    """Cancel the series' time of one date ("Aflys denne gang")."""
    event, _exceptions = queries.get_managed_series(viewer, event_id)
    _check_date(event, day)
    exception, _created = EventException.objects.update_or_create(
        event=event, occurrence_date=day, defaults={"cancelled": True, "starts_at": None, "ends_at": None}
    )
    audit.record(
        actor_id=viewer.user_id, action="cancel_occurrence", obj=exception, assurance_level=viewer.assurance_level
    )
    _tell_invitees(viewer, event, day)
    return exception


@transaction.atomic
def move_occurrence(viewer: Viewer, event_id: int, day: date, starts_at: datetime, ends_at: datetime) -> EventException:
    """Move the series' time of one date ("Flyt denne gang"); an all-day event moves to whole days."""
    event, _exceptions = queries.get_managed_series(viewer, event_id)
    _check_date(event, day)
    if event.all_day:
        starts_at, ends_at = queries.window(timezone.localtime(starts_at).date(), timezone.localtime(ends_at).date())
        ends_at -= timedelta(seconds=1)
    if ends_at < starts_at:
        raise InvalidInput(_("The event cannot end before it starts."), field="ends_at")
    if recurrence.wall_length(starts_at, ends_at) > recurrence.MAX_OCCURRENCE_LENGTH:
        raise InvalidInput(_("Each time of a repeating event can last at most one day."), field="ends_at")
    if not recurrence.within_span(event, starts_at, ends_at):
        assert event.repeat_until is not None
        raise InvalidInput(
            _("Choose a time between the first time of the series, %(first)s, and its last date, %(last)s.")
            % {
                "first": date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT"),
                "last": date_format(event.repeat_until),
            },
            field="starts_at",
        )
    exception, _created = EventException.objects.update_or_create(
        event=event, occurrence_date=day, defaults={"cancelled": False, "starts_at": starts_at, "ends_at": ends_at}
    )
    resource_actions.check_changed_time(viewer, event)  # its rooms and equipment must be free at the new time
    audit.record(
        actor_id=viewer.user_id, action="move_occurrence", obj=exception, assurance_level=viewer.assurance_level
    )
    _tell_invitees(viewer, event, day)
    return exception


@transaction.atomic
def restore_occurrence(viewer: Viewer, event_id: int, day: date) -> None:
    """Undo a cancellation or a move: the date has its series time again."""
    event, exceptions = queries.get_managed_series(viewer, event_id)
    exception = next((e for e in exceptions if e.occurrence_date == day), None)
    if exception is None:
        raise NotFound
    audit.record(
        actor_id=viewer.user_id, action="restore_occurrence", obj=exception, assurance_level=viewer.assurance_level
    )
    exception.delete()
    resource_actions.check_changed_time(viewer, event)  # its rooms and equipment must be free at that time
    _tell_invitees(viewer, event, day)


def _tell_invitees(viewer: Viewer, event: Event, day: date) -> None:
    """After commit: those the series is for hear that one of its times is cancelled or moved."""
    stamp = int(timezone.now().timestamp() * 1000)
    args = (event.id, day.isoformat(), viewer.person_id, stamp)
    transaction.on_commit(lambda: tasks.schedule_notification("occurrence_changed", *args))


def drop_stale_exceptions(event: Event) -> int:
    """After a series changed: drop the exceptions of dates it no longer has, and moved times now outside
    its span. Called inside the changing action's transaction."""
    rows = list(EventException.objects.filter(event=event))
    if not rows:
        return 0
    if event.repeat == Repeat.NEVER:
        stale = rows
    else:
        dates = set(recurrence.series_dates(event))
        stale = [
            e
            for e in rows
            if e.occurrence_date not in dates
            or (
                e.starts_at is not None
                and e.ends_at is not None
                and not recurrence.within_span(event, e.starts_at, e.ends_at)
            )
        ]
    if stale:
        EventException.objects.filter(id__in=[e.id for e in stale]).delete()
    return len(stale)
