"""Writes of komme/gå: one short transaction each, a fixed number of queries, an event per change.

Two staff members checking in the same child at the same moment give one day and one event: the
day row is locked (or created under its unique constraint) before it is changed, and a change to the
state the day already has is no change.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput, NotFound
from kinabog.core.sql import loaded, table
from kinabog.institutions.access import Viewer

from . import access, feed, queries
from .models import (
    IN_CARE,
    ActivityType,
    KioskDevice,
    Location,
    OpeningHours,
    PickupPerson,
    PresenceDay,
    PresenceEvent,
    PresenceSettings,
    PresenceTemplate,
    SleepInterval,
    SpecialDay,
    Status,
    VacationRegistration,
)

PAIRING_MINUTES = 15


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a signed-in person, or a paired kiosk screen."""

    person_id: int | None
    device_id: int | None = None


def actor_of(viewer: Viewer) -> Actor:
    return Actor(person_id=viewer.person_id)


def _locked_day(child_id: int, day: date) -> PresenceDay:
    """The child's day row, created if missing, locked for the rest of the transaction."""
    existing = PresenceDay.objects.select_for_update().filter(child_id=child_id, date=day).first()
    if existing is not None:
        return existing
    # INSERT … ON CONFLICT DO NOTHING: if someone else is creating the row at this moment, the insert waits
    # for them and does nothing; either way the row exists afterwards, and the lock is taken on it.
    PresenceDay.objects.bulk_create([PresenceDay(child_id=child_id, date=day)], ignore_conflicts=True)
    return PresenceDay.objects.select_for_update().get(child_id=child_id, date=day)


def _event(day: PresenceDay, action: str, actor: Actor, detail: str = "") -> PresenceEvent:
    return PresenceEvent.objects.create(
        day=day,
        at=timezone.now(),
        action=action,
        status=day.status,
        actor_id=actor.person_id,
        device_id=actor.device_id,
        detail=detail[:250],
    )


def _check_open(hours: tuple[time, time] | bool | None, moment: datetime) -> None:
    """Refuse a check-in outside the day's opening hours (queries.opening_hours_on's answer)."""
    local = timezone.localtime(moment)
    if hours is True:
        return
    if hours is None or hours is False:
        raise InvalidInput(_("The institution is closed today."))
    opens, closes = hours
    if not (opens <= local.time() <= closes):
        raise InvalidInput(
            _("The institution is open from %(opens)s to %(closes)s.")
            % {"opens": opens.strftime("%H:%M"), "closes": closes.strftime("%H:%M")}
        )


def _staff_child(viewer: Viewer, child_id: int) -> queries.ChildContext:
    child = queries.get_child(viewer, child_id)
    if not access.can_register(viewer, child.facts):
        raise NotFound
    return child


def _registration_target(viewer: Viewer | None, child_id: int, day: date) -> queries.RegistrationTarget:
    """The child of a check-in or check-out; NotFound unless a signed-in viewer may register the child (a
    kiosk has been checked by kiosk_check)."""
    target = queries.registration_target(child_id, day)
    if target is None or (viewer is not None and not access.can_register(viewer, target.facts)):
        raise NotFound
    return target


# The day's row in one statement: created checked in, or changed to checked in unless the child is already in
# care or reported sick (then nothing is written, and RETURNING gives no row). Two taps at once: the second
# waits for the first one's row lock, sees the child in care and writes nothing.
_CHECK_IN = """
    INSERT INTO {day} (created_at, updated_at, child_id, date, status, check_in_at, checked_in_by_id,
                       check_out_at, checked_out_by_id, location_id, comment, vacation_note)
    VALUES (%s, %s, %s, %s, %s, %s, %s, NULL, NULL, NULL, '', '')
    ON CONFLICT (child_id, date) DO UPDATE SET
        updated_at = excluded.updated_at, status = excluded.status, check_in_at = excluded.check_in_at,
        checked_in_by_id = excluded.checked_in_by_id, check_out_at = NULL, checked_out_by_id = NULL
    WHERE {day}.status NOT IN ({unchanged})
    RETURNING id
"""
_CHECK_OUT = """
    UPDATE {day} SET updated_at = %s, status = %s, check_out_at = %s, checked_out_by_id = %s
    WHERE child_id = %s AND date = %s AND status IN ({in_care})
    RETURNING id
"""


