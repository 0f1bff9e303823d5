"""Forms of the post pages: they parse and say what is missing; the rules live in actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kinabog.core.forms import ATTACHMENT_HELP, MultipleFileField

ROLE_CHOICES = [
    ("guardian", _("Guardians")),
    ("employee", _("Staff")),
    ("child", _("Children and pupils")),
]


class PostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    content = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), max_length=50_000)
    targets = forms.MultipleChoiceField(label=_("Share with"), widget=forms.CheckboxSelectMultiple)
    roles = forms.MultipleChoiceField(
        label=_("Who should see it"),
        choices=ROLE_CHOICES,
        initial=["guardian", "employee"],
        widget=forms.CheckboxSelectMultiple,
    )
    allow_comments = forms.BooleanField(label=_("Allow comments"), required=False, initial=True)
    important_until = forms.DateField(
        label=_("Important until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty unless the post should stay on top of everyone's overview until this date."),
    )
    attachments = MultipleFileField(label=_("Attach files or pictures"), help_text=ATTACHMENT_HELP)

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["targets"].choices = targets  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5_000)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you report it?"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2_000
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("keep", _("Keep it")), ("hide", _("Hide it")), ("remove", _("Remove it"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the author"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2_000
    )


class PrinciplesForm(forms.Form):
    text = forms.CharField(
        label=_("Communication principles"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=10_000,
        help_text=_("Plain text. Leave a blank line between paragraphs."),
    )
