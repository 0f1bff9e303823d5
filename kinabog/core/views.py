from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from .json_answer import json_answer


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the app and its database answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 — any database failure means unhealthy
        return json_answer({"status": "error", "database": "unavailable"}, status=503)
    return json_answer({"status": "ok", "database": "ok"})


@never_cache
def ping(request: HttpRequest) -> HttpResponse:
    """The smallest signed-in answer: the login's id, read by primary key beside the session.

    The benchmarks measure the framework's ceiling on a machine with it (`./run bench ceiling`).
    """
    if not request.user.is_authenticated:
        return json_answer({"error": "not signed in"}, status=401)
    return json_answer({"id": request.user.pk})
