"""What the base layout needs on every page: the viewer's roles and the navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from kinabog.institutions.access import Viewer

# The layout's links, by name: none takes an argument, so each is reversed once per process (per URL
# configuration and script prefix), where ten {% url %} tags on every page cost half a millisecond.
SHELL_URLS = {
    "overview": "institutions:overview",
    "messages": "messaging:inbox",
    "calendar": "calendar:week",
    "presence": "presence:index",
    "consents": "consents:index",
    "notifications": "notifications:list",
    "profile": "institutions:profile",
    "administration": "institutions:administration",
    "switch_role": "accounts:switch_role",
    "logout": "accounts:logout",
    "set_language": "accounts:set_language",
}
_reversed: dict[tuple[str, Any, str], dict[str, str]] = {}

# The pages the menu's "Administration" stands for (the calendar's resources among them).
ADMINISTRATION_PAGES = {"administration", "permissions", "communication", "resources", "resource_edit"}


@dataclass(frozen=True)
class MenuItem:
    url: str
    label: str
    current: bool
    badge: int = 0  # unread messages


def shell_urls() -> dict[str, str]:
    key = (get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)
    urls = _reversed.get(key)
    if urls is None:
        urls = _reversed[key] = {name: reverse(view) for name, view in SHELL_URLS.items()}
    return urls


def shell(request: HttpRequest) -> dict[str, Any]:
    urls = shell_urls()
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"shell_urls": urls}
    from kinabog.accounts.session import current_viewer
    from kinabog.messaging.queries import unread_count

    viewer = current_viewer(request)
    # The badge on "Beskeder": one count query.
    unread = unread_count(viewer) if viewer.portal_role else 0
    return {"viewer": viewer, "shell_urls": urls, "main_menu": main_menu(request, viewer, urls, unread)}


def main_menu(request: HttpRequest, viewer: Viewer, urls: dict[str, str], unread: int) -> list[MenuItem]:
    """The main menu's links for the viewer, the page's own marked as current."""
    match = request.resolver_match
    app, page = (match.app_name, match.url_name) if match else ("", "")
    from kinabog.institutions.access import administers_anything
    from kinabog.presence.access import uses_presence

    items = [MenuItem(urls["overview"], _("Overview"), page == "overview")]
    if viewer.portal_role:
        items.append(MenuItem(urls["messages"], _("Messages"), app == "messaging", unread))
        calendar = app == "calendar" and page not in ("resources", "resource_edit")
        items.append(MenuItem(urls["calendar"], _("Calendar"), calendar))
    if uses_presence(viewer):  # "Komme/gå": decided from the viewer's profiles, no query
        items.append(MenuItem(urls["presence"], _("Check-in"), app == "presence"))
    if viewer.portal_role in ("guardian", "employee"):
        items.append(MenuItem(urls["consents"], _("Consents"), app == "consents"))
    if viewer.portal_role:
        items.append(MenuItem(urls["notifications"], _("Notifications"), app == "notifications"))
    items.append(MenuItem(urls["profile"], _("Profile"), page == "profile"))
    if administers_anything(viewer):
        items.append(MenuItem(urls["administration"], _("Administration"), page in ADMINISTRATION_PAGES))
    return items
