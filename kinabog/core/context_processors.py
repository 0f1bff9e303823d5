"""What the base layout needs on every page: the viewer's roles and the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from kinabog.accounts.session import current_viewer
    from kinabog.messaging.queries import unread_count
    from kinabog.presence.access import uses_presence

    viewer = current_viewer(request)
    context: dict[str, Any] = {"viewer": viewer}
    # "Komme/gå" in the menu: decided from the viewer's profiles, no query.
    context["presence_nav"] = uses_presence(viewer)
    if viewer.portal_role:
        # The badge on "Beskeder": one count query.
        context["unread_messages"] = unread_count(viewer)
    return context