EVENT_COLUMNS = "(day_id, at, action, status, actor_id, device_id, detail)"


@cache
def _day_statement(day_sql: str) -> str:
    """_CHECK_IN or _CHECK_OUT with the table's name and the statuses filled in, once per process."""
    return day_sql.format(
        day=table(PresenceDay),
        unchanged=", ".join(str(int(s)) for s in (*IN_CARE, Status.SICK)),
        in_care=", ".join(str(int(s)) for s in IN_CARE),
    )


@cache
def _change_day_statement(day_sql: str, close_sleep: bool) -> str:
    """The day, its event and (with `close_sleep`) the end of an open sleep in one statement (PostgreSQL),
    written once per process. Table and column names from the models; every value is a parameter."""
    end = connection.ops.quote_name("end")
    slept = (
        f", slept AS (UPDATE {table(SleepInterval)} SET {end} = %s "  # noqa: S608
        f"WHERE day_id IN (SELECT id FROM changed) AND {end} IS NULL)"
        if close_sleep
        else ""
    )
    return (
        f"WITH changed AS ({_day_statement(day_sql)}){slept} "  # noqa: S608
        f"INSERT INTO {table(PresenceEvent)} {EVENT_COLUMNS} "
        "SELECT id, %s, %s, %s, %s, %s, %s FROM changed RETURNING day_id, id"
    )


def _change_day(
    day_sql: str,
    day_params: list[Any],
    event: tuple[datetime, str, int, Actor, str],
    *,
    close_sleep: bool = False,
    publish: bool = False,
) -> int | None:
    """Write the day (`day_sql`, RETURNING its id when it changed) and, if it changed, its event (at, action,
    status, actor, detail), and with `close_sleep` end an open sleep: the day's id, or None when the day was
    left as it was. All or nothing. With `publish` (the institution has webhooks) the event goes to external
    staffing systems after commit; their delivery never holds up the check-in.

    On PostgreSQL this is one statement (data-modifying WITH): atomic by itself, so a check-in costs one round
    trip to the database instead of a transaction's four. SQLite writes the same in a transaction.
    """
    at, action, status, actor, detail = event
    stamp = connection.ops.adapt_datetimefield_value(at)
    event_values = [stamp, action, int(status), actor.person_id, actor.device_id, detail[:250]]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _change_day_statement(day_sql, close_sleep),
                [*day_params, *([stamp] if close_sleep else []), *event_values],
            )
            row = cursor.fetchone()
    else:
        row = _change_day_in_transaction(_day_statement(day_sql), day_params, stamp, event_values, close_sleep)
    if row is None:
        return None
    if publish:
        feed.publish_event_after_commit(row[1])
    return int(row[0])


def _change_day_in_transaction(
    sql: str, day_params: list[Any], stamp: Any, event_values: list[Any], close_sleep: bool
) -> tuple[int, int] | None:
    """_change_day where a statement cannot write to two tables (SQLite): the same in a transaction."""
    end = connection.ops.quote_name("end")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, day_params)
        changed = cursor.fetchone()
        if changed is None:
            return None
        if close_sleep:
            cursor.execute(
                f"UPDATE {table(SleepInterval)} SET {end} = %s WHERE day_id = %s AND {end} IS NULL",  # noqa: S608
                [stamp, changed[0]],
            )
        cursor.execute(
            f"INSERT INTO {table(PresenceEvent)} {EVENT_COLUMNS} "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING day_id, id",
            [changed[0], *event_values],
        )
        row = cursor.fetchone()
    return (row[0], row[1])


