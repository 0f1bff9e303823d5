"""In-app notifications (badges and alerts with deep links) and each person's delivery settings."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinabog.institutions.models import InstitutionProfile, Person


class Area(models.TextChoices):
    """Aula's notificationArea."""

    MESSAGES = "Messages", _("Messages")
    CALENDAR = "Calendar", _("Calendar")
    POSTS = "Posts", _("Posts")
    PRESENCE = "Presence", _("Komme/gå")
    GALLERY = "Gallery", _("Gallery")
    DOCUMENTS = "Documents", _("Documents")


# What a notification is about, in words, for Aula's notificationEventType values that are not messages.
# Lists and e-mails show these; a type without a label shows its area.
EVENT_TYPE_LABELS = {
    "InvitedToEventResponseRequired": _("Invitation, please answer"),
    "InvitedToEventNoResponseRequired": _("New event"),
    "InvitedToRepeatingEvent": _("New repeating event"),
    "InvitedToSchoolHomeMeeting": _("Book a meeting time"),
    "SomeoneElseRespondedToEvent": _("A time is booked"),
    "SomeoneElseRemovedYourResponseToEvent": _("A booking is cancelled"),
    "EventChangedResponseRequired": _("An event is changed, please answer"),
    "EventChangedNoResponseRequired": _("An event is changed"),
    "EventCancelledNoReason": _("An event is cancelled"),
    "SingleOccurrenceEventCancelledNoReason": _("One time of a repeating event is cancelled"),
    "EventReminder": _("Reminder"),
}


class Notification(models.Model):
    # No index of its own: the two indexes below that lead with the person serve every look-up by person. One
    # index fewer to write for each of the 30,000 notifications of a broadcast to a municipality's guardians.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_index=False)
    profile = models.ForeignKey(InstitutionProfile, null=True, on_delete=models.CASCADE, related_name="+")
    area = models.CharField(max_length=20, choices=Area.choices)
    event_type = models.CharField(max_length=60)  # Aula's notificationEventType, e.g. NewMessagePrivateInbox
    # What it points at; a deep link is built from these.
    thread_id = models.BigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=255)  # empty for sensitive content
    sender_name = models.CharField(max_length=200, blank=True)
    url = models.CharField(max_length=255)
    created_at = models.DateTimeField(db_index=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Makes a retried fan-out harmless: one notification per person per event.
    dedupe_key = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "dedupe_key"], name="notification_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="notification_person_recent"),
            models.Index(fields=["person"], condition=Q(seen_at__isnull=True), name="notification_unseen"),
        ]

    @property
    def label(self) -> str:
        """What it is about in words: the event type's label, else the area's."""
        label = EVENT_TYPE_LABELS.get(self.event_type)
        if label is not None:
            return str(label)
        return str(Area(self.area).label) if self.area in Area.values else self.area


class Delivery(models.TextChoices):
    INSTANT = "instant", _("Right away")
    DIGEST = "digest", _("Once a day")
    OFF = "off", _("Only in Kinabog")


class NotificationSetting(models.Model):
    """How a person wants e-mail about one area; the default is one daily digest."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notification_settings")
    area = models.CharField(max_length=20, choices=Area.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.DIGEST)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "area"], name="notification_setting_unique")]
