"""Helpers for the few statements written out in SQL (where the ORM cannot say it in one statement)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
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


def marks(values: Collection[Any]) -> str:
    """One parameter placeholder per value, for `IN (…)`."""
    return ", ".join(["%s"] * len(values))


Converter = Callable[[Any, Any, Any], Any]


def select(model: type[M], condition: str, params: Sequence[Any]) -> list[M]:
    """The instances of `model` whose rows meet a written-out condition (it may end with ORDER BY; every
    value a parameter), all columns loaded and converted as the ORM would (dates, times and booleans on
    SQLite): what `Model.objects.filter(…)` answers, without building the statement on every call. For the
    small reads of the busiest pages, where building a query costs more than answering it."""
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"SELECT {columns} FROM {table(model)} WHERE {condition}"  # noqa: S608 - from the model; values as parameters
    converting: list[tuple[int, Any, list[Converter]]] = []
    for position, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            converting.append((position, column, converters))
    names = [f.attname for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        fetched = cursor.fetchall()
    result = []
    for row in fetched:
        values = list(row)
        for position, column, converters in converting:
            for convert in converters:
                values[position] = convert(values[position], column, connection)
        result.append(model.from_db(connection.alias, names, values))
    return result
