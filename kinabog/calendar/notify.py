"""Kalender notifications through the notification foundation: set-based, after commit, safe to run twice.

Who hears about an event: the people it is for (members of its groups and those invited by name) who can
log in, and the guardians acting for each child among them (custody or daily care) — once per child, with
the child's first name. Each fan-out is one INSERT … SELECT with ON CONFLICT DO NOTHING on the person and a
key naming the event and what happened, so a retried task writes nothing twice. A notification's title is
the event's title and time (and the child's first name): never its description, place or anyone's answer,
as e-mails carry the title. E-mail follows each person's setting for the calendar (instant, daily digest,
only in Kinabog); the daily digest is the foundation's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kinabog.core.sql import marks
from kinabog.institutions.models import InstitutionProfile, Membership, Person, ProfileRole, Relation, RelationKind
from kinabog.notifications import actions as notification_actions
from kinabog.notifications.models import Area, Notification

from . import recurrence
from .models import Event, EventException, EventType, Invitation, Repeat, Response, TimeSlot

CHILD_ROLES = (ProfileRole.CHILD.value, ProfileRole.PUPIL.value)
INVITED_RESPONSE_REQUIRED = "InvitedToEventResponseRequired"
INVITED_NO_RESPONSE_REQUIRED = "InvitedToEventNoResponseRequired"
INVITED_TO_REPEATING = "InvitedToRepeatingEvent"
INVITED_TO_CONFERENCE = "InvitedToSchoolHomeMeeting"
BOOKED = "SomeoneElseRespondedToEvent"
BOOKING_CANCELLED = "SomeoneElseRemovedYourResponseToEvent"
REMINDER = "EventReminder"
CHANGED_RESPONSE_REQUIRED = "EventChangedResponseRequired"
CHANGED_NO_RESPONSE_REQUIRED = "EventChangedNoResponseRequired"
CANCELLED = "EventCancelledNoReason"
OCCURRENCE_CANCELLED = "SingleOccurrenceEventCancelledNoReason"
TITLE_MAX = 255


def key(event_id: int, what: str, *parts: object) -> str:
    """The dedupe key of one fan-out; guardians' rows add `:<child person id>`."""
    return ":".join(["calendar", str(event_id), what, *(str(p) for p in parts)])


def when(moment: datetime, *, all_day: bool = False) -> str:
    """A local time in figures, the same in every language: 12.06.2025 14:00."""
    local = timezone.localtime(moment)
    return local.strftime("%d.%m.%Y") if all_day else local.strftime("%d.%m.%Y %H:%M")


def _url(name: str, *args: int) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # the pages are not mounted (an API-only deployment)
        return ""


def _event_url(event: Event) -> str:
    if event.type == EventType.SCHOOL_HOME_MEETING:
        return _url("calendar:book", event.id)
    return _url("calendar:event", event.id)


def _public_name(person: Person | None) -> str:
    if person is None:
        return ""
    return person.alias if person.is_protected else person.full_name


def _child_name(person: Person) -> str:
    # The first name, as the child's own guardians and the staff know the child; protected: the alias.
    return person.alias if person.is_protected else person.first_name


def _extends(event: Event) -> bool:
    return bool(event.institution.municipality.non_custody_extended_access)


def _load(event_id: int) -> Event | None:
    return Event.objects.select_related("institution__municipality", "creator__person").filter(pk=event_id).first()


def send_emails(dedupe_key: str, *, prefix: bool = True) -> None:
    """Instant e-mail to those who asked for it, after commit."""
    transaction.on_commit(lambda: notification_actions.send_instant_emails(dedupe_key, prefix=prefix))


# --- Who: the people an event is for, and the guardians of the children among them ------------------------


def _scope_members_and_invited(event_id: int, *, without_declined: bool = False) -> tuple[str, list[Any]]:
    """Profile ids: members of the event's groups and its invitees (without those who said no)."""
    groups = Event.groups.through._meta.db_table
    membership = Membership._meta.db_table
    invitation = Invitation._meta.db_table
    sql = (
        f"SELECT m.profile_id FROM {membership} m JOIN {groups} eg ON eg.group_id = m.group_id "  # noqa: S608
        f"WHERE eg.event_id = %s UNION SELECT i.profile_id FROM {invitation} i WHERE i.event_id = %s"
    )
    params: list[Any] = [event_id, event_id]
    if without_declined:
        sql = (
            f"SELECT s.profile_id FROM ({sql}) AS s WHERE s.profile_id NOT IN "  # noqa: S608
            f"(SELECT d.profile_id FROM {invitation} d WHERE d.event_id = %s AND d.response = %s)"
        )
        params += [event_id, Response.DECLINED.value]
    return sql, params


