"""Forms of the leader pages: vacation requests and answers, shifts, exports, integrations.

They parse and check the shape of input; the actions check the rest (access, periods, deadlines).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .exports import ATTENDANCE, SICK_DAYS, SUMMARY, VACATION_ANSWERS
from .forms import DateInput, TimeInput
from .vacation_requests import DayAnswer

COMING, NOT_COMING = "yes", "no"


class VacationRequestForm(forms.Form):
    """Ferieanmodning: ask the guardians of chosen groups about a holiday period."""

    title = forms.CharField(label=_("Title"), max_length=160, help_text=_("For example 'Summer holiday 2026'."))
    start_date = forms.DateField(label=_("First day"), widget=DateInput())
    end_date = forms.DateField(label=_("Last day"), widget=DateInput())
    deadline = forms.DateField(
        label=_("Answer deadline"),
        widget=DateInput(),
        help_text=_("Guardians can answer and change their answer until the end of this day."),
    )
    groups = forms.TypedMultipleChoiceField(
        label=_("Groups"), coerce=int, widget=forms.CheckboxSelectMultiple, choices=()
    )
    presence_times_required = forms.BooleanField(
        label=_("Guardians give the times the child comes and goes"), required=False, initial=True
    )
    note = forms.CharField(
        label=_("Note to guardians"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, groups: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = [(g.id, g.name) for g in groups]  # type: ignore[attr-defined]


def _day_key(day: date) -> str:
    return day.strftime("%Y%m%d")


class VacationAnswerForm(forms.Form):
    """A guardian's answer: for each open day of the period, coming or not, and when."""

    comment = forms.CharField(label=_("Note to the staff"), required=False, max_length=250)

    def __init__(
        self, *args: Any, days: list[date], answers: dict[date, Any], times_required: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.days = days
        self.times_required = times_required
        for day in days:
            key = _day_key(day)
            answer = answers.get(day)
            label = formats.date_format(day, "l j. F")
            self.fields[f"coming_{key}"] = forms.ChoiceField(
                label=label,
                choices=[(COMING, _("Coming")), (NOT_COMING, _("Not coming"))],
                widget=forms.RadioSelect,
                initial=(COMING if answer.is_coming else NOT_COMING) if answer else None,
                error_messages={"required": _("Choose whether the child comes.")},
            )
            self.fields[f"entry_{key}"] = forms.TimeField(
                label=_("Arrives at"),
                required=False,
                widget=TimeInput(),
                initial=answer.entry_time if answer else None,
            )
            self.fields[f"exit_{key}"] = forms.TimeField(
                label=_("Goes home at"),
                required=False,
                widget=TimeInput(),
                initial=answer.exit_time if answer else None,
            )

    def day_rows(self) -> list[tuple[date, Any, Any, Any]]:
        """(day, coming field, arrives field, goes-home field) for the template."""
        return [
            (day, self[f"coming_{_day_key(day)}"], self[f"entry_{_day_key(day)}"], self[f"exit_{_day_key(day)}"])
            for day in self.days
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for day in self.days:
            key = _day_key(day)
            if cleaned.get(f"coming_{key}") != COMING:
                continue
            entry, exit_ = cleaned.get(f"entry_{key}"), cleaned.get(f"exit_{key}")
            if self.times_required and entry is None and f"entry_{key}" not in self.errors:
                self.add_error(f"entry_{key}", _("Give the time the child comes."))
            if self.times_required and exit_ is None and f"exit_{key}" not in self.errors:
                self.add_error(f"exit_{key}", _("Give the time the child goes home."))
            if entry and exit_ and exit_ <= entry:
                self.add_error(f"exit_{key}", _("The child must go home after arriving."))
        return cleaned

    def answers(self) -> list[DayAnswer]:
        result = []
        for day in self.days:
            key = _day_key(day)
            coming = self.cleaned_data.get(f"coming_{key}") == COMING
            result.append(
                DayAnswer(
                    day,
                    coming,
                    self.cleaned_data.get(f"entry_{key}") if coming else None,
                    self.cleaned_data.get(f"exit_{key}") if coming else None,
                )
            )
        return result


class ShiftForm(forms.Form):
    """A staff member's hours on a day."""

    person = forms.TypedChoiceField(label=_("Staff member"), coerce=int, choices=())
    date = forms.DateField(label=_("Day"), widget=DateInput())
    start = forms.TimeField(label=_("From"), widget=TimeInput())
    end = forms.TimeField(label=_("To"), widget=TimeInput())
    group = forms.TypedChoiceField(
        label=_("Group"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=(),
        help_text=_("Leave empty for the whole institution."),
    )

    def __init__(self, *args: Any, people: list[tuple[int, str]], groups: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Choose …")), *people]  # type: ignore[attr-defined]
        self.fields["group"].choices = [("", _("Whole institution")), *((g.id, g.name) for g in groups)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The shift must end after it starts."))
        return cleaned


EXPORT_KIND_CHOICES = (
    (ATTENDANCE, _("Attendance: planned and actual times")),
    (VACATION_ANSWERS, _("Answers to vacation requests")),
    (SICK_DAYS, _("Sick days")),
    (SUMMARY, _("Summary per child")),
)


class ExportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())
    group = forms.TypedChoiceField(label=_("Group"), coerce=int, required=False, empty_value=None, choices=())
    kind = forms.ChoiceField(
        label=_("Table for CSV"),
        choices=EXPORT_KIND_CHOICES,
        initial=ATTENDANCE,
        help_text=_("Excel holds every table, one sheet each; CSV holds the table chosen here."),
    )

    def __init__(self, *args: Any, groups: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("All groups")), *((g.id, g.name) for g in groups)]  # type: ignore[attr-defined]


class FeedKeyForm(forms.Form):
    name = forms.CharField(label=_("Name of the system"), max_length=80, help_text=_("For example 'Morgenvagt'."))


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("Address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Each check-in and check-out is sent here, signed with a secret you are shown once."),
    )
