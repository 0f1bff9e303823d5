"""The Celery app. Without CELERY_BROKER_URL tasks run eagerly in-process."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinabog.settings")

app = Celery("kinabog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def between_tasks(sender: Any = None, **_kwargs: Any) -> None:
    """A worker keeps its database connection from task to task as a web worker does from request to
    request: Django closes it where it is too old (CONN_MAX_AGE), broken or left in a transaction. Celery's
    own fixup would close it around every task (CELERY_DB_REUSE_MAX in the settings turns that off), and a
    new PostgreSQL connection costs more than a message's side effects (decision 0011). An eager task runs
    inside its caller's request and transaction, and leaves the connection alone."""
    if sender is not None and not getattr(sender.request, "is_eager", False):
        close_old_connections()
