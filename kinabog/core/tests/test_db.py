"""core.db: PostgreSQL binds parameters on the server and prepares repeated statements; a statement with more
values than the protocol carries is bound in the client instead (decision 0013). Moments are read by
psycopg's C loader, in UTC, as Django's own loader reads them. A connection's health is checked when it has
been idle (decision 0017)."""

from __future__ import annotations

import datetime
import time
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import OperationalError, close_old_connections, connection
from psycopg.pq import Format

from kinabog.audit.models import AuditEntry
from kinabog.core.db.postgresql.base import FAST_MOMENTS, MAX_PARAMETERS, SOUND_FOR_SECONDS, UtcTimestamptzLoader

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's protocol"),
]


def test_connections_bind_parameters_on_the_server():
    assert connection.features.uses_server_side_binding


def test_a_statement_with_more_values_than_the_protocol_carries_is_answered():
    AuditEntry.objects.bulk_create(
        [AuditEntry(action="test.many", object_type="row", object_id=str(n)) for n in range(3)]
    )
    first = AuditEntry.objects.filter(action="test.many").order_by("id").values_list("id", flat=True)[0]
    ids = [first, *range(-MAX_PARAMETERS - 10, 0)]  # one real id among 65,546 values
    assert AuditEntry.objects.filter(id__in=ids).count() == 1
    assert AuditEntry.objects.filter(id__in=ids).update(reason="found") == 1
    assert AuditEntry.objects.get(id=first).reason == "found"


def test_a_statement_run_again_and_again_is_prepared_once():
    sql = "SELECT count(*) FROM audit_auditentry WHERE object_type = %s"
    with connection.cursor() as cursor:
        for _ in range(6):
            cursor.execute(sql, ["thread"])
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert "SELECT count(*) FROM audit_auditentry WHERE object_type = $1" in prepared


COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@pytest.mark.skipif(not FAST_MOMENTS, reason="psycopg's C extension")
def test_moments_are_read_by_the_c_loader():
    connection.ensure_connection()
    oid = psycopg.postgres.types["timestamptz"].oid
    assert connection.connection.adapters.get_loader(oid, Format.TEXT) is UtcTimestamptzLoader
    with connection.cursor() as cursor:
        cursor.execute("SHOW TIME ZONE")
        assert cursor.fetchone()[0] == "UTC"


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 1, 15, 7, 45, 12, 345678, tzinfo=COPENHAGEN),  # winter time, +01:00
        datetime.datetime(2026, 7, 1, 23, 59, 59, 999999, tzinfo=COPENHAGEN),  # summer time, +02:00
        datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.UTC),  # the hour the clocks go forward
        datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
    ],
)
def test_a_moment_reads_back_as_the_same_moment_in_utc(moment):
    entry = AuditEntry.objects.create(action="test.moment", object_type="row", object_id="1")
    AuditEntry.objects.filter(pk=entry.pk).update(at=moment)
    read = AuditEntry.objects.get(pk=entry.pk).at
    assert read == moment
    assert read.tzinfo is datetime.UTC
    assert read.microsecond == moment.microsecond
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz, NULL::timestamptz", [moment])
        written, nothing = cursor.fetchone()
    assert written == moment and written.tzinfo is datetime.UTC
    assert nothing is None


# --- A connection's health is checked when it has been idle (decision 0017) ---------------------------------


def between_requests() -> None:
    """What Django does around each request (the request_started and request_finished signals)."""
    close_old_connections()


def count_checks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    answers: list[bool] = []
    check = connection.is_usable

    def counted() -> bool:
        answers.append(check())
        return answers[-1]

    monkeypatch.setattr(connection, "is_usable", counted)
    return answers


def read_something() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditentry")
        return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_answered_moments_ago_is_not_asked_again(monkeypatch):
    assert connection.health_check_enabled
    between_requests()
    read_something()  # checked, if the connection was opened long ago
    checks = count_checks(monkeypatch)
    for _request in range(3):
        between_requests()
        read_something()
    assert checks == []


@pytest.mark.django_db(transaction=True)
def test_a_connection_idle_for_longer_is_checked_before_the_request(monkeypatch):
    read_something()
    checks = count_checks(monkeypatch)
    connection.sound_at = time.monotonic() - SOUND_FOR_SECONDS - 1
    between_requests()
    read_something()
    assert checks == [True]
    between_requests()
    read_something()
    assert checks == [True]  # known to work again: not asked on the next request


def drop_from_the_server() -> None:
    """The server ends the connection (as a restart or a failover would), from another connection."""
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    wanted = {k: v for k, v in params.items() if k in {"dbname", "user", "password", "host", "port"} and v}
    with psycopg.connect(**wanted, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
def test_an_idle_connection_the_server_dropped_is_replaced_without_failing_the_request():
    read_something()
    drop_from_the_server()
    connection.sound_at = time.monotonic() - SOUND_FOR_SECONDS - 1
    between_requests()
    assert read_something() >= 0


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_moments_after_it_answered_fails_one_request_only():
    between_requests()
    read_something()
    drop_from_the_server()
    between_requests()
    with pytest.raises(OperationalError):
        read_something()
    between_requests()  # the end of the failed request: Django checks the connection and closes it
    between_requests()
    assert read_something() >= 0
