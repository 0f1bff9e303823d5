from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the app and its database answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 — any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
def ping(request: HttpRequest) -> JsonResponse:
    """The smallest signed-in answer: the login's id, read by primary key beside the session.

    The benchmarks measure the framework's ceiling on a machine with it (`./run bench ceiling`).
    """
    if not request.user.is_authenticated:
        return JsonResponse({"error": "not signed in"}, status=401)
    return JsonResponse({"id": request.user.pk})
