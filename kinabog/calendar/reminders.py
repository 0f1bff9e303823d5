"""Påmindelser: reminders of events a chosen time before each occurrence starts.

`send_due_reminders` is run every five minutes (celery beat, or cron through the management command
`send_calendar_reminders`). An occurrence is due once its start minus the event's reminder time has passed
and its start has not; one that started while nothing ran is not reminded late. The reminder is recorded
(ReminderSent, unique per event and occurrence) in the transaction that writes the notifications, so two
runs at once or one run twice remind nobody twice. Samtaler are left out: families get their own time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput
from kinabog.institutions.access import Viewer

from . import notify, queries, recurrence
from .models import Event, EventType, ReminderSent, Repeat

# The longest reminder the event form offers is two days; a longer one set otherwise is read this far ahead.
MAX_REMINDER = timedelta(days=7)


def due_occurrences(now: datetime) -> list[tuple[Event, datetime]]:
    """(event, occurrence start) of every occurrence whose reminder is due at `now` and not yet sent."""
    horizon = now + MAX_REMINDER
    # A single event starts within the horizon; a series has started by then and not yet ended.
    single = Q(repeat=Repeat.NEVER, starts_at__gt=now, starts_at__lte=horizon)
    series = ~Q(repeat=Repeat.NEVER) & Q(
        starts_at__lte=horizon, repeat_until__gte=timezone.localtime(now).date() - timedelta(days=1)
    )
    events = list(
        Event.objects.filter(reminder_minutes__isnull=False, reminder_minutes__gt=0)
        .exclude(type=EventType.SCHOOL_HOME_MEETING)
        .filter(single | series)
        .select_related("institution__municipality", "creator__person")
        .prefetch_related("exceptions")
    )
    due: list[tuple[Event, datetime]] = []
    for event in events:
        ahead = timedelta(minutes=event.reminder_minutes or 0)
        for occurrence in recurrence.occurrences(event, now, now + ahead, event.exceptions.all()):
            if now < occurrence.starts_at <= now + ahead:
                due.append((event, occurrence.starts_at))
    if not due:
        return []
    sent = set(
        ReminderSent.objects.filter(
            event_id__in={event.id for event, _starts_at in due}, occurrence_starts_at__gt=now
        ).values_list("event_id", "occurrence_starts_at")
    )
    return [(event, starts_at) for event, starts_at in due if (event.id, starts_at) not in sent]


def send_due_reminders(now: datetime | None = None) -> int:
    """Remind the invitees of every due occurrence. Returns the notifications written."""
    now = now or timezone.now()
    written = 0
    for event, starts_at in due_occurrences(now):
        try:
            with transaction.atomic():
                ReminderSent.objects.create(event=event, occurrence_starts_at=starts_at, sent_at=now)
                written += notify.reminder(event, starts_at)
        except IntegrityError:  # another run has just sent it
            continue
    return written


# --- Staff: remind those who have not answered --------------------------------------------------------------


def is_over(event: Event, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if event.repeat == Repeat.NEVER or event.repeat_until is None:
        return event.ends_at < now
    return event.repeat_until < timezone.localtime(now).date()


@transaction.atomic
def remind_unanswered(viewer: Viewer, event_id: int) -> int:
    """Remind the invitees who have not answered (guardians for children), as staff managing the event.

    Each is reminded at most once a day, however often the button is pressed. Returns the notifications
    written now; 0 when everyone has answered or was reminded today.
    """
    event = queries.get_managed_event(viewer, event_id)
    if is_over(event):
        raise InvalidInput(_("The event is over, so nobody is reminded."))
    written = notify.unanswered_reminder(event)
    audit.record(actor_id=viewer.user_id, action="remind_event", obj=event, assurance_level=viewer.assurance_level)
    return written
