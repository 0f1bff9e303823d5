"""notifications.*: the active profile's notifications (badges and alerts with deep links)."""

from __future__ import annotations

from typing import Any

from kinabog.notifications import queries

from .. import errors
from .. import messaging_serializers as serializers
from ..params import ApiRequest
from ..registry import api_method

MAX_OFFSET = 10_000


@api_method("notifications.getNotificationsForActiveProfile")
def get_notifications_for_active_profile(api: ApiRequest) -> list[dict[str, Any]]:
    """The unseen notifications of the active portal role, newest first (`offset`, `limit`).

    A notification is seen once its thread is read; sensitive ones carry neither title nor sender.
    """
    offset = api.optional_integer("offset", 0)
    limit = api.optional_integer("limit", queries.PAGE_SIZE)
    if offset is None or limit is None or not 0 <= offset <= MAX_OFFSET or not 1 <= limit <= queries.MAX_PAGE_SIZE:
        raise errors.bad_parameters()
    rows = queries.my_notifications(api.viewer, offset=offset, limit=limit, unseen_only=True)
    return [serializers.notification(row) for row in rows]