def _written_day(day_id: int, **values: Any) -> PresenceDay:
    """The day just written, from what was written; its other fields load if asked for."""
    return loaded(PresenceDay, {**values, "id": day_id})


def _registration(
    viewer: Viewer | None, child_id: int, actor: Actor | None
) -> tuple[datetime, date, queries.RegistrationTarget, Actor]:
    """The moment, the day, the child and who acts, for a check-in or check-out; NotFound where not allowed."""
    now = timezone.now()
    today = timezone.localdate(now)
    target = _registration_target(viewer, child_id, today)
    actor = actor_of(viewer) if viewer is not None else actor
    if actor is None:
        raise NotFound
    return now, today, target, actor


def check_in(viewer: Viewer | None, child_id: int, *, actor: Actor | None = None) -> PresenceDay:
    """Check a child in now. Checking in a child already in care changes nothing."""
    now, today, target, actor = _registration(viewer, child_id, actor)
    _check_open(target.hours, now)
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    day_params = [stamp, stamp, child_id, ops.adapt_datefield_value(today), int(Status.PRESENT), stamp, actor.person_id]
    event = (now, "check_in", Status.PRESENT, actor, "")
    day_id = _change_day(_CHECK_IN, day_params, event, publish=target.has_webhooks)
    if day_id is None:
        day = PresenceDay.objects.get(child_id=child_id, date=today)
        if day.status == Status.SICK:
            raise InvalidInput(_("The child is reported sick today. Change the status first."))
        return day  # already in care
    return _written_day(
        day_id,
        child_id=child_id,
        date=today,
        status=Status.PRESENT,
        check_in_at=now,
        checked_in_by_id=actor.person_id,
        check_out_at=None,
        checked_out_by_id=None,
    )


def check_out(
    viewer: Viewer | None, child_id: int, *, actor: Actor | None = None, picked_up_by: str = ""
) -> PresenceDay:
    """Check a child out. A child not checked in cannot be checked out."""
    now, today, target, actor = _registration(viewer, child_id, actor)
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    day_params = [stamp, int(Status.CHECKED_OUT), stamp, actor.person_id, child_id, ops.adapt_datefield_value(today)]
    event = (now, "check_out", Status.CHECKED_OUT, actor, picked_up_by)
    day_id = _change_day(_CHECK_OUT, day_params, event, close_sleep=True, publish=target.has_webhooks)
    if day_id is None:
        day = PresenceDay.objects.filter(child_id=child_id, date=today).first()
        if day is not None and day.status == Status.CHECKED_OUT:
            return day
        raise InvalidInput(_("The child has not been checked in today."))
    return _written_day(
        day_id,
        child_id=child_id,
        date=today,
        status=Status.CHECKED_OUT,
        check_out_at=now,
        checked_out_by_id=actor.person_id,
    )


@transaction.atomic
def set_status(viewer: Viewer, child_ids: list[int], status: int) -> int:
    """Staff change the status of one or several children (trip, sleeping, location …)."""
    if status not in Status.values:
        raise InvalidInput(_("Choose a valid status."))
    for child_id in child_ids:
        _staff_child(viewer, child_id)
    today = timezone.localdate()
    changed = 0
    for child_id in sorted(set(child_ids)):
        day = _locked_day(child_id, today)
        if day.status == status:
            continue
        if status in IN_CARE and day.check_in_at is None:
            day.check_in_at = timezone.now()
            day.checked_in_by_id = viewer.person_id
        day.status = status
        day.save(update_fields=["status", "check_in_at", "checked_in_by", "updated_at"])
        _event(day, "status", actor_of(viewer))
        changed += 1
    return changed


