"""The one endpoint: /api/vNN/?method=module.action, answered in Aula's envelope.

Thin: check the version, find the method, run the bootstrap rules (token, session, activated profile,
csrfp-token), call the handler and wrap what it returns. Every failure is an envelope, never an HTML page.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import bootstrap, envelope, errors
from .params import ApiRequest
from .registry import find_method

# The versions current clients speak (app 2.15.4 uses v23; the web frontend v24). Every other version
# answers 410/code 10, which makes clients probe upward until they find one of these.
SUPPORTED_VERSIONS = frozenset({23, 24})

logger = logging.getLogger(__name__)


@csrf_exempt  # the csrfp-token check in bootstrap replaces Django's for this endpoint
def api_view(request: HttpRequest, version: str) -> HttpResponse:
    try:
        response: HttpResponse = envelope.success(dispatch(request, int(version)))
    except Exception as error:  # every error becomes an envelope; unexpected ones are logged
        api_error = errors.from_exception(error)
        if api_error is None:
            # The query string is not logged: on the bootstrap it carries the access token.
            logger.exception("Aula API call %s failed", request.GET.get("method", "")[:100])
            api_error = errors.internal_error()
        response = envelope.failure(api_error)
    bootstrap.write_csrfp_cookie(request, response, always=getattr(request, "kinabog_refresh_csrfp", False))
    return response


def dispatch(request: HttpRequest, version: int) -> Any:
    if version not in SUPPORTED_VERSIONS:
        raise errors.unsupported_version()
    method = find_method(request.GET.get("method", ""))
    if method is None:
        raise errors.unknown_method()
    if request.method not in method.verbs:
        raise errors.wrong_verb()
    bootstrap.authenticate(request, method)
    if request.method == "POST":
        bootstrap.check_csrfp(request)
    if not method.bootstrap and not bootstrap.is_profile_activated(request):
        raise errors.no_profile_activated()
    return method.handler(ApiRequest(request, method, version))
