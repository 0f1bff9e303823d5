"""Komme/gå: the child's day in daycare, family daycare, SFO and club.

One PresenceDay per child per date holds the current state; every change is also kept as a
PresenceEvent (who, when, from which device) so history and audits are exact.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinabog.core.models import TimestampedModel
from kinabog.institutions.models import Group, Institution, InstitutionProfile, Person


class Status(models.IntegerChoices):
    """Aula's presence status codes."""

    NOT_PRESENT = 0, _("Not arrived")
    SICK = 1, _("Sick")
    REPORTED_ABSENT = 2, _("Vacation or day off")
    PRESENT = 3, _("Present")
    FIELDTRIP = 4, _("On a trip")
    SLEEPING = 5, _("Sleeping")
    SPARE_TIME_ACTIVITY = 6, _("At an activity")
    PHYSICAL_PLACEMENT = 7, _("At a location")
    CHECKED_OUT = 8, _("Gone home")


# Statuses in which the child is in the institution's care.
IN_CARE = (Status.PRESENT, Status.FIELDTRIP, Status.SLEEPING, Status.SPARE_TIME_ACTIVITY, Status.PHYSICAL_PLACEMENT)


class ActivityType(models.IntegerChoices):
    """How the child leaves (Aula's activityType)."""

    PICKED_UP_BY = 0, _("Picked up by")
    SELF_DECIDER = 1, _("Decides for themself")
    SEND_HOME = 2, _("Sent home")
    GO_HOME_WITH = 3, _("Goes home with")


class Location(models.Model):
    """A place children can be during the day, e.g. the playground or the forest."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="presence_locations")
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="location_unique_name")]

    def __str__(self) -> str:
        return self.name


class PresenceSettings(models.Model):
    """What guardians may do in komme/gå at one institution."""

    institution = models.OneToOneField(Institution, on_delete=models.CASCADE, related_name="presence_settings")
    guardians_report_sick = models.BooleanField(_("guardians may report sick"), default=True)
    guardians_pickup = models.BooleanField(_("guardians set who picks up"), default=True)
    guardians_vacation = models.BooleanField(_("guardians register vacation"), default=True)
    guardians_planned_times = models.BooleanField(_("guardians set planned times"), default=True)
    show_sleep = models.BooleanField(_("sleep is registered"), default=True)


class OpeningHours(models.Model):
    """General opening hours per weekday (0 = Monday)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField()
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "weekday"], name="opening_hours_unique_day"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_hours_weekday"),
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="opening_hours_order"),
        ]


class SpecialDay(models.Model):
    """A closed day (lukkedag) or a day with specific opening hours."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="special_days")
    date = models.DateField()
    name = models.CharField(max_length=120, blank=True)
    closed = models.BooleanField(default=True)
    opens = models.TimeField(null=True, blank=True)
    closes = models.TimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "date"], name="special_day_unique"),
            models.CheckConstraint(
                condition=Q(closed=True) | Q(opens__isnull=False, closes__isnull=False), name="special_day_hours"
            ),
        ]


class PresenceTemplate(TimestampedModel):
    """Planned times (komme/gå-tider) a guardian set for a child: one day, weekly or every two weeks."""

    class Repeat(models.TextChoices):
        NEVER = "never", _("Only this day")
        WEEKLY = "weekly", _("Every week")
        EVERY_2_WEEKS = "every_2_weeks", _("Every other week")

    child = models.ForeignKey(InstitutionProfile, on_delete=models.CASCADE, related_name="presence_templates")
    by_date = models.DateField()  # first day it applies (its weekday is the weekday it repeats on)
    repeat = models.CharField(max_length=16, choices=Repeat.choices, default=Repeat.NEVER)
    repeat_until = models.DateField(null=True, blank=True)
    entry_time = models.TimeField(null=True, blank=True)
    exit_time = models.TimeField(null=True, blank=True)
    activity_type = models.PositiveSmallIntegerField(choices=ActivityType.choices, default=ActivityType.PICKED_UP_BY)
    exit_with = models.CharField(max_length=160, blank=True)
    self_decider_start = models.TimeField(null=True, blank=True)
    self_decider_end = models.TimeField(null=True, blank=True)
    comment = models.CharField(max_length=250, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["child", "by_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(entry_time__isnull=True)
                | Q(exit_time__isnull=True)
                | Q(exit_time__gt=models.F("entry_time")),
                name="template_times_order",
            )
        ]


class PickupPerson(TimestampedModel):
    """A name on a guardian's list of people who may pick the child up (e.g. Mormor Inge)."""

    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="pickup_people")
    name = models.CharField(_("name"), max_length=120)
    added_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "name"], name="pickup_person_unique")]


