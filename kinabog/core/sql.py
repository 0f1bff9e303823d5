"""Helpers for the few statements written out in SQL (where the ORM cannot say it in one statement)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from functools import cache, cached_property
from typing import Any, Generic, NamedTuple, TypeVar

from django.db import connection
from django.db.models import DEFERRED, Model, signals
from django.db.models.base import ModelState

M = TypeVar("M", bound=Model)


_quoted_tables: dict[type[Any], str] = {}


def table(model: type[Any]) -> str:
    """A model's table name, quoted for the database in use: the only text put into such a statement
    besides the statement itself (every value is a parameter). Quoted once per process: a process has one
    database, and a tap on "check in" builds a dozen of these."""
    quoted = _quoted_tables.get(model)
    if quoted is None:
        quoted = _quoted_tables[model] = connection.ops.quote_name(model._meta.db_table)
    return quoted


_attnames: dict[type[Any], frozenset[str]] = {}


def loaded(model: type[M], values: Mapping[str, Any]) -> M:
    """An instance of `model` from the columns a statement read or wrote (by attname: `person_id`, not
    `person`), the rest deferred as `.only()` leaves them: they load if asked for. Built as Columns.load builds
    its instances where nobody listens for the model's init signals (a tap on "check in" answers with one);
    otherwise by Model.from_db, which wants the values in the model's own field order."""
    attnames = _attnames.get(model)
    if attnames is None:
        attnames = _attnames[model] = frozenset(f.attname for f in model._meta.concrete_fields)
    if not (signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)):
        instance = model.__new__(model)
        instance.__dict__.update((name, value) for name, value in values.items() if name in attnames)
        state = instance._state = ModelState()
        state.adding, state.db = False, connection.alias
        return instance
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


_inserts: dict[tuple[type[Any], tuple[str, ...]], tuple[str, list[Any]]] = {}


def insert(model: type[M], values: Mapping[str, Any]) -> M:
    """Write one row of `model` with `values` (by attname; every column without a database default, and no
    primary key) and answer the instance, loaded as `loaded` loads it, with its new id. What
    `Model.objects.create` does for a model no one listens to saves of, at a quarter of its CPU: a new thread
    with its first message took the ORM 0.75 ms more than the statements it wrote. Values are prepared for
    the database as the ORM prepares them (`Field.get_db_prep_save`)."""
    key = (model, tuple(values))
    written = _inserts.get(key)
    if written is None:
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        fields = [by_attname[name] for name in values]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        pk = connection.ops.quote_name(model._meta.pk.column)
        sql = f"INSERT INTO {table(model)} ({columns}) VALUES ({marks(fields)}) RETURNING {pk}"  # noqa: S608
        written = _inserts[key] = (sql, fields)
    sql, fields = written
    params = [field.get_db_prep_save(value, connection) for field, value in zip(fields, values.values(), strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (pk_value,) = cursor.fetchone()
    return loaded(model, {**values, model._meta.pk.attname: pk_value})


def marks(values: Collection[Any]) -> str:
    """One parameter placeholder per value, for `IN (…)` of a list whose length is fixed (roles, kinds)."""
    return ", ".join(["%s"] * len(values))


def any_of(column: str, values: Collection[Any]) -> tuple[str, list[Any]]:
    """`column` is one of `values`: the condition and its parameters. One value is `= %s`, planned for exactly
    that. More travel on PostgreSQL as one array, so the statement's text is the same however many there are,
    and it is prepared and planned once per connection (decision 0013) instead of once for each length the list
    happens to have; SQLite has no arrays, and gets `IN (%s, …)`. No values: a condition nothing meets.

    The array is unpacked in a sub-select, `= ANY(ARRAY(SELECT unnest(%s)))`, so that no plan knows its
    values (decision 0021): with `= ANY(%s)` a plan for the values at hand (a guardian's two children) looked
    cheaper than the plan for any values, and PostgreSQL planned the statement anew on every execution,
    costing it six times what answering it did.

    Not for a list that can run to thousands (every plan assumes ten), nor for one whose statement PostgreSQL
    plans by its length (a page of the inbox, whose participants' plan was a third slower as one generic plan for
    every length), nor for one that decides the order of the rows: an index is walked in order for `= x`, not for
    `= ANY(…)`."""
    if not values:
        return "1 = 0", []
    if len(values) == 1:
        return f"{column} = %s", list(values)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(ARRAY(SELECT unnest(%s)))", [list(values)]
    return f"{column} IN ({marks(values)})", list(values)


Converter = Callable[[Any, Any, Any], Any]


class Columns(Generic[M]):
    """Some columns of a model, read under a table alias in a written-out statement that joins several
    tables, and the instance each row's share of them loads: converted as the ORM would (dates, times and
    booleans on SQLite), the columns not read deferred as `.only()` leaves them.

        PERSON = Columns(Person, "pe", ["id", "first_name"])
        f"SELECT {PERSON.sql}, … FROM … JOIN {table(Person)} pe ON …"
        person = PERSON.load(row, start)   # the row's values from `start` on; None where the join found none
    """

    def __init__(self, model: type[M], alias: str, attnames: Collection[str]) -> None:
        every = model._meta.concrete_fields
        fields = [f for f in every if f.attname in attnames]  # in the model's order, as from_db wants them
        unknown = set(attnames) - {f.attname for f in fields}
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        self.model, self.alias, self.width = model, alias, len(fields)
        self._fields = fields
        self._names = [f.attname for f in fields]
        self._pk = next((i for i, f in enumerate(fields) if f.primary_key), None)
        # Where each column goes among all of the model's: from_db then fills in no gaps itself.
        self._places = [every.index(f) for f in fields] if len(fields) < len(every) else None
        self._every = len(every)
        self._converting: list[tuple[int, Any, list[Converter]]] | None = None
        self._plain = False  # whether no one listens for the model's init signals (set with the converters)

    @cached_property
    def sql(self) -> str:
        """The columns as the statement's SELECT lists them (built once: the database is one per process)."""
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(f.column)}" for f in self._fields)

    def _converters(self) -> list[tuple[int, Any, list[Converter]]]:
        if self._converting is None:
            converting = []
            for position, field in enumerate(self._fields):
                column = field.get_col(self.model._meta.db_table)
                converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                if converters:
                    converting.append((position, column, converters))
            model = self.model
            self._plain = not (signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model))
            self._converting = converting
        return self._converting

    def load(self, row: Sequence[Any], start: int = 0, db: str | None = None) -> M | None:
        """The instance of this share of `row`, or None where its primary key is NULL (an outer join).
        `db` is the connection's alias, for callers loading many (reading it costs a thread-local look-up)."""
        values = list(row[start : start + self.width])
        if self._pk is not None and values[self._pk] is None:
            return None
        converting = self._converting if self._converting is not None else self._converters()
        for position, column, converters in converting:
            for convert in converters:
                values[position] = convert(values[position], column, connection)
        if self._plain:
            # What Model.from_db builds, without Model.__init__ going through every field: the columns read
            # in the instance's __dict__ and the rest deferred (their descriptors load them when asked).
            instance = self.model.__new__(self.model)
            instance.__dict__.update(zip(self._names, values, strict=True))
            state = instance._state = ModelState()
            state.adding, state.db = False, db or connection.alias
            return instance
        if self._places is not None:
            every: list[Any] = [DEFERRED] * self._every
            for place, value in zip(self._places, values, strict=True):
                every[place] = value
            values = every
        return self.model.from_db(db or connection.alias, self._names, values)


