"""The check-in feed for external staffing systems: JSON, authenticated by an institution's feed key.

`GET /komme-gaa/feed/v1/events/?cursor=…&limit=…` with `Authorization: Bearer <key>` answers
`{"events": [...], "nextCursor": "...", "hasMore": bool}`. Keep `nextCursor` and ask again with it;
an empty page keeps the cursor where it was. See kinabog/presence/feed.py for the event shape.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from kinabog.core.errors import InvalidInput
from kinabog.core.json_answer import json_answer

from . import feed


def _answer(payload: dict[str, object], status: int = 200) -> HttpResponse:
    response = json_answer(payload, status=status)
    add_never_cache_headers(response)
    return response


@require_GET
def feed_events_view(request: HttpRequest) -> HttpResponse:
    key = feed.key_from_header(request.headers.get("Authorization", ""))
    if key is None:
        response = _answer({"error": "invalid_key", "message": "A valid feed key is required."}, 401)
        response["WWW-Authenticate"] = 'Bearer realm="kinabog-presence-feed"'
        return response
    limit_text = request.GET.get("limit")
    try:
        limit = int(limit_text) if limit_text else None
        page = feed.feed_page(key, request.GET.get("cursor"), limit)
    except (ValueError, InvalidInput) as error:
        field = getattr(error, "field", None) or "limit"
        return _answer({"error": "invalid_parameter", "parameter": field}, 400)
    return _answer(
        {
            "institutionCode": key.institution.code,
            "events": page.events,
            "nextCursor": page.next_cursor,
            "hasMore": page.has_more,
        }
    )
