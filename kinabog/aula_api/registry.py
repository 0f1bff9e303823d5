"""The method registry: `module.action` names, matched case-insensitively, mapped to handlers.

A handler module registers its functions with `@api_method("profiles.getProfileContext")`; the
modules are imported once when the app is ready (see apps.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .params import ApiRequest

Handler = Callable[["ApiRequest"], Any]


@dataclass(frozen=True)
class ApiMethod:
    name: str
    handler: Handler
    verbs: frozenset[str]
    # Works with an access token alone, before a profile is activated (the session bootstrap).
    bootstrap: bool = False


_METHODS: dict[str, ApiMethod] = {}


def api_method(
    name: str, *, verbs: tuple[str, ...] = ("GET",), bootstrap: bool = False
) -> Callable[[Handler], Handler]:
    """Register a handler under an Aula method name."""

    def register(handler: Handler) -> Handler:
        key = name.lower()
        if key in _METHODS and _METHODS[key].handler is not handler:
            raise ImproperlyConfigured(f"Aula API method {name} is registered twice")
        _METHODS[key] = ApiMethod(name=name, handler=handler, verbs=frozenset(verbs), bootstrap=bootstrap)
        return handler

    return register


def find_method(name: str) -> ApiMethod | None:
    return _METHODS.get(name.strip().lower())


def method_names() -> list[str]:
    return sorted(method.name for method in _METHODS.values())
