"""JSON answers, encoded with orjson: a page of the Aula API's inbox is 45 kB of JSON, which the standard
library's encoder wrote in 0.4 ms and orjson writes in 0.06 (docs/performance-history.md, session 10).

What it writes means what `JsonResponse` wrote: dates, times and datetimes, decimals, UUIDs and lazy
translations are encoded by Django's own `DjangoJSONEncoder`, integer keys become strings, and text is
UTF-8 as it is (no `\\u` escapes). Only the spaces after `,` and `:` are gone.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

_DJANGO = DjangoJSONEncoder()
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def dumps(data: Any) -> bytes:
    """`data` as JSON bytes."""
    return orjson.dumps(data, default=_DJANGO.default, option=_OPTIONS)


def json_answer(data: Any, *, status: int = 200) -> HttpResponse:
    """An `application/json` answer with `data`."""
    return HttpResponse(dumps(data), status=status, content_type="application/json")
