"""core.db: PostgreSQL binds parameters on the server and prepares repeated statements; a statement with more
values than the protocol carries is bound in the client instead (decision 0013)."""

from __future__ import annotations

import pytest
from django.db import connection

from kinabog.audit.models import AuditEntry
from kinabog.core.db.postgresql.base import MAX_PARAMETERS

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
