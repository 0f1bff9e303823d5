"""Form pieces shared by the apps' pages: they parse; what is acceptable is decided by the actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext

from .files import ACCEPT, MAX_FILES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files; their content is checked by kinabog.core.files."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def _attachment_help() -> str:
    return gettext("PDF, JPEG and PNG pictures, Word, Excel or text; at most 10 MB each and %(count)s files.") % {
        "count": MAX_FILES
    }


ATTACHMENT_HELP = lazy(_attachment_help, str)()