@transaction.atomic
def report_sick(viewer: Viewer, child_id: int, *, sick: bool = True) -> PresenceDay:
    """A guardian reports their child sick for today (or undoes it). Only today, never ahead."""
    child = queries.get_child(viewer, child_id)
    settings = queries.settings_for(child.profile.institution_id)
    if not access.guardian_may(viewer, child.facts, settings, "report_sick"):
        raise NotFound
    day = _locked_day(child_id, timezone.localdate())
    if sick:
        if day.status in IN_CARE or day.status == Status.CHECKED_OUT:
            raise InvalidInput(_("The child has already been checked in today. Call the institution."))
        if day.status == Status.SICK:
            return day
        day.status = Status.SICK
    else:
        if day.status != Status.SICK:
            return day
        day.status = Status.NOT_PRESENT
    day.save(update_fields=["status", "updated_at"])
    _event(day, "report_sick" if sick else "undo_sick", actor_of(viewer))
    return day


@transaction.atomic
def set_location(viewer: Viewer, child_ids: list[int], location_id: int | None) -> None:
    for child_id in child_ids:
        child = _staff_child(viewer, child_id)
        if (
            location_id is not None
            and not Location.objects.filter(pk=location_id, institution_id=child.profile.institution_id).exists()
        ):
            raise InvalidInput(_("Choose one of the institution's locations."))
    for child_id in sorted(set(child_ids)):
        day = _locked_day(child_id, timezone.localdate())
        if day.status not in IN_CARE:
            raise InvalidInput(_("Only children who are checked in can be given a location."))
        day.location_id = location_id
        day.save(update_fields=["location", "updated_at"])
        _event(day, "location", actor_of(viewer), str(location_id or ""))


@transaction.atomic
def start_sleep(viewer: Viewer, child_id: int) -> PresenceDay:
    _staff_child(viewer, child_id)
    day = _locked_day(child_id, timezone.localdate())
    if day.status not in IN_CARE:
        raise InvalidInput(_("Only children who are checked in can sleep here."))
    if day.sleep_intervals.filter(end__isnull=True).exists():
        return day
    SleepInterval.objects.create(day=day, start=timezone.now())
    day.status = Status.SLEEPING
    day.save(update_fields=["status", "updated_at"])
    _event(day, "sleep_start", actor_of(viewer))
    return day


@transaction.atomic
def end_sleep(viewer: Viewer, child_id: int) -> PresenceDay:
    _staff_child(viewer, child_id)
    day = _locked_day(child_id, timezone.localdate())
    if not SleepInterval.objects.filter(day=day, end__isnull=True).update(end=timezone.now()):
        return day
    day.status = Status.PRESENT
    day.save(update_fields=["status", "updated_at"])
    _event(day, "sleep_end", actor_of(viewer))
    return day


@transaction.atomic
def set_comment(viewer: Viewer, child_id: int, comment: str) -> PresenceDay:
    _staff_child(viewer, child_id)
    day = _locked_day(child_id, timezone.localdate())
    day.comment = comment.strip()[:250]
    day.save(update_fields=["comment", "updated_at"])
    _event(day, "comment", actor_of(viewer))
    return day


# --- Planned times and vacation -------------------------------------------------------------------------


