"""Forms of the message pages. They only parse: what is acceptable is decided by the actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from kinabog.core.forms import ATTACHMENT_HELP, MultipleFileField
from kinabog.core.html import plain_text_to_html

from .actions import Recipients

RECIPIENT_KINDS = ("profile", "group", "common_inbox")
# Who in a group receives the message: "" everyone, or one portal role.
GROUP_ROLES = (
    ("", _("Everyone")),
    ("guardian", _("Guardians")),
    ("employee", _("Staff")),
    ("child", _("Children and pupils")),
)
GROUP_ROLE_VALUES = {value for value, _label in GROUP_ROLES}


class MessageTextField(forms.CharField):
    """A plain text box; the text is stored as simple HTML paragraphs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", True)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 8}))
        super().__init__(*args, **kwargs)


class ComposeForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), required=False, widget=forms.TextInput(attrs={"maxlength": 255}))
    text = MessageTextField(label=_("Message"))
    attachments = MultipleFileField(label=_("Attach files"), help_text=ATTACHMENT_HELP)
    sensitive = forms.BooleanField(label=_("Sensitive message"), required=False)

    def text_html(self) -> str:
        return plain_text_to_html(self.cleaned_data.get("text") or "")


class ReplyForm(forms.Form):
    text = MessageTextField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label=_("Attach files"), help_text=ATTACHMENT_HELP)

    def text_html(self) -> str:
        return plain_text_to_html(self.cleaned_data.get("text") or "")


class ForwardForm(forms.Form):
    text = MessageTextField(
        label=_("Your note (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The messages of the thread follow below your note."),
    )

    def text_html(self) -> str:
        return plain_text_to_html(self.cleaned_data.get("text") or "")


class EditMessageForm(forms.Form):
    text = MessageTextField(label=_("Message"))

    def text_html(self) -> str:
        return plain_text_to_html(self.cleaned_data.get("text") or "")


class FolderForm(forms.Form):
    name = forms.CharField(label=_("New folder"), required=False, widget=forms.TextInput(attrs={"maxlength": 80}))


class AutoReplyForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("From"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": _("Choose when the auto-reply starts."), "invalid": _("Write a date and time.")},
    )
    ends_at = forms.DateTimeField(
        label=_("To"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": _("Choose when the auto-reply ends."), "invalid": _("Write a date and time.")},
    )
    text = MessageTextField(
        label=_("Auto-reply"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent once per thread to those who write to you in the period."),
    )

    def text_html(self) -> str:
        return plain_text_to_html(self.cleaned_data.get("text") or "")


# --- Recipients -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChosenRecipients:
    """Recipients as the form sent them: tokens "profile:12", "group:5", "common_inbox:3" and group roles."""

    recipients: Recipients
    group_roles: dict[int, str]

    def tokens(self) -> set[str]:
        r = self.recipients
        return (
            {f"profile:{i}" for i in r.profile_ids}
            | {f"group:{g}" for g, _role in r.groups}
            | {f"common_inbox:{i}" for i in r.common_inbox_ids}
        )


@dataclass(frozen=True)
class PickerItem:
    """A recipient shown in the picker: chosen (checked) or found by a search (not yet checked)."""

    kind: str
    id: int
    label: str
    detail: str
    role: str = ""

    @property
    def token(self) -> str:
        return f"{self.kind}:{self.id}"


def parse_recipients(data: QueryDict) -> ChosenRecipients:
    """Read the chosen recipients; malformed values are ignored, the actions judge the rest."""
    recipients = Recipients()
    roles: dict[int, str] = {}
    for token in dict.fromkeys(data.getlist("recipient")):
        kind, _sep, raw_id = token.partition(":")
        if kind not in RECIPIENT_KINDS or not raw_id.isdigit() or len(raw_id) > 18:
            continue
        item_id = int(raw_id)
        if kind == "profile":
            recipients.profile_ids.append(item_id)
        elif kind == "common_inbox":
            recipients.common_inbox_ids.append(item_id)
        else:
            role = data.get(f"role-{item_id}", "")
            # An unknown role is passed on for the action to refuse, so the person hears about it.
            roles[item_id] = role
            recipients.groups.append((item_id, role))
    return ChosenRecipients(recipients, roles)
