"""Forms for login and step-up. Labels and messages are English msgids; Danish comes from the catalogue."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

CODE_PATTERN = re.compile(r"[0-9]{6}")


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TotpCodeForm(forms.Form):
    """A 6-digit code from an authenticator app. Spaces are allowed, as apps show "123 456"."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("6 digits. The code changes every 30 seconds."),
        max_length=12,
        error_messages={"required": _("Enter the 6-digit code from your app.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "size": 8,
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not CODE_PATTERN.fullmatch(code):
            raise forms.ValidationError(_("Enter the 6 digits from your app, without letters."))
        return code
