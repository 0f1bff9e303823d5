"""The leader pages through HTTP: the story from planned times to an Excel file, and who may see what."""

from __future__ import annotations

import csv
import io
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from kinabog.accounts.models import User
from kinabog.aula_api.tests.conftest import AulaClient, ok
from kinabog.aula_api.tokens import issue_token
from kinabog.core.testing import assert_max_queries, sign_in
from kinabog.institutions.models import InstitutionProfile
from kinabog.presence.models import StaffShift, VacationRequest, VacationResponse, VacationResponseDay

from .leader_helpers import child, group, institution, next_monday, next_week, summer_request

pytestmark = pytest.mark.django_db


def signed_in(username: str, role: str | None = None) -> Client:
    client = Client()
    sign_in(client, username, role=role)
    return client


def answer_form(days: list[date], coming: dict[date, tuple[str, str] | None], comment: str = "") -> dict[str, str]:
    """The answer page's fields: a day in `coming` with times comes; a day mapped to None does not."""
    data = {"comment": comment}
    for day in days:
        key = day.strftime("%Y%m%d")
        times = coming.get(day)
        data[f"coming_{key}"] = "yes" if times else "no"
        data[f"entry_{key}"] = times[0] if times else ""
        data[f"exit_{key}"] = times[1] if times else ""
    return data


def slot(day: Any, start: time) -> Any:
    return next(s for s in day.slots if s.start == start)