def load_row(row: Sequence[Any], parts: Sequence[Columns[Any]], db: str | None = None) -> list[Any]:
    """The instances one row of a join holds, each part's columns after the previous part's (None where an
    outer join found nothing). `db`: the connection's alias, read once by a caller loading many rows."""
    db = db or connection.alias
    instances, start = [], 0
    for part in parts:
        instances.append(part.load(row, start, db))
        start += part.width
    return instances


def select_joined(parts: Sequence[Columns[Any]], rest: str, params: Sequence[Any]) -> list[list[Any]]:
    """The instances of each row of `SELECT <the parts' columns> <rest>`: a written-out join (`rest` is its FROM,
    joins, conditions and order, every value a parameter) whose columns are all the parts', loaded in order."""
    sql = f"SELECT {', '.join(part.sql for part in parts)} {rest}"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        fetched = cursor.fetchall()
    db = connection.alias
    return [load_row(row, parts, db) for row in fetched]


def every_column(model: type[M], alias: str) -> Columns[M]:
    """All of a model's columns under `alias`: its instances load as the ORM's would, nothing deferred."""
    return Columns(model, alias, [f.attname for f in model._meta.concrete_fields])


_every_column: dict[type[Model], Columns[Any]] = {}


def _columns_of(model: type[M]) -> Columns[M]:
    columns = _every_column.get(model)
    if columns is None:
        columns = _every_column[model] = every_column(model, table(model))
    return columns


def _select_sql(model: type[Any], condition: str) -> str:
    return f"SELECT {_columns_of(model).sql} FROM {table(model)} WHERE {condition}"  # noqa: S608 - from the model; values as parameters


def _instances(model: type[M], rows: Sequence[Sequence[Any]]) -> list[M]:
    """The instances of `model` in rows of all its columns (_select_sql's)."""
    columns = _columns_of(model)
    return [instance for row in rows if (instance := columns.load(row)) is not None]


def select(model: type[M], condition: str, params: Sequence[Any]) -> list[M]:
    """The instances of `model` whose rows meet a written-out condition (it may end with ORDER BY; every
    value a parameter), all columns loaded and converted as the ORM would (dates, times and booleans on
    SQLite): what `Model.objects.filter(…)` answers, without building the statement on every call. For the
    small reads of the busiest pages, where building a query costs more than answering it."""
    with connection.cursor() as cursor:
        cursor.execute(_select_sql(model, condition), list(params))
        fetched = cursor.fetchall()
    return _instances(model, fetched)


@cache
def _pipelines() -> bool:
    """Whether psycopg's libpq can send statements in a pipeline (libpq 14 or later)."""
    import psycopg

    return bool(psycopg.Pipeline.is_supported())


class Read(NamedTuple):
    """One select(): `select(*read)` answers it, `select_each` answers several at once."""

    model: type[Any]
    condition: str
    params: Sequence[Any]


def select_each(*reads: Read) -> list[list[Any]]:
    """What select() answers for each read, in order; on PostgreSQL sent together in one round trip.

    Psycopg's pipeline sends every statement before reading any answer, so the server answers them one after
    the other without waiting for the client in between: one exchange of packets, and one wake-up of each
    process, instead of one per statement. For the independent small reads of the busiest pages (decision
    0020). Elsewhere (SQLite, in the same process) they run one after the other."""
    if connection.vendor != "postgresql" or len(reads) < 2 or not _pipelines():
        return [select(*read) for read in reads]
    connection.ensure_connection()
    cursors = []
    with connection.connection.pipeline():
        for read in reads:
            cursor = connection.cursor()
            cursor.execute(_select_sql(read.model, read.condition), list(read.params))
            cursors.append(cursor)
    answers = []
    for read, cursor in zip(reads, cursors, strict=True):
        with cursor:
            answers.append(_instances(read.model, cursor.fetchall()))
    return answers
