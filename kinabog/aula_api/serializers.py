"""Kinabog's objects in Aula's shapes: field names as the clients read them (camelCase).

Ids: `profileId` is the person, `id`/`institutionProfileId` the person at one institution. Names of
others are what the queries decided the viewer may see (an alias for a protected person); fields
Kinabog does not have yet (pictures, gender, widgets) are present and empty so clients do not break.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from kinabog.institutions import queries
from kinabog.institutions.access import ChildAccess
from kinabog.institutions.queries import ChildView

# Aula knows School, Daycare, Municipality and Central; SFO and clubs belong with schools.
INSTITUTION_TYPES = {"school": "School", "sfo": "School", "club": "School", "administration": "Municipality"}
DEFAULT_INSTITUTION_TYPE = "Daycare"
# Permissions whose use needs a level-3 session (Aula's permission flag `stepUp`).
STEP_UP_PERMISSIONS = frozenset({"see_supplementary_data", "handle_secure_files"})
CONSENT_AGE = 15
ADULT_AGE = 18


def short_name(name: str) -> str:
    """Initials, as Aula shows beside a name ("Mette Hansen" → "MH")."""
    return "".join(word[0] for word in name.split() if word[:1].isalpha()).upper()


def _shown_names(first_name: str, last_name: str, full_name: str, shown: str) -> tuple[str, str]:
    """First and last name when the viewer sees the real name; the alias alone otherwise."""
    if shown == full_name:
        return first_name, last_name
    return shown, ""


def institution_role(profile: Any) -> str:
    """The role at the institution: child, pupil, guardian, or the employee's job role."""
    if profile.role == "employee":
        return str(profile.job_role or "other")
    return str(profile.role)


def institution_type(kind: str) -> str:
    return INSTITUTION_TYPES.get(kind, DEFAULT_INSTITUTION_TYPE)


def group_ref(group: Any, institution_code: str | None) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "shortName": group.name,
        "institutionCode": institution_code,
        "mainGroup": queries.is_main_group(group),
        "type": "Cross_institutional" if queries.is_cross_institution_group(group) else "Institutional",
    }


def _membership_groups(profile: Any) -> list[dict[str, Any]]:
    """The groups of a profile loaded by queries._profiles_with_groups (groups with their institution)."""
    result = []
    for membership in profile.memberships.all():
        group = membership.group
        result.append(group_ref(group, group.institution.code if group.institution_id else None))
    return result


def _age(birth_date: date | None) -> int | None:
    if birth_date is None:
        return None
    today = timezone.localdate()
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def _address(person: Any) -> dict[str, str]:
    return {"street": person.street, "postalCode": person.postal_code, "postalDistrict": person.postal_district}


# --- The login's own profiles --------------------------------------------------------------------------


def own_institution_profile(profile: Any, person: Any, *, is_primary: bool) -> dict[str, Any]:
    """One of the viewer's own institution profiles (their own data: real name, own contact details)."""
    institution = profile.institution
    main = queries.main_group_of(profile)
    return {
        "id": profile.id,
        "institutionProfileId": profile.id,
        "profileId": person.id,
        "institutionCode": institution.code,
        "institutionName": institution.name,
        "institutionType": institution_type(institution.kind),
        "municipalityCode": institution.municipality.code,
        "municipalityName": institution.municipality.name,
        "firstName": person.first_name,
        "lastName": person.last_name,
        "fullName": person.full_name,
        "shortName": short_name(person.full_name),
        "gender": None,
        "role": profile.portal_role,
        "institutionRole": institution_role(profile),
        "email": person.email,
        "mobilePhoneNumber": person.mobile_phone,
        "metadata": main.name if main else "",
        "newInstitutionProfile": False,
        "isPrimary": is_primary,
        "address": _address(person),
        "profilePicture": None,
        "groups": _membership_groups(profile),
        "mainGroup": group_ref(main, institution.code) if main else None,
        "blockedCommunication": False,
    }


# --- Children ----------------------------------------------------------------------------------------


def child_entries(children: list[ChildView], usernames: dict[int, str] | None = None) -> list[dict[str, Any]]:
    """One entry per child institution profile: `id` is what calendar, presence and posts take."""
    usernames = usernames or {}
    return [
        child_entry(child, profile, usernames.get(child.person.id))
        for child in children
        for profile in child.person.child_profiles  # type: ignore[attr-defined]
    ]


def child_entry(child: ChildView, profile: Any, user_id: str | None) -> dict[str, Any]:
    person = child.person
    first, last = _shown_names(person.first_name, person.last_name, person.full_name, child.display_name)
    institution = profile.institution
    main = queries.main_group_of(profile)
    main_group = group_ref(main, institution.code) if main else None
    return {
        "id": profile.id,
        "profileId": person.id,
        "userId": user_id,
        "name": child.display_name,
        "shortName": short_name(child.display_name),
        "institutionCode": institution.code,
        "institutionName": institution.name,
        "hasCustodyOrExtendedAccess": child.access >= ChildAccess.FULL,
        "profilePicture": None,
        "mainGroup": main_group,
        "institutionProfile": {
            "id": profile.id,
            "profileId": person.id,
            "institutionCode": institution.code,
            "institutionName": institution.name,
            "firstName": first,
            "lastName": last,
            "fullName": child.display_name,
            "shortName": short_name(child.display_name),
            "role": "child",
            "institutionRole": profile.role,
            "gender": None,
            "metadata": main.name if main else "",
            "profilePicture": None,
            "mainGroup": main_group,
        },
    }


