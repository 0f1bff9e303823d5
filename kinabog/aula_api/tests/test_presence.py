"""presence.*: komme/gå through the Aula API, in Aula's shapes, with access per role and query budgets.

Set-up goes through the presence actions and queries (this package does not touch models).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from kinabog.core.testing import assert_max_queries
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.queries import build_viewer
from kinabog.presence import actions, queries, vacation_requests

from .conftest import AulaClient, ok, status_of

pytestmark = pytest.mark.django_db

# The session and the viewer take about eleven queries; each method adds a fixed handful to them.
READ_BUDGET = 20
WRITE_BUDGET = 30


@pytest.fixture
def client_for(token_for: Callable[..., str]) -> Callable[..., AulaClient]:
    def make(username: str, role: str) -> AulaClient:
        aula = AulaClient(Client())
        aula.sign_in(token_for(username))
        aula.activate(role)
        return aula

    return make


def viewer(username: str, role: str | None = None):  # type: ignore[no-untyped-def]
    return build_viewer(get_user_model().objects.get(username=username).pk, role, 2)


def child_id(first_name: str) -> int:
    return queries.child_profiles().get(person__first_name=first_name).id


def school_id_of_sofie() -> int:
    """Sofie's pupil profile at Havnby Skole: a child the guardian sees, without komme/gå."""
    [sofie] = [
        c for c in institution_queries.my_children(viewer("mette", "guardian")) if c.person.first_name == "Sofie"
    ]
    return next(p.id for p in sofie.person.child_profiles if p.institution.kind == "school")  # type: ignore[attr-defined]


def next_monday() -> date:
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


# --- presence.getDailyOverview ----------------------------------------------------------------------------


def test_daily_overview_shows_emil_checked_in_in_aulas_shape(client_for):
    emil = child_id("Emil")
    actions.check_in(viewer("karin"), emil)
    mette = client_for("mette", "guardian")
    with assert_max_queries(READ_BUDGET):
        [row] = ok(mette.get("presence.getDailyOverview", **{"childIds[]": [emil]}))
    assert row["status"] == 3 and row["institutionProfile"]["id"] == emil
    assert row["institutionProfile"]["name"] == "Emil Hansen"
    assert row["mainGroup"]["name"] == "Blå stue"
    assert len(row["checkInTime"]) == 8 and row["checkOutTime"] is None
    for key in (
        "id", "location", "sleepIntervals", "entryTime", "exitTime", "exitWith", "comment", "activityType",
        "spareTimeActivity", "selfDeciderStartTime", "selfDeciderEndTime", "isDefaultEntryTime", "isDefaultExitTime",
        "isPlannedTimesOutsideOpeningHours", "vacationNote",
    ):  # fmt: skip
        assert key in row


def test_daily_overview_shows_where_emil_is_and_his_sleep_in_a_fixed_number_of_queries(client_for):
    emil, karin = child_id("Emil"), viewer("karin")
    institution_id = queries.child_profiles().get(id=emil).institution_id
    forest = actions.add_location(viewer("anders"), institution_id, "Skoven")
    actions.check_in(karin, emil)
    actions.set_location(karin, [emil], forest.id)
    actions.start_sleep(karin, emil)
    actions.end_sleep(karin, emil)
    actions.start_sleep(karin, emil)
    mette = client_for("mette", "guardian")
    with assert_max_queries(READ_BUDGET) as counted:
        [row] = ok(mette.get("presence.getDailyOverview", **{"childIds[]": [emil]}))
    assert row["location"] == {"id": forest.id, "name": "Skoven", "symbol": None, "description": ""}
    first, second = row["sleepIntervals"]
    assert first["startTime"] <= second["startTime"] and first["endTime"] and second["endTime"] is None
    assert row["status"] == 5  # sleeping
    # After the session and the viewer, the child with its groups in one statement, then the day, its sleep,
    # its place, the planned times, the vacations and the opening hours (weekly and special days): one each.
    presence_reads = [q["sql"] for q in counted.captured_queries if 'FROM "presence_' in q["sql"]]
    assert len(presence_reads) == 7


