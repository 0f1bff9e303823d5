"""Helpers for the few statements written out in SQL (where the ORM cannot say it in one statement)."""

from __future__ import annotations

from typing import Any

from django.db import connection


def table(model: type[Any]) -> str:
    """A model's table name, quoted for the database in use: the only text put into such a statement
    besides the statement itself (every value is a parameter)."""
    return connection.ops.quote_name(model._meta.db_table)
