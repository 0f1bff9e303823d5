"""Forms of the calendar pages. Choices come from queries; the rules live in actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .queries import EVENT_TYPE_CHOICES as EVENT_TYPES

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class _GroupForm(forms.Form):
    def __init__(self, *args: Any, groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = groups  # type: ignore[attr-defined]


class EventForm(_GroupForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=EVENT_TYPES)
    group = forms.TypedChoiceField(label=_("Group"), coerce=int)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME)
    all_day = forms.BooleanField(label=_("All day"), required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    response_required = forms.BooleanField(label=_("Ask the group to answer"), required=False)


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
