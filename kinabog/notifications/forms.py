"""The settings form: one choice of e-mail delivery per area."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import Area, Delivery


class DeliveryForm(forms.Form):
    """A choice per area (Beskeder, Kalender, …): e-mail right away, once a day, or only in Kinabog."""

    def __init__(self, *args: Any, current: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for area, label in Area.choices:
            self.fields[area] = forms.ChoiceField(
                label=label,
                choices=Delivery.choices,
                initial=current.get(area, Delivery.DIGEST),
            )

    def choices(self) -> dict[str, str]:
        return {area: str(self.cleaned_data[area]) for area in Area.values}
