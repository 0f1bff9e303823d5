"""Helpers for the few statements written out in SQL (where the ORM cannot say it in one statement)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)


def table(model: type[Any]) -> str:
    """A model's table name, quoted for the database in use: the only text put into such a statement
    besides the statement itself (every value is a parameter)."""
    return connection.ops.quote_name(model._meta.db_table)


def loaded(model: type[M], values: Mapping[str, Any]) -> M:
    """An instance of `model` from the columns a statement read or wrote (by attname: `person_id`, not
    `person`), the rest deferred as `.only()` leaves them: they load if asked for. Model.from_db wants the
    values in the model's own field order, whatever order they were selected in."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])