class PresenceDay(TimestampedModel):
    """One child's day at one institution."""

    # No index of its own: presence_day_unique begins with the child, and every tap wrote both.
    child = models.ForeignKey(
        InstitutionProfile, on_delete=models.CASCADE, related_name="presence_days", db_index=False
    )
    date = models.DateField()
    status = models.PositiveSmallIntegerField(choices=Status.choices, default=Status.NOT_PRESENT)
    check_in_at = models.DateTimeField(null=True, blank=True)
    check_out_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_out_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.CharField(max_length=250, blank=True)
    vacation_note = models.CharField(max_length=250, blank=True)

    class Meta:
        # Every read and write of a day names the child and the date: presence_day_unique answers them all. A
        # (date, status) index, used by none, took the check-out's and the daily overview's lookups whenever the
        # statistics did not yet know today's rows, and read every child's day of the date (decision 0019).
        constraints = [models.UniqueConstraint(fields=["child", "date"], name="presence_day_unique")]


class SleepInterval(models.Model):
    day = models.ForeignKey(PresenceDay, on_delete=models.CASCADE, related_name="sleep_intervals")
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)


class PresenceEvent(models.Model):
    """Every change to a child's day: who, when, from which device, what."""

    day = models.ForeignKey(PresenceDay, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=32)  # check_in, check_out, status, location, sleep_start, …
    status = models.PositiveSmallIntegerField(choices=Status.choices)
    actor = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    device = models.ForeignKey("KioskDevice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.CharField(max_length=250, blank=True)


class VacationRegistration(TimestampedModel):
    """Ferie/fri a guardian registers for a child for a period."""

    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="vacations")
    start_date = models.DateField()
    end_date = models.DateField()
    comment = models.CharField(max_length=250, blank=True)
    registered_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="vacation_period_order")
        ]
        indexes = [models.Index(fields=["child", "start_date", "end_date"])]


class VacationRequest(TimestampedModel):
    """Ferieanmodning: the institution asks guardians of chosen groups about a period."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="vacation_requests")
    title = models.CharField(_("title"), max_length=160)
    start_date = models.DateField()
    end_date = models.DateField()
    deadline = models.DateField()
    note_to_guardians = models.TextField(blank=True)
    presence_times_required = models.BooleanField(default=True)
    groups = models.ManyToManyField(Group, related_name="+")
    created_by = models.ForeignKey(InstitutionProfile, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="vacation_request_order")
        ]


class VacationResponse(TimestampedModel):
    """A guardian's answer for one child."""

    request = models.ForeignKey(VacationRequest, on_delete=models.CASCADE, related_name="responses")
    child = models.ForeignKey(InstitutionProfile, on_delete=models.CASCADE, related_name="+")
    answered_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.CharField(max_length=250, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "child"], name="vacation_response_unique")]


class VacationResponseDay(models.Model):
    response = models.ForeignKey(VacationResponse, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    is_coming = models.BooleanField()
    entry_time = models.TimeField(null=True, blank=True)
    exit_time = models.TimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "date"], name="vacation_response_day_unique")]


class KioskDevice(TimestampedModel):
    """Storskærm: a shared screen paired to an institution with a one-time code; no personal login."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="kiosk_devices")
    name = models.CharField(_("name"), max_length=80)
    groups = models.ManyToManyField(Group, related_name="+", blank=True)
    pairing_code_hash = models.CharField(max_length=128, blank=True)
    pairing_expires_at = models.DateTimeField(null=True, blank=True)
    token_hash = models.CharField(max_length=128, blank=True, db_index=True)
    paired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")


class StaffShift(models.Model):
    """Hours a staff member works on a day (vagt), so occupancy can show children per adult."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="staff_shifts")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="staff_shifts")
    # A shift in one group (stue); empty when the person works across the institution.
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    date = models.DateField()
    start = models.TimeField()
    end = models.TimeField()
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="staff_shift_order"),
        ]
        indexes = [models.Index(fields=["institution", "date"])]


class FeedApiKey(TimestampedModel):
    """A key an external staffing system uses to read an institution's check-in/out feed.

    Only a hash is stored; the key itself is shown once, when it is created.
    """

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="presence_feed_keys")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12)  # the first characters, so a key can be recognised in a list
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class Webhook(TimestampedModel):
    """An address that receives each check-in and check-out of an institution, signed with a shared secret."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="presence_webhooks")
    url = models.URLField(_("address"), max_length=500)
    # A shared secret: the server needs it in the clear to sign each body (HMAC-SHA256).
    secret = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")


class WebhookDelivery(models.Model):
    """One event sent to one webhook. Its id travels in a header, so a receiver can drop repeats."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Given up")

    delivery_id = models.UUIDField(unique=True)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(PresenceEvent, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    # The exact JSON sent, kept so every attempt carries the same body and signature.
    body = models.TextField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["webhook", "event"], name="webhook_delivery_once")]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="webhook_delivery_due"),
        ]
