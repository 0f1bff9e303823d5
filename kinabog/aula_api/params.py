"""One API call as handlers see it: the viewer and typed parameters.

Parameters come from the JSON body of a POST first, then the query string. Arrays are PHP-style
repeated keys (`ids[]=1&ids[]=2`); the bare key (`ids=1&ids=2`) is accepted too, as some clients
send it. Anything that cannot be read answers 200/code 40, as Aula does.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.http import HttpRequest

from kinabog.accounts.session import assurance_level, current_viewer
from kinabog.institutions.access import Viewer

from . import errors
from .registry import ApiMethod

MAX_LIST_LENGTH = 500
MAX_BODY_BYTES = 1024 * 1024
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class ApiRequest:
    def __init__(self, http: HttpRequest, method: ApiMethod, version: int) -> None:
        self.http = http
        self.method = method
        self.version = version

    # --- who is asking ----------------------------------------------------------------------------

    @property
    def viewer(self) -> Viewer:
        """The signed-in person in the activated portal role (cached on the request)."""
        return current_viewer(self.http)

    @property
    def user_id(self) -> int:
        if self.http.user.pk is None:
            raise errors.not_authenticated()
        return int(self.http.user.pk)

    @property
    def username(self) -> str:
        return str(self.http.user.get_username())

    @property
    def assurance_level(self) -> int:
        return assurance_level(self.http)

    # --- parameters -------------------------------------------------------------------------------

    @cached_property
    def body(self) -> dict[str, Any]:
        if self.http.method != "POST" or not self.http.body:
            return {}
        if len(self.http.body) > MAX_BODY_BYTES:
            raise errors.bad_parameters()
        try:
            data = json.loads(self.http.body)
        except (ValueError, UnicodeDecodeError):
            raise errors.bad_parameters() from None
        if not isinstance(data, dict):
            raise errors.bad_parameters()
        return data

    def _value(self, name: str) -> Any:
        if name in self.body:
            return self.body[name]
        return self.http.GET.get(name)

    def text(self, name: str, *, required: bool = False, default: str | None = None) -> str | None:
        value = self._value(name)
        if value is None or value == "":
            if required:
                raise errors.bad_parameters()
            return default
        if not isinstance(value, str | int):
            raise errors.bad_parameters()
        return str(value).strip()

    def integer(self, name: str) -> int:
        value = self._value(name)
        if value is None or value == "":
            raise errors.bad_parameters()
        return _to_int(value)

    def optional_integer(self, name: str, default: int | None = None) -> int | None:
        value = self._value(name)
        if value is None or value == "":
            return default
        return _to_int(value)

    def integers(self, name: str) -> list[int]:
        """An array parameter: `name[]` repeated (or bare `name`), or a JSON list in the body."""
        if name in self.body:
            values = self.body[name]
            if not isinstance(values, list):
                raise errors.bad_parameters()
        else:
            values = self.http.GET.getlist(f"{name}[]") or self.http.GET.getlist(name)
        if len(values) > MAX_LIST_LENGTH:
            raise errors.bad_parameters()
        return [_to_int(value) for value in values]

    def flag(self, name: str, *, default: bool = False) -> bool:
        value = self._value(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise errors.bad_parameters()

    def json_object(self, name: str) -> dict[str, Any]:
        """A JSON object in the POST body (e.g. `message: {text}`); code 40 when it is missing or not one."""
        value = self.body.get(name)
        if not isinstance(value, dict):
            raise errors.bad_parameters()
        return value

    def json_objects(self, name: str) -> list[dict[str, Any]]:
        """A list of JSON objects in the POST body (e.g. `recipients`); an absent list is empty."""
        values = self.body.get(name)
        if values is None:
            return []
        if not isinstance(values, list) or len(values) > MAX_LIST_LENGTH:
            raise errors.bad_parameters()
        if not all(isinstance(value, dict) for value in values):
            raise errors.bad_parameters()
        return values


def to_int(value: Any) -> int:
    """A number inside a JSON object of the body (an id in `recipients`); code 40 when it is not one."""
    return _to_int(value)


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise errors.bad_parameters()
    try:
        number = int(str(value).strip())
    except ValueError:
        raise errors.bad_parameters() from None
    # Ids are database keys: larger numbers can only be mistakes and would overflow the column type.
    if not -(2**63) < number < 2**63:
        raise errors.bad_parameters()
    return number
