"""Forms of the komme/gå pages: they parse and check the shape of input; the actions check the rest."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import queries

PICKED_UP_BY, SELF_DECIDER, SEND_HOME, GO_HOME_WITH = (value for value, _label in queries.ACTIVITY_CHOICES)
WEEKDAY_NAMES = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday"))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


def _with_blank(names: list[str]) -> list[tuple[str, Any]]:
    return [("", _("Choose …")), *((name, name) for name in names)]


class PlannedTimesForm(forms.Form):
    """Komme/gå-tider for a day, once or repeating, and how the child goes home."""

    by_date = forms.DateField(label=_("Day"), widget=DateInput())
    entry_time = forms.TimeField(label=_("Arrives"), required=False, widget=TimeInput())
    exit_time = forms.TimeField(label=_("Goes home"), required=False, widget=TimeInput())
    activity_type = forms.TypedChoiceField(
        label=_("How the child goes home"),
        choices=queries.ACTIVITY_CHOICES,
        coerce=int,
        initial=PICKED_UP_BY,
        widget=forms.RadioSelect,
    )
    exit_with = forms.ChoiceField(label=_("Picked up by"), required=False)
    go_home_with = forms.ChoiceField(label=_("Goes home with"), required=False)
    self_decider_start = forms.TimeField(label=_("May go home alone from"), required=False, widget=TimeInput())
    self_decider_end = forms.TimeField(label=_("May go home alone until"), required=False, widget=TimeInput())
    repeat = forms.ChoiceField(
        label=_("Repeat"), choices=queries.REPEAT_CHOICES, initial="never", widget=forms.RadioSelect
    )
    repeat_until = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to repeat until you change the times."),
    )
    comment = forms.CharField(label=_("Note to the staff"), required=False, max_length=250)

    def __init__(self, *args: Any, pickup_names: list[str], go_home_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exit_with"].choices = _with_blank(pickup_names)  # type: ignore[attr-defined]
        self.fields["go_home_with"].choices = _with_blank(go_home_names)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        activity = cleaned.get("activity_type")
        if activity == PICKED_UP_BY and not cleaned.get("exit_with"):
            self.add_error("exit_with", _("Choose who picks the child up."))
        if activity == GO_HOME_WITH and not cleaned.get("go_home_with"):
            self.add_error("go_home_with", _("Choose whom the child goes home with."))
        if cleaned.get("repeat") == "never":
            cleaned["repeat_until"] = None
        return cleaned

    def action_arguments(self) -> dict[str, Any]:
        """The cleaned data as actions.save_template takes it."""
        data = self.cleaned_data
        activity = data["activity_type"]
        exit_with = {PICKED_UP_BY: data.get("exit_with", ""), GO_HOME_WITH: data.get("go_home_with", "")}
        self_decider = activity == SELF_DECIDER
        return {
            "by_date": data["by_date"],
            "entry_time": data.get("entry_time"),
            "exit_time": data.get("exit_time"),
            "repeat": data["repeat"],
            "repeat_until": data.get("repeat_until"),
            "activity_type": activity,
            "exit_with": exit_with.get(activity, ""),
            "self_decider_start": data.get("self_decider_start") if self_decider else None,
            "self_decider_end": data.get("self_decider_end") if self_decider else None,
            "comment": data.get("comment", ""),
        }


class VacationForm(forms.Form):
    start_date = forms.DateField(label=_("First day"), widget=DateInput())
    end_date = forms.DateField(label=_("Last day"), widget=DateInput())
    comment = forms.CharField(label=_("Note to the staff"), required=False, max_length=250)


class PickupPersonForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("E.g. Mormor Inge or Peters far. The staff see the names when the child goes home."),
    )


# --- Setup -------------------------------------------------------------------------------------------------


class OpeningHoursForm(forms.Form):
    """Opening and closing time per weekday; a weekday left empty is closed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for weekday, name in enumerate(WEEKDAY_NAMES):
            self.fields[f"opens_{weekday}"] = forms.TimeField(
                label=_("%(day)s opens") % {"day": name}, required=False, widget=TimeInput()
            )
            self.fields[f"closes_{weekday}"] = forms.TimeField(
                label=_("%(day)s closes") % {"day": name}, required=False, widget=TimeInput()
            )

    @staticmethod
    def initial_from(hours: dict[int, Any]) -> dict[str, time]:
        initial = {}
        for weekday, row in hours.items():
            initial[f"opens_{weekday}"] = row.opens
            initial[f"closes_{weekday}"] = row.closes
        return initial

    def days(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(str(name), self[f"opens_{d}"], self[f"closes_{d}"]) for d, name in enumerate(WEEKDAY_NAMES)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for weekday in range(7):
            opens, closes = cleaned.get(f"opens_{weekday}"), cleaned.get(f"closes_{weekday}")
            if (opens is None) != (closes is None) and not self.errors.get(f"closes_{weekday}"):
                self.add_error(f"closes_{weekday}", _("Give both times, or neither if the day is closed."))
        return cleaned

    def hours(self) -> dict[int, tuple[time, time]]:
        data = self.cleaned_data
        return {
            d: (data[f"opens_{d}"], data[f"closes_{d}"])
            for d in range(7)
            if data.get(f"opens_{d}") is not None and data.get(f"closes_{d}") is not None
        }


class SpecialDayForm(forms.Form):
    start_date = forms.DateField(label=_("Date"), widget=DateInput())
    end_date = forms.DateField(
        label=_("Until and including"), required=False, widget=DateInput(), help_text=_("For a period, e.g. a week.")
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=120, help_text=_("E.g. Christmas."))
    closed = forms.TypedChoiceField(
        label=_("Open or closed"),
        choices=[("1", _("Closed all day")), ("0", _("Open at special times"))],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    opens = forms.TimeField(label=_("Opens"), required=False, widget=TimeInput())
    closes = forms.TimeField(label=_("Closes"), required=False, widget=TimeInput())


class LocationForm(forms.Form):
    name = forms.CharField(label=_("Name of the place"), max_length=80, help_text=_("E.g. Legepladsen or Skoven."))


class PresenceSettingsForm(forms.Form):
    guardians_report_sick = forms.BooleanField(label=_("Guardians may report their child sick"), required=False)
    guardians_pickup = forms.BooleanField(label=_("Guardians keep a list of people who pick up"), required=False)
    guardians_vacation = forms.BooleanField(label=_("Guardians may register vacation and days off"), required=False)
    guardians_planned_times = forms.BooleanField(label=_("Guardians may set planned times"), required=False)
    show_sleep = forms.BooleanField(label=_("Staff register sleep"), required=False)

    @staticmethod
    def initial_from(settings: Any) -> dict[str, bool]:
        return {name: getattr(settings, name) for name in queries.SETTINGS_FIELDS}


# --- Kiosk screens ---------------------------------------------------------------------------------------


class KioskForm(forms.Form):
    name = forms.CharField(label=_("Name of the screen"), max_length=80, help_text=_("E.g. Entré or Blå stue."))
    groups = forms.TypedMultipleChoiceField(
        label=_("Groups shown"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to show every child of the institution."),
    )

    def __init__(self, *args: Any, group_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = group_choices  # type: ignore[attr-defined]


class PairingForm(forms.Form):
    code = forms.CharField(
        label=_("Pairing code"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        help_text=_("The 8 digits an administrator got when creating the screen."),
    )


def parse_date(value: str | None) -> date | None:
    """A YYYY-MM-DD query parameter, or None when it is missing or malformed."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
