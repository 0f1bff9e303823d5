"""The Aula API methods, one module per Aula module name; importing them registers them."""

from . import calendar, groups, messaging, notifications, posts, presence, profiles, search, session

__all__ = ["calendar", "groups", "messaging", "notifications", "posts", "presence", "profiles", "search", "session"]
