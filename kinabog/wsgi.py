"""The WSGI application gunicorn serves, with what it has loaded kept out of Python's garbage collector
(docs/decisions/0018-loaded-code-out-of-the-garbage-collector.md)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinabog.settings")
application = get_wsgi_application()


def freeze_what_is_loaded() -> int:
    """Load the URL configuration (and with it every view and what the views import), then move every object
    alive now to the collector's permanent generation: how many.

    A worker holds some 110,000 such objects (modules, classes, functions, settings) for as long as it lives.
    Left in the collector's care, every full collection walked them all, about 80 ms of one request's time
    every few hundred requests, for objects that are never garbage."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imported for its side effect: the views are loaded
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


freeze_what_is_loaded()