def _scope_waiting(event_id: int) -> tuple[str, list[Any]]:
    """Profile ids of the invitees who have not answered."""
    invitation = Invitation._meta.db_table
    return (
        f"SELECT i.profile_id FROM {invitation} i WHERE i.event_id = %s AND i.response = %s",  # noqa: S608
        [event_id, Response.WAITING.value],
    )


def _recipients(scope: tuple[str, list[Any]], *, direct: bool, guardians: bool, extends: bool) -> tuple[str, list[Any]]:
    """(person_id, profile_id, child_id, child_name) rows: the scope's people who log in (child_id 0) and
    the guardians acting for its children (one row per child). People without a login read nothing."""
    scope_sql, scope_params = scope
    profile = InstitutionProfile._meta.db_table
    person = Person._meta.db_table
    relation = Relation._meta.db_table
    selects: list[str] = []
    params: list[Any] = []
    if direct:
        selects.append(
            f"SELECT x.person_id, x.id AS profile_id, 0 AS child_id, '' AS child_name FROM {profile} x "  # noqa: S608
            f"JOIN {person} p ON p.id = x.person_id "
            f"WHERE x.id IN ({scope_sql}) AND x.is_active = %s AND p.login_id IS NOT NULL"
        )
        params += [*scope_params, True]
    if guardians:
        acting = "" if extends else "AND (r.has_custody = %s OR r.extended_access = %s OR r.kind <> %s) "
        selects.append(
            f"SELECT g.person_id, g.id AS profile_id, c.id AS child_id, "  # noqa: S608
            f"CASE WHEN c.is_protected = %s THEN c.alias ELSE c.first_name END AS child_name FROM {profile} x "
            f"JOIN {person} c ON c.id = x.person_id "
            f"JOIN {relation} r ON r.child_id = x.person_id "
            f"JOIN {profile} g ON g.person_id = r.guardian_id AND g.institution_id = x.institution_id "
            f"JOIN {person} gp ON gp.id = g.person_id "
            f"WHERE x.id IN ({scope_sql}) AND x.is_active = %s AND x.role IN ({marks(CHILD_ROLES)}) "
            f"AND g.role = %s AND g.is_active = %s AND gp.login_id IS NOT NULL {acting}"
        )
        params += [True, *scope_params, True, *CHILD_ROLES, ProfileRole.GUARDIAN.value, True]
        if not extends:
            params += [True, True, RelationKind.PARENT.value]
    return " UNION ALL ".join(selects), params


