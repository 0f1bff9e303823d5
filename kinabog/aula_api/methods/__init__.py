"""The Aula API methods, one module per Aula module name; importing them registers them."""

from . import groups, profiles, session

__all__ = ["groups", "profiles", "session"]
