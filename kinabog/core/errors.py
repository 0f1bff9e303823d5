"""Errors that actions and queries raise; views and APIs turn them into responses."""

from __future__ import annotations

from django.http import Http404


class NotFound(Http404):
    """The object does not exist or the viewer may not see it. Both answer the same: 404."""


class StepUpRequired(Exception):
    """The content needs an assurance level 3 session."""


class Refused(Exception):
    """The viewer may see the object but may not do this to it."""


class InvalidInput(Exception):
    """Input that cannot be acted on; the message is user-facing and translated."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