def test_daily_overview_leaves_out_a_school_profile_and_hides_other_children(client_for):
    mette = client_for("mette", "guardian")
    sofie_school = school_id_of_sofie()
    assert ok(mette.get("presence.getDailyOverview", **{"childIds[]": [sofie_school]})) == []
    hidden = mette.get("presence.getDailyOverview", **{"childIds[]": [child_id("Emil"), child_id("Noah")]})
    missing = mette.get("presence.getDailyOverview", **{"childIds[]": [987654321]})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


@pytest.mark.parametrize("username, role", [("peter", "guardian"), ("birgitte", "employee"), ("thomas", "employee")])
def test_daily_overview_of_emil_is_404_for_others(client_for, username, role):
    response = client_for(username, role).get("presence.getDailyOverview", **{"childIds[]": [child_id("Emil")]})
    assert response.status_code == 404 and status_of(response)["code"] == 404
    assert "Emil" not in response.content.decode()


def test_the_query_budget_of_the_daily_overview_does_not_grow_with_children(client_for):
    anders = client_for("anders", "employee")
    ids = list(queries.child_profiles().filter(institution__code__in=["G10001", "G10002"]).values_list("id", flat=True))
    with assert_max_queries(READ_BUDGET) as one:
        ok(anders.get("presence.getDailyOverview", **{"childIds[]": ids[:1]}))
    with assert_max_queries(len(one.captured_queries)):
        rows = ok(anders.get("presence.getDailyOverview", **{"childIds[]": ids}))
    assert len(rows) == len(ids) > 10


# --- presence.updatePresenceTemplate and getPresenceTemplates -----------------------------------------------------


def template_body(emil: int, **extra: Any) -> dict[str, Any]:
    return {
        "institutionProfileId": emil,
        "byDate": next_monday().isoformat(),
        "presenceActivity": {
            "activityType": 0,
            "pickup": {"entryTime": "08:00", "exitTime": "15:30", "exitWith": "Mor"},
        },
        "repeatPattern": "weekly",
        "expiresAt": None,
        "comment": "Sover til middag",
        **extra,
    }


def test_mette_sets_weekly_times_and_reads_them_back(client_for):
    emil = child_id("Emil")
    mette = client_for("mette", "guardian")
    with assert_max_queries(WRITE_BUDGET):
        saved = ok(mette.post("presence.updatePresenceTemplate", template_body(emil)))
    assert saved["entryTime"] == "08:00:00" and saved["repeatPattern"] == "weekly"
    assert saved["pickup"] == {"entryTime": "08:00:00", "exitTime": "15:30:00", "exitWith": "Mor"}
    start, end = next_monday(), next_monday() + timedelta(days=13)
    with assert_max_queries(READ_BUDGET):
        data = ok(
            mette.get(
                "presence.getPresenceTemplates",
                **{"filterInstitutionProfileIds[]": [emil], "fromDate": start.isoformat(), "toDate": end.isoformat()},
            )
        )
    [week] = data["presenceWeekTemplates"]
    assert week["institutionProfile"]["id"] == emil and len(week["dayTemplates"]) == 14
    mondays = [d for d in week["dayTemplates"] if d["dayOfWeek"] == 1]
    assert all(d["entryTime"] == "08:00:00" and d["exitTime"] == "15:30:00" for d in mondays)
    tuesday = week["dayTemplates"][1]
    assert tuesday["id"] is None and tuesday["entryTime"] is None
    # Replacing it by id leaves one template.
    changed = template_body(emil, id=saved["id"])
    changed["presenceActivity"]["pickup"]["entryTime"] = "09:00"
    ok(mette.post("presence.updatePresenceTemplate", changed))
    assert len(queries.templates_by_child([emil], next_monday())[emil]) == 1


@pytest.mark.parametrize(
    "broken",
    [
        {"presenceActivity": {"activityType": 0, "pickup": {"entryTime": "15:00", "exitTime": "08:00"}}},
        {"byDate": "2020-01-06"},
        {"byDate": "not a date"},
        {"repeatPattern": "daily"},
        {"presenceActivity": {"activityType": 9}},
        {"presenceActivity": "pickup"},
    ],
)
def test_bad_templates_answer_code_40_and_change_nothing(client_for, broken):
    emil = child_id("Emil")
    response = client_for("mette", "guardian").post("presence.updatePresenceTemplate", template_body(emil, **broken))
    assert response.status_code == 200 and status_of(response)["code"] == 40
    assert not queries.templates_by_child([emil], next_monday() + timedelta(days=400)).get(emil)


