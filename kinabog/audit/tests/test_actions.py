"""audit.actions: an audit row holds who did what to which object, when, why and at which level."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kinabog.accounts.models import User
from kinabog.audit import actions
from kinabog.audit.models import AuditEntry
from kinabog.institutions.models import Person

pytestmark = pytest.mark.usefixtures("demo")


def test_record_writes_every_column_of_the_row():
    mette = User.objects.get(username="mette")
    person = Person.objects.get(login=mette)
    before = timezone.now()
    written = actions.record(
        actor_id=mette.id, action="read_sensitive_thread", obj=person, reason="a reason", assurance_level=3
    )
    entry = AuditEntry.objects.get(pk=written.pk)
    assert (entry.actor_id, entry.action, entry.object_type, entry.object_id, entry.reason, entry.assurance_level) == (
        mette.id,
        "read_sensitive_thread",
        "institutions.person",
        str(person.pk),
        "a reason",
        3,
    )
    assert before <= entry.at <= timezone.now()
    assert entry.at.tzinfo is not None
    assert written.at == entry.at and written.action == entry.action


def test_an_event_without_an_actor_keeps_the_defaults():
    written = actions.record_event(actor_id=None, action="import.finished", object_type="import", object_id="7")
    entry = AuditEntry.objects.get(pk=written.pk)
    assert entry.actor_id is None
    assert (entry.reason, entry.assurance_level) == ("", 0)
    assert abs(entry.at - timezone.now()) < datetime.timedelta(minutes=1)
