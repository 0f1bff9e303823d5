"""profiles.*: who the login is, and activating a portal role (the session bootstrap)."""

from __future__ import annotations

from typing import Any

from kinabog.accounts.session import PORTAL_ROLE_KEY, set_portal_role
from kinabog.institutions import queries

from .. import bootstrap, errors, serializers
from ..params import ApiRequest
from ..registry import api_method

PORTAL_ROLES = frozenset({"guardian", "employee", "child"})


@api_method("profiles.getProfilesByLogin", bootstrap=True)
def get_profiles_by_login(api: ApiRequest) -> dict[str, Any]:
    overview = queries.login_overview(api.user_id, api.assurance_level)
    return {"profiles": serializers.login_profiles(overview, api.username)}


@api_method("profiles.getProfileContext", bootstrap=True)
def get_profile_context(api: ApiRequest) -> dict[str, Any]:
    """Activate a portal role (`portalrole`; the current one when left out) and describe the viewer in it."""
    role = (api.text("portalrole") or api.text("portalRole") or "").lower()
    if role and role not in PORTAL_ROLES:
        raise errors.bad_parameters()
    previous = api.http.session.get(PORTAL_ROLE_KEY)
    if role:
        set_portal_role(api.http, role)
    viewer = api.viewer  # falls back to a role the login has when it lacks the one asked for
    if viewer.portal_role is None or (role and viewer.portal_role != role):
        _restore_role(api, previous)
        raise errors.refused(errors.SUB_ACCESS_NOT_GRANTED)
    bootstrap.activate_profile(api.http)  # current_viewer has stored the role in the session
    context = queries.profile_context(viewer)
    return serializers.profile_context(viewer, context, api.username)


def _restore_role(api: ApiRequest, previous: str | None) -> None:
    if previous:
        set_portal_role(api.http, previous)
    else:
        api.http.session.pop(PORTAL_ROLE_KEY, None)