def test_others_cannot_set_emils_times(client_for):
    for username, role in (("peter", "guardian"), ("lars", "guardian"), ("birgitte", "employee")):
        response = client_for(username, role).post("presence.updatePresenceTemplate", template_body(child_id("Emil")))
        assert response.status_code == 404


def test_a_post_without_the_csrfp_token_is_refused(client_for):
    response = client_for("mette", "guardian").post(
        "presence.updatePresenceTemplate", template_body(child_id("Emil")), csrf=False
    )
    assert response.status_code == 403 and status_of(response)["code"] == 403


# --- presence.updateStatusByInstitutionProfileIds -------------------------------------------------------------------


def test_mette_reports_emil_sick_today_and_undoes_it(client_for):
    emil = child_id("Emil")
    mette = client_for("mette", "guardian")
    assert ok(
        mette.post("presence.updateStatusByInstitutionProfileIds", {"institutionProfileIds": [emil], "status": 1})
    )
    [row] = ok(mette.get("presence.getDailyOverview", **{"childIds[]": [emil]}))
    assert row["status"] == 1
    assert ok(
        mette.post("presence.updateStatusByInstitutionProfileIds", {"institutionProfileIds": [emil], "status": 0})
    )
    [row] = ok(mette.get("presence.getDailyOverview", **{"childIds[]": [emil]}))
    assert row["status"] == 0
    bad = mette.post("presence.updateStatusByInstitutionProfileIds", {"institutionProfileIds": [emil], "status": 4})
    assert status_of(bad)["code"] == 40
    peter = client_for("peter", "guardian")
    sofie_sfo = child_id("Sofie")
    refused = peter.post(
        "presence.updateStatusByInstitutionProfileIds", {"institutionProfileIds": [sofie_sfo], "status": 1}
    )
    assert refused.status_code == 404


def test_sick_report_after_check_in_changes_nothing(client_for):
    emil = child_id("Emil")
    actions.check_in(viewer("karin"), emil)
    mette = client_for("mette", "guardian")
    response = mette.post(
        "presence.updateStatusByInstitutionProfileIds", {"institutionProfileIds": [emil], "status": 1}
    )
    assert status_of(response)["code"] == 40
    [row] = ok(mette.get("presence.getDailyOverview", **{"childIds[]": [emil]}))
    assert row["status"] == 3


# --- pickup, configuration, vacation requests, opening hours ---------------------------------------------------------


def test_pickup_responsibles_list_guardians_and_saved_names(client_for):
    emil = child_id("Emil")
    actions.add_pickup_person(viewer("mette", "guardian"), emil, "Mormor Inge")
    mette = client_for("mette", "guardian")
    with assert_max_queries(READ_BUDGET):
        [entry] = ok(mette.get("presence.getPickupResponsibles", **{"uniStudentIds[]": [emil]}))
    assert entry["uniStudentId"] == emil
    assert {p["name"] for p in entry["relatedPersons"]} == {"Mette Hansen", "Jonas Hansen"}
    assert all(p["institutionProfileId"] for p in entry["relatedPersons"])
    assert [s["pickUpName"] for s in entry["pickupSuggestions"]] == ["Mormor Inge"]
    assert (
        client_for("lars", "guardian").get("presence.getPickupResponsibles", **{"uniStudentIds[]": [emil]}).status_code
        == 404
    )


def test_presence_configuration_by_child_ids(client_for):
    emil = child_id("Emil")
    mette = client_for("mette", "guardian")
    with assert_max_queries(READ_BUDGET):
        [entry] = ok(mette.get("presence.getPresenceConfigurationByChildIds", **{"childIds[]": [emil]}))
    config = entry["presenceConfiguration"]
    assert entry["uniStudentId"] == emil and config["pickUp"] is True
    assert config["institution"] == {"institutionCode": "G10001", "name": "Børnehuset Katamaranen"}
    assert {d["group"]["name"] for d in config["departments"]} == {"Blå stue", "Grøn stue"}
    guardian = next(s for s in config["dashboardModuleSettings"] if s["presenceDashboardContext"] == "Guardian")
    assert {"moduleType": "ReportSick", "permission": "editable"} in guardian["presenceModules"]


