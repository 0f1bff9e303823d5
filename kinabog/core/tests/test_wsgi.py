"""The module gunicorn serves: loading it keeps what it loaded out of the garbage collector (decision 0018)."""

import os
import subprocess
import sys

from django.conf import settings

PROBE = """
import gc
import kinabog.wsgi
from django.urls import get_resolver
print(gc.get_freeze_count(), gc.isenabled(), len(get_resolver().url_patterns) > 0)
"""


def test_loading_the_application_freezes_what_it_loaded_and_keeps_the_collector_on() -> None:
    # A process of its own: freezing this test process's objects would keep the other tests' garbage.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kinabog.settings"}
    done = subprocess.run(  # noqa: S603 — fixed arguments
        [sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
    )
    frozen, enabled, urls_loaded = done.stdout.split()
    assert int(frozen) > 50_000  # Django and Kinabog's modules, classes and functions
    assert enabled == "True"
    assert urls_loaded == "True"
