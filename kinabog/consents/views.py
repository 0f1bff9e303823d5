"""Samtykker: guardians with custody answer per child; staff read a group's overview.

Thin: parse, call a query or an action, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kinabog.accounts.session import current_viewer
from kinabog.accounts.stepup import sensitive
from kinabog.core.errors import InvalidInput, NotFound, Refused

from . import actions, queries

ANSWER_PREFIX = "answer_"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


@login_required
@sensitive
def index_view(request: HttpRequest) -> HttpResponse:
    """Guardians: a form per child they hold custody of. Staff: the groups whose overview they may read."""
    viewer = current_viewer(request)
    error: InvalidInput | None = None
    error_child: int | None = None
    status = 200
    if request.method == "POST":
        error_child = _int(request.POST.get("child"))
        if error_child is None:
            raise NotFound
        answers = {
            key.removeprefix(ANSWER_PREFIX): request.POST.get(key, "")
            for key in request.POST
            if key.startswith(ANSWER_PREFIX)
        }
        try:
            changed = actions.answer_consents(viewer, error_child, answers)
        except InvalidInput as invalid:
            error, status = invalid, 400
        except Refused as refused:
            error, status = InvalidInput(str(refused)), 403
        else:
            messages.success(request, _("Your answers are saved.") if changed else _("Nothing was changed."))
            return redirect("consents:index")
    children = queries.my_children_to_answer(viewer)
    context = {
        "children": children,
        "groups": queries.overview_groups(viewer),
        "is_guardian": queries.is_guardian(viewer),
        "may_answer": viewer.is_stepped_up,
        "error": error,
        "error_child": error_child,
        # A refusal (or an error about a child not on the page) is shown at the top.
        "page_error": error if error and error_child not in {c.child_id for c in children} else None,
    }
    return render(request, "consents/index.html", context, status=status)


@login_required
def group_view(request: HttpRequest, group_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    group = queries.get_overview_group(viewer, group_id)
    context = {"group": group, "rows": queries.group_overview(viewer, group), "kinds": queries.KIND_CHOICES}
    return render(request, "consents/group.html", context)
