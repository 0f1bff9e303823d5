"""The form for an institution's rooms and equipment. The rules live in resource_actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .resource_queries import KIND_CHOICES


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES)
    capacity = forms.IntegerField(
        label=_("Number of places"),
        min_value=1,
        max_value=10_000,
        required=False,
        help_text=_(
            "How many people the room holds, or how many share the equipment. Leave it empty if it does not matter."
        ),
    )
    description = forms.CharField(
        label=_("Description"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
