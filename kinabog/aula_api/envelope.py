"""Aula's response envelope: `{"status": {...}, "data": ...}` for every answer, success or not."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

from kinabog.core.json_answer import json_answer

from .errors import ApiError

OK_STATUS = {"code": 0, "message": "OK"}


def success(data: Any) -> HttpResponse:
    return _response({"status": dict(OK_STATUS), "data": data}, 200)


def failure(error: ApiError) -> HttpResponse:
    status = {
        "httpCode": error.http_status,
        "code": error.code,
        "message": error.message,
        "presentedMessage": str(error.presented_message) or None,
        "subCode": error.sub_code,
    }
    return _response({"status": status, "data": None}, error.http_status)


def _response(payload: dict[str, Any], http_status: int) -> HttpResponse:
    response = json_answer(payload, status=http_status)
    # Every answer is about one person's data: never stored by shared caches or the browser.
    add_never_cache_headers(response)
    return response
