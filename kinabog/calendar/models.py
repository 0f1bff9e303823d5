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

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="event_ends_after_start"),
        ]
        indexes = [models.Index(fields=["institution", "starts_at"], name="event_institution_start")]

    def __str__(self) -> str:
        return self.title


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
