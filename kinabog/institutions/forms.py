from django import forms

from .models import Person


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

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        for name in ["mobile_phone", "home_phone", "work_phone"]:
            value = (cleaned.get(name) or "").replace(" ", "")
            if value and not (value.lstrip("+").isdigit() and 8 <= len(value.lstrip("+")) <= 15):
                from django.utils.translation import gettext as _

                self.add_error(name, _("Write a phone number with 8 to 15 digits, e.g. 20 30 40 50."))
            else:
                cleaned[name] = value
        return cleaned
