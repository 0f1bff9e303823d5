"""session.*: keeping the session alive."""

from __future__ import annotations

from .. import bootstrap
from ..params import ApiRequest
from ..registry import api_method


# Aula's app POSTs it (with the csrfp-token header); some clients GET it, which is harmless.
@api_method("session.keepAlive", verbs=("POST", "GET"))
def keep_alive(api: ApiRequest) -> bool:
    """Restart the 60-minute idle timer and hand out the csrfp-token cookie again."""
    bootstrap.keep_alive(api.http)
    return True
