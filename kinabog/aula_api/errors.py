"""The error answers of the Aula-compatible API.

Aula's envelope code does not track the HTTP status: a retired version is 410/code 10, a session
without an activated profile 403/code 10, bad parameters 200/code 40, a missing login 403/code 448.
`status.presentedMessage` is the Danish text a client may show a person; `subCode` follows the app's
WebResponseStatusSubCode constants (8 = step-up required, 9 = invalid token, 13 = session expired).
"""

from __future__ import annotations

from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kinabog.core.errors import InvalidInput, Refused, StepUpRequired

# subCode values (WebResponseStatusSubCodeConstants).
SUB_DENIED_ANY_SCOPE = 1
SUB_ACCESS_NOT_GRANTED = 6
SUB_STEP_UP_REQUIRED = 8
SUB_INVALID_TOKEN = 9
SUB_SESSION_EXPIRED = 13


class ApiError(Exception):
    """An answer other than success: HTTP status, envelope code and message, optional subCode."""

    def __init__(
        self,
        http_status: int,
        code: int,
        message: str,
        presented_message: str | Promise = "",
        sub_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.code = code
        self.message = message
        self.presented_message = presented_message
        self.sub_code = sub_code


def unsupported_version() -> ApiError:
    return ApiError(410, 10, "API_VERSION_NOT_SUPPORTED", _("This version of the API is no longer available."))


def unknown_method() -> ApiError:
    return ApiError(410, 10, "UNKNOWN_METHOD", _("The requested function does not exist."))


def wrong_verb() -> ApiError:
    return ApiError(405, 10, "HTTP_METHOD_NOT_ALLOWED", _("The requested function does not exist."))


def not_authenticated() -> ApiError:
    return ApiError(403, 448, "NOT_AUTHENTICATED", _("You are not logged in. Log in and try again."))


def session_expired() -> ApiError:
    return ApiError(
        403, 448, "SESSION_EXPIRED", _("You have been logged out after a period of inactivity."), SUB_SESSION_EXPIRED
    )


def invalid_token() -> ApiError:
    return ApiError(403, 448, "INVALID_ACCESS_TOKEN", _("Your login has expired. Log in again."), SUB_INVALID_TOKEN)


def no_profile_activated() -> ApiError:
    return ApiError(403, 10, "NO_PROFILE_ACTIVATED", _("Choose a role before you continue."))


def csrf_failed() -> ApiError:
    return ApiError(403, 403, "CSRF_TOKEN_INVALID", _("The request could not be verified. Reload and try again."))


def bad_parameters(presented_message: str | Promise = "") -> ApiError:
    return ApiError(200, 40, "INVALID_PARAMETERS", presented_message or _("The request is missing information."))


def not_found() -> ApiError:
    # The same answer whether the object does not exist or the viewer may not see it.
    return ApiError(404, 404, "NOT_FOUND", _("What you are looking for cannot be found."))


def refused(sub_code: int = SUB_DENIED_ANY_SCOPE) -> ApiError:
    return ApiError(403, 403, "ACCESS_DENIED", _("You do not have access to this function."), sub_code)


def step_up_required() -> ApiError:
    # HTTP 401 with subCode 8 is what the app reacts to; status.code 403 is what community clients check.
    return ApiError(
        401,
        403,
        "STEP_UP_REQUIRED",
        _("This content is sensitive. Log in with MitID to see it."),
        SUB_STEP_UP_REQUIRED,
    )


def internal_error() -> ApiError:
    return ApiError(500, 500, "INTERNAL_ERROR", _("Something went wrong on our side. Try again later."))


def from_exception(error: Exception) -> ApiError | None:
    """The API answer for an error raised by a query or an action; None for unexpected errors."""
    if isinstance(error, ApiError):
        return error
    if isinstance(error, Http404):  # kinabog.core.errors.NotFound included
        return not_found()
    if isinstance(error, StepUpRequired):
        return step_up_required()
    if isinstance(error, Refused):
        return refused()
    if isinstance(error, InvalidInput):
        return bad_parameters(error.message)
    return None
