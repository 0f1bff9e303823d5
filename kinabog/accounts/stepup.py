"""The one helper every sensitive view uses to demand an assurance level 3 session."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from kinabog.core.errors import StepUpRequired

from .session import current_viewer


def demand_level_3(request: HttpRequest) -> None:
    if not current_viewer(request).is_stepped_up:
        raise StepUpRequired


def sensitive(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a view whose content needs level 3.

    The view (or the action it calls) raises StepUpRequired once it knows the object exists and the
    viewer may see it; the person is then sent to step-up and brought back. Responses are never cached.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except StepUpRequired:
            query = urlencode({"next": request.get_full_path()})
            response = HttpResponseRedirect(f"{reverse('accounts:step_up')}?{query}")
        add_never_cache_headers(response)
        return response

    return wrapped
