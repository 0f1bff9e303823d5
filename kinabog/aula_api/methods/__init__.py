"""The Aula API methods, one module per Aula module name; importing them registers them."""

from . import (
    birthdays,
    calendar,
    comments,
    groups,
    messaging,
    notifications,
    posts,
    presence,
    profiles,
    resources,
    search,
    session,
)

__all__ = [
    "birthdays",
    "calendar",
    "comments",
    "groups",
    "messaging",
    "notifications",
    "posts",
    "presence",
    "profiles",
    "resources",
    "search",
    "session",
]