def _fan_out(
    event: Event,
    *,
    scope: tuple[str, list[Any]],
    event_type: str,
    dedupe_key: str,
    time_text: str,
    url: str,
    direct: bool = True,
    guardians: bool = True,
    skip_person_id: int | None = None,
    told_key: str | None = None,
) -> int:
    """One INSERT … SELECT: a notification per person, and per child for guardians. Returns rows written.

    With `told_key`, only those who already have the notification of that key (per child for guardians).
    """
    select_sql, select_params = _recipients(scope, direct=direct, guardians=guardians, extends=_extends(event))
    table = Notification._meta.db_table
    creator = event.creator.person if event.creator else None
    told_sql, told_params = "", []
    if told_key is not None:
        told_sql = (
            f"AND EXISTS (SELECT 1 FROM {table} t WHERE t.person_id = q.person_id AND t.dedupe_key = "  # noqa: S608
            f"CASE WHEN q.child_id = 0 THEN %s ELSE %s || CAST(q.child_id AS VARCHAR(20)) END) "
        )
        told_params = [told_key, f"{told_key}:"]
    sql = (
        f"INSERT INTO {table} (person_id, profile_id, area, event_type, thread_id, title, sender_name, url, "  # noqa: S608
        f"created_at, dedupe_key) "
        f"SELECT q.person_id, MIN(q.profile_id), %s, %s, NULL, "
        f"SUBSTR(CASE WHEN q.child_id = 0 THEN %s ELSE %s || ' (' || MIN(q.child_name) || ') · ' || %s END, 1, %s), "
        f"%s, %s, %s, CASE WHEN q.child_id = 0 THEN %s ELSE %s || CAST(q.child_id AS VARCHAR(20)) END "
        f"FROM ({select_sql}) AS q WHERE q.person_id <> %s {told_sql}GROUP BY q.person_id, q.child_id "
        f"ON CONFLICT (person_id, dedupe_key) DO NOTHING"
    )
    params: list[Any] = [
        Area.CALENDAR.value,
        event_type,
        f"{event.title} · {time_text}",
        event.title,
        time_text,
        TITLE_MAX,
        (_public_name(creator) or event.institution.name)[:200],
        url,
        timezone.now(),
        dedupe_key,
        f"{dedupe_key}:",
        *select_params,
        skip_person_id if skip_person_id is not None else -1,
        *told_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = max(cursor.rowcount, 0)
    send_emails(dedupe_key)
    return written


# --- Invited: a new event, a new samtale ------------------------------------------------------------------


def invited(event_id: int) -> int:
    """Tell the people a new event is for (and the guardians of its children); a samtale tells only the
    guardians of its children that they may book. Safe to run twice and after more invitees are added."""
    event = _load(event_id)
    if event is None:
        return 0
    creator_id = event.creator.person_id if event.creator else None
    if event.type == EventType.SCHOOL_HOME_MEETING:
        return _fan_out(
            event,
            scope=_scope_members_and_invited(event.id),
            event_type=INVITED_TO_CONFERENCE,
            dedupe_key=key(event.id, "invited"),
            time_text=when(event.starts_at, all_day=True),
            url=_event_url(event),
            direct=False,
            skip_person_id=creator_id,
        )
    if event.repeat != Repeat.NEVER:
        event_type = INVITED_TO_REPEATING
    elif event.response_required:
        event_type = INVITED_RESPONSE_REQUIRED
    else:
        event_type = INVITED_NO_RESPONSE_REQUIRED
    return _fan_out(
        event,
        scope=_scope_members_and_invited(event.id),
        event_type=event_type,
        dedupe_key=key(event.id, "invited"),
        time_text=when(event.starts_at, all_day=event.all_day),
        url=_event_url(event),
        skip_person_id=creator_id,
    )


# --- Changed, cancelled -------------------------------------------------------------------------------------


def changed(event_id: int, stamp: int) -> int:
    """Tell those who were told of the event that it changed; those it now reaches for the first time get an
    invitation instead (`invited`, run after this). `stamp` tells one change from the next."""
    event = _load(event_id)
    if event is None:
        return 0
    written = _fan_out(
        event,
        scope=_scope_members_and_invited(event.id),
        event_type=CHANGED_RESPONSE_REQUIRED if event.response_required else CHANGED_NO_RESPONSE_REQUIRED,
        dedupe_key=key(event.id, "changed", stamp),
        time_text=when(event.starts_at, all_day=event.all_day),
        url=_event_url(event),
        direct=event.type != EventType.SCHOOL_HOME_MEETING,
        skip_person_id=event.creator.person_id if event.creator else None,
        told_key=key(event.id, "invited"),
    )
    return written + invited(event_id)


def cancelled(event: Event, actor_id: int | None) -> int:
    """Tell everyone the event was for that it is cancelled. Run inside the transaction that deletes it,
    before the delete: afterwards nobody is left to ask about."""
    event = _load(event.id) or event
    return _fan_out(
        event,
        scope=_scope_members_and_invited(event.id),
        event_type=CANCELLED,
        dedupe_key=key(event.id, "cancelled"),
        time_text=when(event.starts_at, all_day=event.all_day),
        url=_week_url(event.starts_at),
        direct=event.type != EventType.SCHOOL_HOME_MEETING,
        skip_person_id=actor_id,
    )


def occurrence_changed(event_id: int, day: str, actor_id: int | None, stamp: int) -> int:
    """One time of a series was cancelled or moved (`day`: its ISO date): tell everyone the series is for."""
    event = _load(event_id)
    if event is None:
        return 0
    occurrence_date = date.fromisoformat(day)
    exception = EventException.objects.filter(event=event, occurrence_date=occurrence_date).first()
    occurrence = recurrence.occurrence_on(event, occurrence_date, [exception] if exception else [])
    if occurrence is None:  # cancelled: the time it would have had
        starts_at = datetime.combine(
            occurrence_date, timezone.localtime(event.starts_at).time(), timezone.get_current_timezone()
        )
        event_type, what, url = OCCURRENCE_CANCELLED, "cancelled", _week_url(starts_at)
    else:
        starts_at = occurrence.starts_at
        event_type, what, url = CHANGED_NO_RESPONSE_REQUIRED, "moved", _event_url(event)
    return _fan_out(
        event,
        scope=_scope_members_and_invited(event.id),
        event_type=event_type,
        dedupe_key=key(event.id, what, day, stamp),
        time_text=when(starts_at, all_day=event.all_day),
        url=url,
        skip_person_id=actor_id,
    )


def _week_url(moment: datetime) -> str:
    url = _url("calendar:week")
    return f"{url}?uge={timezone.localtime(moment).date().isoformat()}" if url else ""


# --- Reminders ----------------------------------------------------------------------------------------


def reminder(event: Event, occurrence_starts_at: datetime) -> int:
    """Remind everyone an occurrence is for (not those who said no) and the guardians acting for its
    children. Called inside the transaction that records the reminder as sent."""
    return _fan_out(
        event,
        scope=_scope_members_and_invited(event.id, without_declined=True),
        event_type=REMINDER,
        dedupe_key=key(event.id, "remind", int(occurrence_starts_at.timestamp())),
        time_text=when(occurrence_starts_at, all_day=event.all_day),
        url=_event_url(event),
    )


def unanswered_reminder(event: Event) -> int:
    """Remind the invitees who have not answered (guardians for children); at most once a day each."""
    return _fan_out(
        event,
        scope=_scope_waiting(event.id),
        event_type=INVITED_RESPONSE_REQUIRED,
        dedupe_key=key(event.id, "unanswered", timezone.localdate().isoformat()),
        time_text=when(event.starts_at, all_day=event.all_day),
        url=_event_url(event),
    )


# --- Bookings of samtaler ---------------------------------------------------------------------------------


def booking_changed(
    event_id: int,
    slot_id: int,
    child_id: int,
    actor_id: int | None,
    booking_id: int,
    *,
    by_staff: bool,
    cancelled: bool,
) -> int:
    """A booking was made, moved or cancelled. Staff acting for a family: the guardians acting for the child
    hear of it (both parents); a family acting: the samtale's creator does. Safe to run twice."""
    event = _load(event_id)
    slot = TimeSlot.objects.filter(pk=slot_id, event_id=event_id).first()
    child = Person.objects.filter(pk=child_id).first()
    if event is None or slot is None or child is None:
        return 0
    dedupe_key = key(event.id, "booking-cancelled" if cancelled else "booked", booking_id)
    event_type = BOOKING_CANCELLED if cancelled else BOOKED
    time_text = when(slot.starts_at)
    now = timezone.now()
    rows: list[Notification] = []
    if by_staff:
        title = f"{event.title} ({_child_name(child)}) · {time_text}"
        for person_id, profile_id in _guardians_acting_for(event, child_id):
            if person_id != actor_id:
                rows.append(_row(person_id, profile_id, event_type, title, event, _event_url(event), now, dedupe_key))
    elif event.creator is not None and event.creator.person_id != actor_id and event.creator.is_active:
        title = f"{event.title}: {_public_name(child)} · {time_text}"
        url = _url("calendar:slots", event.id)
        rows.append(_row(event.creator.person_id, event.creator.id, event_type, title, event, url, now, dedupe_key))
    written = Notification.objects.bulk_create(rows, ignore_conflicts=True)
    send_emails(dedupe_key, prefix=False)
    return len(written)


def _guardians_acting_for(event: Event, child_id: int) -> list[tuple[int, int]]:
    """(person id, guardian profile id at the event's institution) of the guardians acting for the child."""
    relations = Relation.objects.filter(child_id=child_id, guardian__login__isnull=False)
    if not _extends(event):
        relations = relations.exclude(kind=RelationKind.PARENT, has_custody=False, extended_access=False)
    return list(
        InstitutionProfile.objects.filter(
            person_id__in=relations.values("guardian_id"),
            institution_id=event.institution_id,
            role=ProfileRole.GUARDIAN,
            is_active=True,
        ).values_list("person_id", "id")
    )


def _row(
    person_id: int,
    profile_id: int | None,
    event_type: str,
    title: str,
    event: Event,
    url: str,
    now: datetime,
    dedupe_key: str,
) -> Notification:
    creator = event.creator.person if event.creator else None
    return Notification(
        person_id=person_id,
        profile_id=profile_id,
        area=Area.CALENDAR,
        event_type=event_type,
        title=title[:TITLE_MAX],
        sender_name=(_public_name(creator) or event.institution.name)[:200],
        url=url,
        created_at=now,
        dedupe_key=dedupe_key,
    )


# Notifications run by name in a task (see tasks.schedule_notification).
HANDLERS: dict[str, Callable[..., int]] = {
    "invited": invited,
    "changed": changed,
    "occurrence_changed": occurrence_changed,
    "booking_changed": booking_changed,
}
