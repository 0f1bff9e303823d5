"""Kalender: events for groups, invitations and answers, samtaler (time slots and bookings), iCal feeds.

An event belongs to an institution and is shown to the members of its groups (guardians through their
children). Samtaler are events with time slots; a slot holds at most one booking and a child at most one
booking per samtale — both enforced by unique constraints, so two families never share a slot.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kinabog.core.models import TimestampedModel
from kinabog.institutions.models import Group, Institution, InstitutionProfile, Person


class EventType(models.TextChoices):
    """Aula's event type values."""

    EVENT = "event", _("Event")
    EXCURSION = "excursion", _("Excursion")
    PARENTAL_MEETING = "parentalMeeting", _("Parent meeting")
    HOLIDAY = "holiday", _("Holiday or closing day")
    SCHOOL_HOME_MEETING = "schoolHomeMeeting", _("Parent-teacher conference")
    # Lektion: imported from a school's timetable, never chosen on the event form.
    LESSON = "lesson", _("Lesson")


class Repeat(models.TextChoices):
    """Aula's repeatTypeEnum values."""

    NEVER = "never", _("Does not repeat")
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")


class ResourceKind(models.TextChoices):
    ROOM = "room", _("Room")
    EQUIPMENT = "equipment", _("Equipment")


class Resource(TimestampedModel):
    """A room or a piece of equipment of an institution, booked together with events."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=ResourceKind.choices, default=ResourceKind.ROOM)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="resource_name_per_institution")]

    def __str__(self) -> str:
        return self.name


class Event(TimestampedModel):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    creator = models.ForeignKey(InstitutionProfile, null=True, on_delete=models.SET_NULL, related_name="+")
    type = models.CharField(max_length=30, choices=EventType.choices, default=EventType.EVENT)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(blank=True)  # sanitised HTML
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    all_day = models.BooleanField(default=False)
    groups = models.ManyToManyField(Group, related_name="+", blank=True)
    response_required = models.BooleanField(default=False)
    # Samtaler only: the slot pattern and the last moment families may book, move or cancel.
    slot_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    break_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    meetings_between_breaks = models.PositiveSmallIntegerField(null=True, blank=True)
    booking_deadline = models.DateTimeField(null=True, blank=True)
    # Repetition: starts_at/ends_at are the first occurrence; the series ends on repeat_until (inclusive).
    # Weekly series repeat on the weekdays of repeat_weekdays (bit 0 = Monday … bit 6 = Sunday; 0 means the
    # first occurrence's weekday); monthly series on the first occurrence's day of the month.
    repeat = models.CharField(max_length=10, choices=Repeat.choices, default=Repeat.NEVER)
    repeat_interval = models.PositiveSmallIntegerField(default=1)
    repeat_weekdays = models.PositiveSmallIntegerField(default=0)
    repeat_until = models.DateField(null=True, blank=True)
    # Minutes before the start at which invitees are reminded; null: no reminder.
    reminder_minutes = models.PositiveIntegerField(null=True, blank=True)
    resources = models.ManyToManyField(Resource, related_name="+", blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(repeat="never") | Q(repeat_until__isnull=False), name="event_repeat_has_end"
            ),
            models.CheckConstraint(condition=Q(repeat_interval__gte=1), name="event_repeat_interval_positive"),
        ]
        indexes = [models.Index(fields=["institution", "starts_at"], name="event_institution_start")]

    def __str__(self) -> str:
        return self.title


class EventAttachment(models.Model):
    """Vedhæftet fil: a file or picture of an event, checked by kinabog.core.files (pictures without EXIF/GPS).

    Stored under a random name; who may read it is who may see the event.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="calendar/%Y/%m/")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["event", "position"], name="event_attachment_by_event")]


class EventException(models.Model):
    """One occurrence of a repeating event that is cancelled or moved (Aula: an exception event)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="exceptions")
    occurrence_date = models.DateField()  # the local date the occurrence would have had
    cancelled = models.BooleanField(default=False)
    starts_at = models.DateTimeField(null=True, blank=True)  # moved occurrence; null: as in the series
    ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "occurrence_date"], name="event_exception_once_per_date"),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True, ends_at__isnull=True)
                | Q(starts_at__isnull=False, ends_at__isnull=False, ends_at__gte=F("starts_at")),
                name="event_exception_times",
            ),
        ]


class ReminderSent(models.Model):
    """A reminder written for one occurrence of an event; the unique constraint makes sending idempotent."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    occurrence_starts_at = models.DateTimeField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "occurrence_starts_at"], name="reminder_once_per_occurrence")
        ]


class Response(models.TextChoices):
    """Aula's responseType values."""

    WAITING = "waiting", _("Not answered")
    ACCEPTED = "accepted", _("Yes")
    DECLINED = "declined", _("No")
    TENTATIVE = "tentative", _("Maybe")


class Invitation(models.Model):
    """An invitee of an event: a person at an institution. Guardians answer for a child's invitation."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    profile = models.ForeignKey(InstitutionProfile, on_delete=models.CASCADE, related_name="+")
    response = models.CharField(max_length=10, choices=Response.choices, default=Response.WAITING)
    answered_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "profile"], name="invitation_once_per_profile")]


class TimeSlot(models.Model):
    """One meeting time of a samtale."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    # Staff may block a slot (Aula's blockTimeSlot): it is not offered to families.
    blocked = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["event", "starts_at"], name="timeslot_event_start")]


class Booking(models.Model):
    """A family's booking of a slot for one child."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="bookings")
    slot = models.OneToOneField(TimeSlot, on_delete=models.CASCADE, related_name="booking")
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    booked_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    booked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "child"], name="booking_one_per_child")]


class FeedToken(TimestampedModel):
    """A person's private iCal subscription address; regenerating replaces the token, revoking deletes it."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="+")
    portal_role = models.CharField(max_length=20)
    token = models.CharField(max_length=64, unique=True)
