"""Two staff members checking in the same child at the same moment: one day, one event."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from kinabog.core.testing import assert_max_queries
from kinabog.institutions.models import InstitutionProfile, Person
from kinabog.institutions.queries import build_viewer
from kinabog.presence import actions
from kinabog.presence.models import PresenceDay, PresenceEvent


def viewer(username: str):  # type: ignore[no-untyped-def]
    person = Person.objects.get(login__username=username)
    return build_viewer(person.login_id, None, 2)


def emil() -> InstitutionProfile:
    return InstitutionProfile.objects.get(person__first_name="Emil", role="child")


@pytest.mark.django_db
def test_check_in_is_one_short_transaction_with_a_fixed_number_of_queries():
    karin = viewer("karin")
    child_id = emil().id
    # Access (2), opening hours (1), the day row (3 when it is new: look, insert or nothing, lock), the
    # change and its event (2), and the transaction's savepoint inside the test's own transaction (2).
    with assert_max_queries(10):
        actions.check_in(karin, child_id)
    assert PresenceEvent.objects.filter(day__child_id=child_id, action="check_in").count() == 1


@pytest.mark.transactional
@pytest.mark.django_db(transaction=True)
def test_two_staff_checking_in_at_once_give_one_day_and_one_event(demo):
    if connection.vendor != "postgresql":
        # The in-memory SQLite test database locks whole tables across threads; production SQLite
        # (a file in WAL mode with BEGIN IMMEDIATE) queues writers instead. CI runs this on PostgreSQL.
        pytest.skip("needs a server database for concurrent transactions")
    child_id = emil().id
    staff = [viewer("karin"), viewer("anders")]
    barrier = threading.Barrier(len(staff))
    errors: list[BaseException] = []

    def check_in(v) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            actions.check_in(v, child_id)
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=check_in, args=(v,)) for v in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert PresenceDay.objects.filter(child_id=child_id).count() == 1
    assert PresenceEvent.objects.filter(day__child_id=child_id, action="check_in").count() == 1
