"""Forms of the calendar pages. Choices come from queries; the rules live in actions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kinabog.core.forms import ATTACHMENT_HELP, MultipleFileField

from .queries import EVENT_TYPE_CHOICES as EVENT_TYPES
from .queries import REMINDER_CHOICES, REPEAT_CHOICES

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class _GroupForm(forms.Form):
    def __init__(self, *args: Any, groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = groups  # type: ignore[attr-defined]


class EventForm(_GroupForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=EVENT_TYPES)
    group = forms.TypedMultipleChoiceField(
        label=_("Groups"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME)
    all_day = forms.BooleanField(label=_("All day"), required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    response_required = forms.BooleanField(label=_("Ask the group to answer"), required=False)
    reminder_minutes = forms.TypedChoiceField(
        label=_("Remind"), choices=REMINDER_CHOICES, coerce=int, empty_value=None, required=False
    )
    resources = forms.TypedMultipleChoiceField(
        label=_("Rooms and equipment"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    # Editing: the event's files, ticked to be removed; shown only when it has files.
    remove_attachments = forms.TypedMultipleChoiceField(
        label=_("Attached files"),
        help_text=_("Tick the files to remove."),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attachments = MultipleFileField(label=_("Attach files or pictures"), help_text=ATTACHMENT_HELP)

    # Repetition: shown together in their own fieldset; the rules (end date needed, at most
    # MAX_SERIES_DAYS, a weekday for weekly) are checked by the action.
    repeat = forms.ChoiceField(label=_("Repeats"), choices=REPEAT_CHOICES, initial="never", required=False)
    repeat_interval = forms.IntegerField(
        label=_("Every how many days, weeks or months"),
        help_text=_("1 is every time, 2 every other time."),
        min_value=1,
        max_value=99,
        initial=1,
        required=False,
    )
    repeat_weekdays = forms.TypedMultipleChoiceField(
        label=_("On these weekdays (every week)"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    repeat_until = forms.DateField(
        label=_("Repeats until"),
        help_text=_("Needed when the event repeats."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    REPEAT_FIELDS = ("repeat", "repeat_interval", "repeat_weekdays", "repeat_until")

    def __init__(
        self,
        *args: Any,
        resources: Sequence[tuple[int, str]] = (),
        attached: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Shown only where the institution has rooms or equipment to book.
        if resources:
            self.fields["resources"].choices = resources  # type: ignore[attr-defined]
        else:
            del self.fields["resources"]
        if attached:
            self.fields["remove_attachments"].choices = attached  # type: ignore[attr-defined]
        else:
            del self.fields["remove_attachments"]
        self.fields["repeat_weekdays"].choices = [(day, capfirst(WEEKDAYS[day])) for day in range(7)]  # type: ignore[attr-defined]

    def main_fields(self) -> list[forms.BoundField]:
        return [field for field in self if field.name not in self.REPEAT_FIELDS]

    def repeat_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.REPEAT_FIELDS]


class ConferenceForm(_GroupForm):
    title = forms.CharField(label=_("Title"), max_length=200, initial=_("Parent-teacher conference"))
    group = forms.TypedChoiceField(label=_("Group"), coerce=int)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    first_start = forms.TimeField(label=_("First meeting starts"), widget=forms.TimeInput(attrs={"type": "time"}))
    last_end = forms.TimeField(label=_("Last meeting ends"), widget=forms.TimeInput(attrs={"type": "time"}))
    slot_minutes = forms.IntegerField(label=_("Minutes per meeting"), min_value=5, max_value=240, initial=15)
    meetings_between_breaks = forms.IntegerField(
        label=_("Meetings between breaks"), min_value=0, max_value=50, initial=0, required=False
    )
    break_minutes = forms.IntegerField(
        label=_("Minutes of break"), min_value=0, max_value=120, initial=0, required=False
    )
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    booking_deadline = forms.DateTimeField(label=_("Book at the latest"), widget=DATETIME)
    description = forms.CharField(
        label=_("Note to the families"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class MoveOccurrenceForm(forms.Form):
    """ "Flyt denne gang": the new start and end of one time of a series."""

    starts_at = forms.DateTimeField(label=_("New start"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("New end"), widget=DATETIME)
