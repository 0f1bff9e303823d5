"""The Celery worker keeps its database connection between tasks, as a web worker does (decision 0011)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from celery.fixups.django import DjangoWorkerFixup
from celery.signals import task_postrun, task_prerun

from kinabog import celery


class Task:
    """What the signals' sender offers a receiver: the task, with its request."""

    def __init__(self, eager: bool) -> None:
        self.request = SimpleNamespace(is_eager=eager)


def task(eager: bool) -> Task:
    return Task(eager)


def test_tasks_close_only_old_connections_and_eager_ones_none(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(celery, "close_old_connections", lambda: calls.append("checked"))
    task_prerun.send(sender=task(eager=False), task_id="1", task=None)
    task_postrun.send(sender=task(eager=False), task_id="1", task=None)
    assert calls == ["checked", "checked"]
    task_prerun.send(sender=task(eager=True), task_id="2", task=None)  # inside its caller's transaction
    task_postrun.send(sender=task(eager=True), task_id="2", task=None)
    assert calls == ["checked", "checked"]


def test_celerys_own_fixup_never_closes_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    fixup = DjangoWorkerFixup(celery.app)
    closed: list[bool] = []
    monkeypatch.setattr(fixup, "_close_database", lambda: closed.append(True))
    for _ in range(10_000):
        fixup.close_database()
    assert closed == [] and fixup.db_reuse_max >= 10**9