def test_from_planned_times_and_answers_to_occupancy_and_an_excel_file():
    emil = child("Emil")
    days = next_week()
    katamaranen = institution("G10001")
    # Mette sets next week's planned times through the Aula API, as her app does.
    aula = AulaClient(Client())
    aula.sign_in(issue_token(User.objects.get(username="mette")))
    aula.activate("guardian")
    ok(
        aula.post(
            "presence.updatePresenceTemplate",
            {
                "institutionProfileId": emil.id,
                "byDate": days[0].isoformat(),
                "presenceActivity": {
                    "activityType": 0,
                    "pickup": {"entryTime": "08:00", "exitTime": "15:30", "exitWith": "Mor"},
                },
                "repeatPattern": "weekly",
            },
        )
    )
    # Karin asks Blå stue about next week.
    karin = signed_in("karin")
    response = karin.post(
        f"/komme-gaa/institution/{katamaranen.id}/ferieanmodninger/ny/",
        {
            "title": "Juleferie",
            "start_date": days[0].isoformat(),
            "end_date": days[-1].isoformat(),
            "deadline": timezone.localdate().isoformat(),
            "groups": [group("Blå stue").id],
            "presence_times_required": "on",
            "note": "Svar venligst",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    request = VacationRequest.objects.get(title="Juleferie")
    # Anders sees next week's occupancy from the planned times.
    anders = signed_in("anders")
    occupancy_url = f"/komme-gaa/institution/{katamaranen.id}/belaegning/?dato={days[0].isoformat()}&visning=uge"
    before = anders.get(occupancy_url)
    assert before.status_code == 200
    monday = before.context["occ"].days[0]
    assert slot(monday, time(8, 0)).expected == 1 and slot(monday, time(7, 0)).expected == 0
    # Mette finds the request and answers: early on Monday, not on Tuesday, as planned the other days.
    mette = signed_in("mette", "guardian")
    listing = mette.get("/komme-gaa/ferieanmodninger/")
    answer_url = f"/komme-gaa/ferieanmodninger/{request.id}/barn/{emil.id}/"
    assert answer_url in listing.content.decode()
    assert mette.get(answer_url).status_code == 200
    coming = dict.fromkeys(days, ("08:00", "15:30"))
    coming[days[0]] = ("07:00", "12:00")
    coming[days[1]] = None
    response = mette.post(answer_url, answer_form(days, coming, "Mormor henter fredag"))
    assert response.status_code == 302, response.content.decode()[:3000]
    # Anders sees the change.
    after = anders.get(occupancy_url).context["occ"]
    monday, tuesday = after.days[0], after.days[1]
    assert slot(monday, time(7, 0)).expected == 1 and slot(monday, time(12, 0)).expected == 0
    assert tuesday.count_not_coming == 1 and slot(tuesday, time(8, 0)).expected == 0
    page = anders.get(occupancy_url).content.decode()
    assert "<table" in page and "bar-expected" in page and 'style="' not in page
    # And exports the week to Excel.
    export = anders.get(
        f"/komme-gaa/institution/{katamaranen.id}/eksport/",
        {"start": days[0].isoformat(), "end": days[-1].isoformat(), "kind": "attendance", "format": "xlsx"},
    )
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in export["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(export.content))
    assert len(workbook.sheetnames) == 4
    attendance = workbook[workbook.sheetnames[0]]
    rows = list(attendance.iter_rows(min_row=2, values_only=True))
    emil_rows = {r[0].date(): r for r in rows if r[1] == "Emil Hansen"}
    assert len(emil_rows) == 5 and len(rows) == 5 * 10  # every child of Katamaranen, every weekday
    assert emil_rows[days[0]][4] == time(7, 0) and emil_rows[days[0]][5] == time(12, 0)
    assert emil_rows[days[2]][4] == time(8, 0)
    answers = workbook[workbook.sheetnames[1]]
    answered = [r for r in answers.iter_rows(min_row=2, values_only=True) if r[2] == "Emil Hansen"]
    assert len(answered) == 5 and answered[1][6] is None  # Tuesday: not coming, no times
    # The same table as CSV opens in a spreadsheet: semicolons, a byte order mark, one row per child and day.
    csv_answer = anders.get(
        f"/komme-gaa/institution/{katamaranen.id}/eksport/",
        {"start": days[0].isoformat(), "end": days[-1].isoformat(), "kind": "attendance", "format": "csv"},
    )
    text = csv_answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(table) == 1 + 50 and any(r[1] == "Emil Hansen" and r[4] == "07:00" for r in table)


def test_bad_answers_through_the_page_change_nothing():
    emil = child("Emil")
    request = summer_request()
    days = next_week()
    mette = signed_in("mette", "guardian")
    url = f"/komme-gaa/ferieanmodninger/{request.id}/barn/{emil.id}/"
    good = dict.fromkeys(days, ("08:00", "15:00"))
    assert mette.post(url, answer_form(days, good)).status_code == 302
    exit_before_entry = dict(good)
    exit_before_entry[days[2]] = ("15:00", "08:00")
    response = mette.post(url, answer_form(days, exit_before_entry))
    assert response.status_code == 400 and "field-error" in response.content.decode()
    missing_times = dict(good)
    missing_times[days[3]] = ("", "")
    data = answer_form(days, missing_times)
    data[f"coming_{days[3].strftime('%Y%m%d')}"] = "yes"
    assert mette.post(url, data).status_code == 400
    missing_day = answer_form(days, good)
    del missing_day[f"coming_{days[4].strftime('%Y%m%d')}"]
    assert mette.post(url, missing_day).status_code == 400
    assert set(VacationResponseDay.objects.filter(response__child=emil).values_list("exit_time", flat=True)) == {
        time(15, 0)
    }
    # After the deadline, nothing is saved and the page says why.
    VacationRequest.objects.filter(pk=request.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    later = dict.fromkeys(days, ("09:00", "14:00"))
    response = mette.post(url, answer_form(days, later))
    assert response.status_code == 400
    [why] = response.context["form"].non_field_errors()
    assert why in response.content.decode()
    assert not VacationResponseDay.objects.filter(response__child=emil, entry_time=time(9, 0)).exists()


def test_karin_asks_her_own_institution_but_not_kahytten():
    karin = signed_in("karin")
    katamaranen, kahytten = institution("G10001"), institution("G10002")
    assert karin.get(f"/komme-gaa/institution/{katamaranen.id}/ferieanmodninger/ny/").status_code == 200
    assert karin.get(f"/komme-gaa/institution/{kahytten.id}/ferieanmodninger/ny/").status_code == 404
    monday = next_monday()
    form = {
        "title": "Ferie",
        "start_date": monday.isoformat(),
        "end_date": (monday + timedelta(days=4)).isoformat(),
        "deadline": timezone.localdate().isoformat(),
        "groups": [group("Søstjernerne").id],
    }
    assert karin.post(f"/komme-gaa/institution/{kahytten.id}/ferieanmodninger/ny/", form).status_code == 404
    refused = karin.post(f"/komme-gaa/institution/{katamaranen.id}/ferieanmodninger/ny/", form)
    assert refused.status_code == 400  # Søstjernerne is not a group of Katamaranen
    assert not VacationRequest.objects.exists()
    # Karin follows up her institution's requests, but exports, shifts and integrations are the leader's.
    request = summer_request("anders")
    assert karin.get(f"/komme-gaa/ferieanmodninger/{request.id}/").status_code == 200
    assert karin.get(f"/komme-gaa/institution/{katamaranen.id}/belaegning/").status_code == 200
    for page in ("eksport/", "vagter/", "integrationer/"):
        assert karin.get(f"/komme-gaa/institution/{katamaranen.id}/{page}").status_code == 404, page


@pytest.mark.parametrize(
    "username, role", [("peter", "guardian"), ("birgitte", None), ("thomas", None), ("lars", "guardian")]
)
def test_others_get_404_on_every_leader_page(username, role):
    request = summer_request()
    katamaranen = institution("G10001").id
    client = signed_in(username, role)
    urls = [
        f"/komme-gaa/institution/{katamaranen}/belaegning/",
        f"/komme-gaa/institution/{katamaranen}/ferieanmodninger/",
        f"/komme-gaa/institution/{katamaranen}/ferieanmodninger/ny/",
        f"/komme-gaa/ferieanmodninger/{request.id}/",
        f"/komme-gaa/ferieanmodninger/{request.id}/barn/{child('Emil').id}/",
        f"/komme-gaa/institution/{katamaranen}/eksport/?format=xlsx&start=2026-01-01&end=2026-01-31&kind=attendance",
        f"/komme-gaa/institution/{katamaranen}/vagter/",
        f"/komme-gaa/institution/{katamaranen}/integrationer/",
        "/komme-gaa/leder/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/komme-gaa/ferieanmodninger/{request.id}/paamind/").status_code == 404
    assert not VacationResponse.objects.exists()


def test_the_occupancy_page_has_a_query_budget_that_does_not_grow():
    anders = signed_in("anders")
    katamaranen = institution("G10001").id
    url = f"/komme-gaa/institution/{katamaranen}/belaegning/?dato={next_monday().isoformat()}"
    anders.get(url)
    with assert_max_queries(30) as first:
        assert anders.get(url).status_code == 200
    request = summer_request()
    for profile in InstitutionProfile.objects.filter(institution_id=katamaranen, role="child"):
        StaffShift.objects.create(
            institution_id=katamaranen,
            person=InstitutionProfile.objects.get(person__first_name="Karin").person,
            date=next_monday(),
            start=time(7, profile.id % 60),
            end=time(9),
        )
        VacationResponse.objects.get_or_create(request=request, child=profile)
    with assert_max_queries(len(first.captured_queries)):
        assert anders.get(url).status_code == 200


def test_anders_enters_a_shift_and_sees_children_per_adult():
    katamaranen = institution("G10001").id
    anders = signed_in("anders")
    karin_person = InstitutionProfile.objects.get(person__first_name="Karin").person_id
    url = f"/komme-gaa/institution/{katamaranen}/vagter/"
    assert anders.get(url).status_code == 200
    response = anders.post(
        url, {"person": karin_person, "date": next_monday().isoformat(), "start": "07:00", "end": "12:00", "group": ""}
    )
    assert response.status_code == 302
    bad = anders.post(
        url, {"person": karin_person, "date": next_monday().isoformat(), "start": "12:00", "end": "07:00"}
    )
    assert bad.status_code == 400 and StaffShift.objects.count() == 1
    page = anders.get(f"/komme-gaa/institution/{katamaranen}/belaegning/?dato={next_monday().isoformat()}&visning=dag")
    assert page.context["occ"].days[0].has_staff


def test_integrations_show_a_new_key_once():
    katamaranen = institution("G10001").id
    anders = signed_in("anders")
    url = f"/komme-gaa/institution/{katamaranen}/integrationer/"
    response = anders.post(url, {"section": "key", "key-name": "Morgenvagt"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    raw = response.context["shown"]["key"]
    assert raw in response.content.decode()
    assert raw not in anders.get(url).content.decode()
    feed = Client().get("/komme-gaa/feed/v1/events/", headers={"Authorization": f"Bearer {raw}"})
    assert feed.status_code == 200


def test_the_leader_start_page_and_the_guardian_list_render():
    assert signed_in("anders").get("/komme-gaa/leder/").status_code == 200
    assert signed_in("karin").get("/komme-gaa/leder/").status_code == 200
    summer_request()
    page = signed_in("jonas", "guardian").get("/komme-gaa/ferieanmodninger/")
    assert page.status_code == 200 and "Sommerferie" in page.content.decode()
    empty = signed_in("lars", "guardian").get("/komme-gaa/ferieanmodninger/")
    assert empty.status_code == 200 and "Sommerferie" not in empty.content.decode()
