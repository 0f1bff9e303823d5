"""The Aula API methods, one module per Aula module name; importing them registers them."""

from . import groups, messaging, notifications, presence, profiles, search, session

__all__ = ["groups", "messaging", "notifications", "presence", "profiles", "search", "session"]
