"""calendar.getBirthdayEventsForGroup / …ForInstitutions: consent decides, protection hides, access scopes."""

from __future__ import annotations

from datetime import date

import pytest

from kinabog.calendar.tests.birthday_data import (
    add_birthday_children,
    child_profile_id,
    group_id,
    institution_id,
    set_birthday_consent,
)
from kinabog.core.testing import assert_max_queries

from .conftest import ok, status_of

pytestmark = pytest.mark.django_db
FOR_GROUP = "calendar.getBirthdayEventsForGroup"
FOR_INSTITUTIONS = "calendar.getBirthdayEventsForInstitutions"
# The session, the viewer and the envelope take about 24 queries; the method adds a fixed handful.
BUDGET = 32
YEAR = date.today().year


def test_karin_gets_emils_birthday_in_aulas_shape(signed_in) -> None:
    aula = signed_in("karin", "employee")
    data = ok(aula.get(FOR_GROUP, groupId=group_id("Blå stue"), start=f"{YEAR}-03-01", end=f"{YEAR}-03-31"))
    assert data == [
        {
            "birthday": f"{YEAR}-03-14",
            "name": "Emil Hansen",
            "institutionCode": "G10001",
            "institutionProfileId": child_profile_id("Emil", "G10001"),
            "mainGroupName": "Blå stue",
        }
    ]


def test_aulas_timestamps_are_accepted(signed_in) -> None:
    aula = signed_in("mette", "guardian")
    data = ok(
        aula.get(
            FOR_GROUP,
            groupId=group_id("Blå stue"),
            start=f"{YEAR}-03-01 00:00:00.0000+0100",
            end=f"{YEAR}-03-31 23:59:59.0000+0100",
        )
    )
    assert [row["name"] for row in data] == ["Emil Hansen"]


def test_without_consent_nothing_and_a_protected_child_never(signed_in) -> None:
    set_birthday_consent("Emil", False)
    aula = signed_in("anders", "employee")
    assert ok(aula.get(FOR_GROUP, groupId=group_id("Blå stue"), start=f"{YEAR}-01-01", end=f"{YEAR}-12-31")) == []
    # Ida's guardian said yes, but she is name-protected: not by name, not by alias.
    rows = ok(aula.get(FOR_GROUP, groupId=group_id("Søstjernerne"), start=f"{YEAR}-01-01", end=f"{YEAR}-12-31"))
    assert all("Ida" not in row["name"] and "Lærke" not in row["name"] for row in rows)


def test_another_institutions_group_answers_404(signed_in) -> None:
    aula = signed_in("karin", "employee")
    response = aula.get(FOR_GROUP, groupId=group_id("Søstjernerne"), start=f"{YEAR}-01-01", end=f"{YEAR}-12-31")
    assert response.status_code == 404 and status_of(response)["code"] == 404


@pytest.mark.parametrize(
    "params",
    [
        {"groupId": "", "start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"},
        {"groupId": "x", "start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"},
        {"start": "i går", "end": f"{YEAR}-12-31"},
        {"start": f"{YEAR}-03-31", "end": f"{YEAR}-03-01"},
        {"start": f"{YEAR}-01-01", "end": f"{YEAR + 2}-01-01"},
        {"start": "9999-12-31", "end": "9999-12-31"},  # beyond the calendar's years: no arithmetic overflow
    ],
)
def test_bad_parameters_answer_code_40(signed_in, params) -> None:
    aula = signed_in("karin", "employee")
    params = {"groupId": group_id("Blå stue"), **params}
    response = aula.get(FOR_GROUP, **params)
    assert response.status_code == 200 and status_of(response)["code"] == 40


def test_institutions_by_code_or_id_give_the_main_groups_the_viewer_sees(signed_in) -> None:
    aula = signed_in("mette", "guardian")
    window = {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}
    by_code = ok(aula.get(FOR_INSTITUTIONS, **{"instCodes[]": ["G10001", "280101", "G10002"]}, **window))
    assert {(row["name"], row["mainGroupName"]) for row in by_code} == {
        ("Emil Hansen", "Blå stue"),
        ("Sofie Hansen", "3.B"),
    }
    by_id = ok(aula.get(FOR_INSTITUTIONS, institutionId=institution_id("G10001"), **window))
    assert [row["name"] for row in by_id] == ["Emil Hansen"]
    assert status_of(aula.get(FOR_INSTITUTIONS, **window))["code"] == 40


def test_peter_sees_no_birthdays_in_sofies_class(signed_in) -> None:
    aula = signed_in("peter", "guardian")
    window = {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}
    assert ok(aula.get(FOR_INSTITUTIONS, **{"instCodes[]": ["280101"]}, **window)) == []
    assert aula.get(FOR_GROUP, groupId=group_id("3.B"), **window).status_code == 404


def test_both_methods_have_a_fixed_query_count(signed_in) -> None:
    aula = signed_in("karin", "employee")
    window = {"start": f"{YEAR}-03-01", "end": f"{YEAR}-03-31"}
    calls = [
        lambda: aula.get(FOR_GROUP, groupId=group_id("Blå stue"), **window),
        lambda: aula.get(FOR_INSTITUTIONS, **{"instCodes[]": ["G10001"]}, **window),
    ]
    few = []
    for call in calls:
        with assert_max_queries(BUDGET) as log:
            assert len(ok(call())) == 1
        few.append(len(log))
    add_birthday_children(10, born=date(2021, 3, 5))
    for call, before in zip(calls, few, strict=True):
        with assert_max_queries(before) as log:
            assert len(ok(call())) == 11
