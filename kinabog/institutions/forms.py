from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from .models import Person

PHONE_FIELDS = ("mobile_phone", "home_phone", "work_phone")


class ContactDetailsForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["email", "mobile_phone", "home_phone", "work_phone"]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "mobile_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "home_phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "work_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in PHONE_FIELDS:
            value = (cleaned.get(name) or "").replace(" ", "")
            digits = value.removeprefix("+")
            if value and not (digits.isdigit() and 8 <= len(digits) <= 15):
                self.add_error(name, _("Write a phone number with 8 to 15 digits, e.g. 20 30 40 50."))
            else:
                cleaned[name] = value
        return cleaned
