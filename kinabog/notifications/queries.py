"""Reads of notifications: only the viewer's own, in the portal role they act in now.

A notification addressed through one of the person's profiles shows in that profile's portal role,
as the thread it points at does in the inbox; one without a profile shows in every role.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kinabog.core.errors import NotFound
from kinabog.institutions.access import Viewer

from .models import Area, Delivery, Notification, NotificationSetting

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def _mine(viewer: Viewer) -> QuerySet[Notification]:
    if viewer.person_id is None:
        return Notification.objects.none()
    return Notification.objects.filter(person_id=viewer.person_id).filter(
        Q(profile_id__in=viewer.profile_ids) | Q(profile__isnull=True)
    )


def my_notifications(
    viewer: Viewer, *, offset: int = 0, limit: int = PAGE_SIZE, unseen_only: bool = False
) -> list[Notification]:
    """The viewer's notifications, newest first, with the profile's institution loaded."""
    rows = _mine(viewer)
    if unseen_only:
        rows = rows.filter(seen_at__isnull=True)
    offset = max(offset, 0)
    limit = min(max(limit, 0), MAX_PAGE_SIZE)
    return list(rows.select_related("profile__institution").order_by("-created_at", "-id")[offset : offset + limit])


def unseen_count(viewer: Viewer) -> int:
    return _mine(viewer).filter(seen_at__isnull=True).count()


def get_notification(viewer: Viewer, notification_id: int) -> Notification:
    """One of the viewer's notifications; NotFound for anyone else's."""
    notification = _mine(viewer).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound
    return notification


def my_delivery_settings(viewer: Viewer) -> dict[str, str]:
    """How the viewer gets e-mail about each area; an area never chosen is a daily digest."""
    if viewer.person_id is None:
        raise NotFound
    chosen = dict(NotificationSetting.objects.filter(person_id=viewer.person_id).values_list("area", "delivery"))
    return {area: chosen.get(area, Delivery.DIGEST) for area in Area.values}