def test_vacation_registrations_by_children_are_the_requests_to_answer(client_for):
    emil = child_id("Emil")
    monday = next_monday()
    request = vacation_requests.create_request(
        viewer("karin"),
        queries.child_profiles().get(pk=emil).institution_id,
        title="Efterårsferie",
        start_date=monday,
        end_date=monday + timedelta(days=4),
        deadline=timezone.localdate(),
        note="Svar venligst",
        group_ids=[
            g.id
            for g in vacation_requests.choosable_groups(
                viewer("karin"), queries.child_profiles().get(pk=emil).institution_id
            )
            if g.name == "Blå stue"
        ],
    )
    mette = client_for("mette", "guardian")
    with assert_max_queries(READ_BUDGET):
        [entry] = ok(mette.get("presence.getVacationRegistrationsByChildren", **{"childIds[]": [emil]}))
    [registration] = entry["vacationRegistrations"]
    assert entry["child"]["id"] == emil
    assert registration == {
        "vacationRegistrationId": request.id,
        "title": "Efterårsferie",
        "startDate": monday.isoformat(),
        "endDate": (monday + timedelta(days=4)).isoformat(),
        "noteToGuardian": "Svar venligst",
        "responseId": None,
        "responseDeadline": timezone.localdate().isoformat(),
        "isEditable": True,
        "isMissingAnswer": True,
        "isPresenceTimesRequired": True,
    }
    answers = [vacation_requests.DayAnswer(monday + timedelta(days=i), False) for i in range(5)]
    vacation_requests.answer_request(viewer("mette", "guardian"), request.id, emil, answers)
    [entry] = ok(mette.get("presence.getVacationRegistrationsByChildren", **{"childIds[]": [emil]}))
    assert entry["vacationRegistrations"][0]["isMissingAnswer"] is False


def test_opening_hours_by_institution_codes(client_for):
    anders = viewer("anders")
    katamaranen = queries.child_profiles().get(pk=child_id("Emil")).institution_id
    actions.set_opening_hours(anders, katamaranen, {d: (time(6, 30), time(17, 0)) for d in range(5)})
    monday = next_monday()
    actions.save_special_days(
        anders,
        katamaranen,
        start=monday + timedelta(days=2),
        end=None,
        name="Personaledag",
        closed=True,
        opens=None,
        closes=None,
    )
    mette = client_for("mette", "guardian")
    with assert_max_queries(READ_BUDGET):
        data = ok(
            mette.get(
                "presence.getOpeningHoursByInstitutionCodes",
                **{
                    "institutionCodes[]": ["G10001"],
                    "startDate": monday.isoformat(),
                    "endDate": (monday + timedelta(days=6)).isoformat(),
                },
            )
        )
    [overview] = data["openingHoursOverviewDto"]
    days = overview["openingHoursDto"]
    assert overview["institutionCode"] == "G10001" and len(days) == 7
    assert days[0] == {
        "date": monday.isoformat(),
        "openTime": "06:30:00",
        "closeTime": "17:00:00",
        "name": "",
        "type": "GeneralOpeningHours",
    }
    assert days[2]["type"] == "ClosedDay" and days[2]["name"] == "Personaledag"
    assert days[5]["type"] == "ClosedDay"
    hidden = mette.get(
        "presence.getOpeningHoursByInstitutionCodes",
        **{"institutionCodes[]": ["G10002"], "startDate": monday.isoformat(), "endDate": monday.isoformat()},
    )
    assert hidden.status_code == 404
    bad = mette.get(
        "presence.getOpeningHoursByInstitutionCodes",
        **{"institutionCodes[]": ["G10001"], "startDate": "x", "endDate": monday.isoformat()},
    )
    assert status_of(bad)["code"] == 40
