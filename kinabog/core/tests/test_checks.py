"""The database check of decision 0022, through `manage.py check --database`."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def _check_output() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("check", "--database", "default", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_a_database_that_commits_to_disk_passes_the_check():
    assert "kinabog.W001" not in _check_output()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's commit settings")
def test_a_database_that_answers_commits_before_they_are_on_disk_is_warned_about():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
    output = _check_output()
    assert "kinabog.W001" in output
    assert "synchronous_commit is off for database 'default'" in output
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = on")
    assert "kinabog.W001" not in _check_output()
