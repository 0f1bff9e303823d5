"""The Content-Security-Policy header, and opt-in measuring aids (off unless the environment asks for them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase

# What makes one response's policy differ from the settings': django-csp's view decorators.
_PER_RESPONSE = (
    "_csp_exempt",
    "_csp_exempt_ro",
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
# The policies as the settings say them (enforced, report-only) and whether the settings exclude URL prefixes
# from them; built on first use in each process, and again when a test changes the settings.
_from_settings: list[tuple[str, str, bool]] = []


@receiver(setting_changed)
def _forget_policies(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        _from_settings.clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the header built once per process where nothing varies it.

    django-csp builds the policy from the settings on every response, twice (enforced and report-only): a
    tenth of the CPU of a signed-in ping (docs/performance.md). Kinabog's policy is the same for every
    response unless a view asks otherwise, through django-csp's decorators or by using a nonce; those
    responses, and every response while DEBUG is on or URL prefixes are excluded, go django-csp's own way.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not _from_settings:
            _from_settings.append((build_policy(), build_policy(report_only=True), _excludes_prefixes()))
        policy, report_only, excludes = _from_settings[0]
        if (
            excludes
            or settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_RESPONSE)
        ):
            return super().process_response(request, response)
        if policy and HEADER not in response:
            response[HEADER] = policy
        if report_only and HEADER_REPORT_ONLY not in response:
            response[HEADER_REPORT_ONLY] = report_only
        # As django-csp does: a nonce asked for after the header is written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response


def _excludes_prefixes() -> bool:
    return any(
        (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
        for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
    )


QUERY_COUNT_HEADER = "X-Query-Count"


class QueryCountHeaderMiddleware:
    """Adds `X-Query-Count`: how many database queries the request ran, after-commit work included.

    Installed first in MIDDLEWARE when KINABOG_QUERY_COUNT_HEADER=1, so the session and login reads count
    too. The benchmarks (`./run bench`) read it to report queries per request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _QueryCounter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response[QUERY_COUNT_HEADER] = str(counter.count)
        return response


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)