@transaction.atomic
def save_template(
    viewer: Viewer,
    child_id: int,
    *,
    by_date: date,
    entry_time: time | None,
    exit_time: time | None,
    repeat: str = PresenceTemplate.Repeat.NEVER,
    repeat_until: date | None = None,
    activity_type: int = ActivityType.PICKED_UP_BY,
    exit_with: str = "",
    self_decider_start: time | None = None,
    self_decider_end: time | None = None,
    comment: str = "",
) -> PresenceTemplate:
    """Planned times for a day, or repeating weekly or every two weeks until a date."""
    child = queries.get_child(viewer, child_id)
    settings = queries.settings_for(child.profile.institution_id)
    if not (
        access.guardian_may(viewer, child.facts, settings, "planned_times") or access.can_register(viewer, child.facts)
    ):
        raise NotFound
    if repeat not in PresenceTemplate.Repeat.values:
        raise InvalidInput(_("Choose how often the times repeat."), field="repeat")
    if activity_type not in ActivityType.values:
        raise InvalidInput(_("Choose how the child goes home."), field="activity_type")
    if by_date < timezone.localdate():
        raise InvalidInput(_("Planned times cannot be set for a day that has passed."), field="by_date")
    if repeat_until and repeat_until < by_date:
        raise InvalidInput(_("The last day must be on or after the first day."), field="repeat_until")
    if entry_time and exit_time and exit_time <= entry_time:
        raise InvalidInput(_("The child must go home after arriving."), field="exit_time")
    hours = queries.opening_hours_on(child.profile.institution_id, by_date)
    if hours is None and repeat == PresenceTemplate.Repeat.NEVER:
        raise InvalidInput(_("The institution is closed that day."), field="by_date")
    if isinstance(hours, tuple):
        opens, closes = hours
        if (entry_time and entry_time < opens) or (exit_time and exit_time > closes):
            raise InvalidInput(
                _("The institution is open from %(opens)s to %(closes)s.")
                % {"opens": opens.strftime("%H:%M"), "closes": closes.strftime("%H:%M")},
                field="entry_time",
            )
    if activity_type == ActivityType.SELF_DECIDER and not (self_decider_start and self_decider_end):
        raise InvalidInput(_("Give the time window in which the child may go home alone."), field="self_decider_start")
    return PresenceTemplate.objects.create(
        child_id=child_id,
        by_date=by_date,
        repeat=repeat,
        repeat_until=repeat_until,
        entry_time=entry_time,
        exit_time=exit_time,
        activity_type=activity_type,
        exit_with=exit_with.strip()[:160],
        self_decider_start=self_decider_start,
        self_decider_end=self_decider_end,
        comment=comment.strip()[:250],
        created_by_id=viewer.user_id,
    )


@transaction.atomic
def register_vacation(viewer: Viewer, child_id: int, start: date, end: date, comment: str = "") -> VacationRegistration:
    """Ferie/fri for a period. Overlapping an earlier registration is refused."""
    child = queries.get_child(viewer, child_id)
    settings = queries.settings_for(child.profile.institution_id)
    if not access.guardian_may(viewer, child.facts, settings, "vacation"):
        raise NotFound
    if end < start:
        raise InvalidInput(_("The last day must be on or after the first day."), field="end_date")
    if start < timezone.localdate():
        raise InvalidInput(_("Vacation cannot start in the past."), field="start_date")
    person_id = child.profile.person_id
    if (
        VacationRegistration.objects.select_for_update()
        .filter(child_id=person_id, start_date__lte=end, end_date__gte=start)
        .exists()
    ):
        raise InvalidInput(_("The child already has vacation registered in that period."), field="start_date")
    return VacationRegistration.objects.create(
        child_id=person_id,
        start_date=start,
        end_date=end,
        comment=comment.strip()[:250],
        registered_by_id=viewer.person_id,
    )


# --- Kiosk screens ----------------------------------------------------------------------------------------


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@transaction.atomic
def create_kiosk(viewer: Viewer, institution_id: int, name: str, group_ids: list[int]) -> tuple[KioskDevice, str]:
    """An administrator creates a screen and gets a one-time pairing code (valid 15 minutes)."""
    if not access.can_manage_kiosks(viewer, institution_id):
        raise NotFound
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the screen a name, e.g. 'Entré'."), field="name")
    code = f"{secrets.randbelow(10**8):08d}"
    device = KioskDevice.objects.create(
        institution_id=institution_id,
        name=name[:80],
        pairing_code_hash=_hash(code),
        pairing_expires_at=timezone.now() + timedelta(minutes=PAIRING_MINUTES),
        created_by_id=viewer.person_id,
    )
    valid_groups = queries.valid_group_ids(institution_id, group_ids)
    device.groups.set(valid_groups)
    return device, code