# --- profiles.getProfilesByLogin ---------------------------------------------------------------------

# Family tools read profiles[0]: a login that is both parent and staff lists the parent profile first.
API_ROLE_ORDER = ("guardian", "employee", "child")


def login_profiles(overview: queries.LoginOverview, username: str) -> list[dict[str, Any]]:
    person = overview.person
    if person is None:
        return []
    age = _age(person.birth_date)
    result = []
    for role in sorted(overview.roles, key=API_ROLE_ORDER.index):
        own = [p for p in overview.profiles if p.portal_role == role]
        result.append(
            {
                "profileId": person.id,
                "userId": username,
                "displayName": person.full_name,
                "portalRole": role,
                "isLatestDataPolicyAccepted": True,
                "supportRole": False,
                "overConsentAge": None if age is None else age >= CONSENT_AGE,
                "age18AndOlder": role != "child" if age is None else age >= ADULT_AGE,
                "contactInfoEditable": True,
                "institutionProfiles": [
                    own_institution_profile(p, person, is_primary=i == 0) for i, p in enumerate(own)
                ],
                "children": child_entries(overview.children, overview.child_usernames) if role == "guardian" else [],
            }
        )
    return result


# --- profiles.getProfileContext ----------------------------------------------------------------------


def profile_context(viewer: Any, context: queries.ProfileContext, username: str) -> dict[str, Any]:
    person = context.person
    children = child_entries(context.children)
    primary = context.profiles[0] if context.profiles else None
    page_configuration: dict[str, list[Any]] = {
        "widgetConfigurations": [],
        "moduleConfigurations": [],
        "editorPluginDetails": [],
    }
    return {
        "id": person.id,
        "profileId": person.id,
        "userId": username,
        "displayName": person.full_name,
        "portalRole": viewer.portal_role,
        "availablePortalRoles": sorted(viewer.available_roles, key=API_ROLE_ORDER.index),
        "isSteppedUp": viewer.is_stepped_up,
        "institutionProfile": _context_profile(primary, person, children) if primary else None,
        "institutions": [_context_institution(viewer, profile, children) for profile in context.profiles],
        "groups": [_group_with_institution(g) for g in context.groups],
        "municipalGroups": [
            _group_with_institution(g) for g in context.groups if queries.is_cross_institution_group(g)
        ],
        "email": person.email,
        "mobilePhoneNumber": person.mobile_phone,
        "homePhoneNumber": person.home_phone,
        "workPhoneNumber": person.work_phone,
        "isGroupHomeAdmin": False,
        "groupHomes": [],
        "pageConfiguration": page_configuration,
        # The older name some clients still read the widget list from.
        "moduleWidgetConfiguration": page_configuration,
    }


def _group_with_institution(group: Any) -> dict[str, Any]:
    """A group from queries.my_groups (loaded with its institution)."""
    return group_ref(group, group.institution.code if group.institution_id else None)


def _context_profile(profile: Any, person: Any, children: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": profile.id,
        "institutionProfileId": profile.id,
        "profileId": person.id,
        "firstName": person.first_name,
        "lastName": person.last_name,
        "fullName": person.full_name,
        "shortName": short_name(person.full_name),
        "institutionCode": profile.institution.code,
        "institutionName": profile.institution.name,
        "role": profile.portal_role,
        "institutionRole": institution_role(profile),
        # A guardian's relations are their children (one entry per child institution profile).
        "relations": children if profile.portal_role == "guardian" else [],
    }


def _context_institution(viewer: Any, profile: Any, children: list[dict[str, Any]]) -> dict[str, Any]:
    institution = profile.institution
    permissions = sorted(viewer.permissions.get(institution.id, ()))
    return {
        "institutionCode": institution.code,
        "institutionName": institution.name,
        "institutionType": institution_type(institution.kind),
        "institutionProfileId": profile.id,
        "institutionRole": institution_role(profile),
        "municipalityCode": institution.municipality.code,
        "municipalityName": institution.municipality.name,
        "groups": _membership_groups(profile),
        "children": [c for c in children if c["institutionCode"] == institution.code],
        "permissions": [
            {
                "permissionId": permission,
                "stepUp": permission in STEP_UP_PERMISSIONS,
                "groupScopes": [],
                "institutionScope": True,
            }
            for permission in permissions
        ],
        "administrativeAuthority": None,
        "communicationBlock": False,
        "mailboxId": None,
    }


# --- groups.getMembershipsLight ----------------------------------------------------------------------


def membership_light(group: Any, member: queries.MemberView) -> dict[str, Any]:
    profile = member.profile
    person = profile.person
    first, last = _shown_names(person.first_name, person.last_name, person.full_name, member.display_name)
    main_group_name = group.name if queries.is_main_group(group) else None
    return {
        "id": None,
        "groupId": group.id,
        "groupRole": "Member",
        "inactiveDate": None,
        "institutionRole": institution_role(profile),
        "memberGroup": None,
        "institutionProfile": {
            "id": profile.id,
            "institutionProfileId": profile.id,
            "profileId": person.id,
            "firstName": first,
            "lastName": last,
            "fullName": member.display_name,
            "shortName": short_name(member.display_name),
            "metadata": main_group_name or "",
            "role": profile.portal_role,
            "mainGroupName": main_group_name,
            "profilePicture": None,
            "relations": [],
        },
    }
