"""Aula's response envelope: `{"status": {...}, "data": ...}` for every answer, success or not."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

from .errors import ApiError

OK_STATUS = {"code": 0, "message": "OK"}


def success(data: Any) -> JsonResponse:
    return _response({"status": dict(OK_STATUS), "data": data}, 200)


def failure(error: ApiError) -> JsonResponse:
    status = {
        "httpCode": error.http_status,
        "code": error.code,
        "message": error.message,
        "presentedMessage": str(error.presented_message) or None,
        "subCode": error.sub_code,
    }
    return _response({"status": status, "data": None}, error.http_status)


def _response(payload: dict[str, Any], http_status: int) -> JsonResponse:
    response = JsonResponse(payload, status=http_status, json_dumps_params={"ensure_ascii": False})
    # Every answer is about one person's data: never stored by shared caches or the browser.
    add_never_cache_headers(response)
    return response
