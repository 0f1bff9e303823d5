"""search.*: finding recipients to write to, and searching one's own messages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone

from kinabog.messaging import queries

from .. import errors
from .. import messaging_serializers as serializers
from ..params import ApiRequest
from ..registry import api_method

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 10_000
MAX_TEXT = 200


def _limit(api: ApiRequest) -> int:
    limit = api.optional_integer("limit", DEFAULT_LIMIT)
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        raise errors.bad_parameters()
    return limit


def _search_text(api: ApiRequest, name: str) -> str:
    text = api.text(name) or ""
    if len(text) > MAX_TEXT:
        raise errors.bad_parameters()
    return text


@api_method("search.findRecipients")
def find_recipients(api: ApiRequest) -> dict[str, Any]:
    """People, groups and common inboxes the viewer may write to; protected people by alias only."""
    limit = _limit(api)
    candidates = queries.find_recipients(api.viewer, _search_text(api, "text"), limit=limit)
    return {
        "totalHits": len(candidates),
        "results": [serializers.recipient_candidate(c) for c in candidates[:limit]],
    }


# Aula's web client reads with a POST and a JSON body, as here.
@api_method("search.findMessage", verbs=("POST",))
def find_message(api: ApiRequest) -> dict[str, Any]:
    """Messages in the viewer's own threads matching `text`, newest first; `fromDate`/`toDate` narrow
    them (inclusive; `YYYY-MM-DD` or an ISO-8601 time). Sensitive threads are searched at level 3 only."""
    limit = _limit(api)
    offset = api.optional_integer("offset", 0)
    if offset is None or not 0 <= offset <= MAX_OFFSET:
        raise errors.bad_parameters()
    date_from, date_to = _date(api, "fromDate"), _date(api, "toDate")
    if date_from and date_to and date_from > date_to:
        raise errors.bad_parameters()
    found = queries.search_messages(
        api.viewer,
        _search_text(api, "text"),
        sender=_search_text(api, "senderName") or None,  # a Kinabog extension: the sender's shown name
        date_from=date_from,
        date_to=date_to,
        limit=limit,
        offset=offset,
    )
    return {"results": [serializers.message_hit(hit) for hit in found.hits], "totalSize": found.total}


def _date(api: ApiRequest, name: str) -> date | None:
    value = api.text(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise errors.bad_parameters() from None
    if timezone.is_aware(moment):
        return timezone.localtime(moment).date()
    return moment.date()
