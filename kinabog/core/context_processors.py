"""What the base layout needs on every page: the viewer's roles and the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from kinabog.accounts.session import current_viewer

    viewer = current_viewer(request)
    return {"viewer": viewer}