@transaction.atomic
def pair_kiosk(code: str) -> tuple[KioskDevice, str]:
    """The screen enters the code once; it receives a long secret kept in a cookie."""
    code = "".join(ch for ch in code if ch.isdigit())
    device = (
        KioskDevice.objects.select_for_update()
        .filter(pairing_code_hash=_hash(code), paired_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if not code or device is None or device.pairing_expires_at is None or device.pairing_expires_at < timezone.now():
        raise InvalidInput(_("The code is not valid. Ask an administrator for a new one."), field="code")
    token = secrets.token_urlsafe(32)
    device.token_hash = _hash(token)
    device.pairing_code_hash = ""
    device.paired_at = timezone.now()
    device.save(update_fields=["token_hash", "pairing_code_hash", "paired_at", "updated_at"])
    return device, token


def kiosk_device(token: str) -> KioskDevice | None:
    return queries.kiosk_device_by_token(_hash(token) if token else "")


def revoke_kiosk(viewer: Viewer, device_id: int) -> None:
    device = KioskDevice.objects.filter(pk=device_id).first()
    if device is None or not access.can_manage_kiosks(viewer, device.institution_id):
        raise NotFound
    KioskDevice.objects.filter(pk=device.pk).update(revoked_at=timezone.now(), token_hash="")


def kiosk_check(device: KioskDevice, child_id: int, *, check_in_child: bool, picked_up_by: str = "") -> PresenceDay:
    """Check in or out from a paired screen; every action is recorded with the device."""
    group_ids = frozenset(device.groups.values_list("id", flat=True))
    profile = queries.child_profiles().filter(pk=child_id).prefetch_related("memberships").first()
    if profile is None:
        raise NotFound
    facts = queries.facts_for(profile, [m.group_id for m in profile.memberships.all()])
    if not access.kiosk_may_handle(device, facts, group_ids):
        raise NotFound
    actor = Actor(person_id=None, device_id=device.id)
    if check_in_child:
        return check_in(None, child_id, actor=actor)
    return check_out(None, child_id, actor=actor, picked_up_by=picked_up_by)


# --- Pickup people --------------------------------------------------------------------------------------------

PICKUP_NAME_MAX = 120


@transaction.atomic
def add_pickup_person(viewer: Viewer, child_id: int, name: str) -> PickupPerson:
    """A guardian adds a name to the child's list of people who may pick up (e.g. "Mormor Inge")."""
    child = queries.guardian_child(viewer, child_id, "pickup")
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("Write the name of the person."), field="name")
    if len(name) > PICKUP_NAME_MAX:
        message = _("Write a name of at most %(count)d characters.") % {"count": PICKUP_NAME_MAX}
        raise InvalidInput(message, field="name")
    person_id = child.profile.person_id
    if PickupPerson.objects.filter(child_id=person_id, name__iexact=name).exists():
        raise InvalidInput(_("The name is already on the list."), field="name")
    return PickupPerson.objects.create(child_id=person_id, name=name, added_by_id=viewer.person_id)


@transaction.atomic
def remove_pickup_person(viewer: Viewer, child_id: int, pickup_person_id: int) -> None:
    child = queries.guardian_child(viewer, child_id, "pickup")
    deleted, _rows = PickupPerson.objects.filter(pk=pickup_person_id, child_id=child.profile.person_id).delete()
    if not deleted:
        raise NotFound


# --- Setup: opening hours, closed days, locations, guardians' modules --------------------------------------

SPECIAL_DAYS_MAX = 92  # one registration covers at most about three months


def _audit_setup(viewer: Viewer, action: str, institution_id: int) -> None:
    audit.record_event(
        actor_id=viewer.user_id,
        action=action,
        object_type="institutions.institution",
        object_id=str(institution_id),
        assurance_level=viewer.assurance_level,
    )


@transaction.atomic
def set_opening_hours(viewer: Viewer, institution_id: int, hours: dict[int, tuple[time, time]]) -> None:
    """General opening hours per weekday (0 = Monday); a weekday left out is closed."""
    institution = queries.configurable_institution(viewer, institution_id)
    for weekday, (opens, closes) in hours.items():
        if weekday not in range(7):
            raise InvalidInput(_("Choose a weekday."))
        if closes <= opens:
            raise InvalidInput(_("The closing time must be after the opening time."), field=f"closes_{weekday}")
    OpeningHours.objects.filter(institution_id=institution.id).exclude(weekday__in=list(hours)).delete()
    for weekday, (opens, closes) in sorted(hours.items()):
        OpeningHours.objects.update_or_create(
            institution_id=institution.id, weekday=weekday, defaults={"opens": opens, "closes": closes}
        )
    _audit_setup(viewer, "presence_opening_hours", institution.id)


@transaction.atomic
def save_special_days(
    viewer: Viewer,
    institution_id: int,
    *,
    start: date,
    end: date | None = None,
    name: str = "",
    closed: bool = True,
    opens: time | None = None,
    closes: time | None = None,
) -> int:
    """Closed days (lukkedage) or specific opening hours for a day or a period; replaces those dates."""
    institution = queries.configurable_institution(viewer, institution_id)
    end = end or start
    if start < timezone.localdate():
        raise InvalidInput(_("Choose today or a later day."), field="start_date")
    if end < start:
        raise InvalidInput(_("The last day must be on or after the first day."), field="end_date")
    if (end - start).days >= SPECIAL_DAYS_MAX:
        raise InvalidInput(
            _("Register at most %(count)d days at a time.") % {"count": SPECIAL_DAYS_MAX}, field="end_date"
        )
    if not closed:
        if opens is None or closes is None:
            raise InvalidInput(_("Give both the opening and the closing time."), field="opens")
        if closes <= opens:
            raise InvalidInput(_("The closing time must be after the opening time."), field="closes")
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    SpecialDay.objects.filter(institution_id=institution.id, date__in=days).delete()
    SpecialDay.objects.bulk_create(
        [
            SpecialDay(
                institution_id=institution.id,
                date=day,
                name=name.strip()[:120],
                closed=closed,
                opens=None if closed else opens,
                closes=None if closed else closes,
            )
            for day in days
        ]
    )
    _audit_setup(viewer, "presence_special_days", institution.id)
    return len(days)


@transaction.atomic
def delete_special_day(viewer: Viewer, institution_id: int, special_day_id: int) -> None:
    institution = queries.configurable_institution(viewer, institution_id)
    deleted, _rows = SpecialDay.objects.filter(pk=special_day_id, institution_id=institution.id).delete()
    if not deleted:
        raise NotFound
    _audit_setup(viewer, "presence_special_days", institution.id)


@transaction.atomic
def add_location(viewer: Viewer, institution_id: int, name: str) -> Location:
    """A place children can be during the day, e.g. "Legepladsen"."""
    institution = queries.configurable_institution(viewer, institution_id)
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("Write the name of the place."), field="name")
    if len(name) > 80:
        raise InvalidInput(_("Write a name of at most %(count)d characters.") % {"count": 80}, field="name")
    if Location.objects.filter(institution_id=institution.id, name__iexact=name).exists():
        raise InvalidInput(_("The institution already has a place with that name."), field="name")
    location = Location.objects.create(institution_id=institution.id, name=name)
    _audit_setup(viewer, "presence_locations", institution.id)
    return location


@transaction.atomic
def remove_location(viewer: Viewer, institution_id: int, location_id: int) -> None:
    """Children placed there today keep their status; their place is cleared."""
    institution = queries.configurable_institution(viewer, institution_id)
    deleted, _rows = Location.objects.filter(pk=location_id, institution_id=institution.id).delete()
    if not deleted:
        raise NotFound
    _audit_setup(viewer, "presence_locations", institution.id)


@transaction.atomic
def update_presence_settings(viewer: Viewer, institution_id: int, values: dict[str, bool]) -> PresenceSettings:
    """Which komme/gå modules guardians may use, and whether sleep is registered."""
    institution = queries.configurable_institution(viewer, institution_id)
    unknown = set(values) - set(queries.SETTINGS_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown setting."))
    settings, _created = PresenceSettings.objects.update_or_create(
        institution_id=institution.id, defaults={key: bool(value) for key, value in values.items()}
    )
    _audit_setup(viewer, "presence_settings", institution.id)
    return settings
