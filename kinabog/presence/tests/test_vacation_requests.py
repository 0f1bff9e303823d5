"""Ferieanmodninger through the actions: who may ask, answering per day, deadlines, reminders."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from kinabog.core.errors import InvalidInput, NotFound
from kinabog.notifications.models import Notification
from kinabog.presence import vacation_requests
from kinabog.presence.models import VacationRequest, VacationResponse, VacationResponseDay
from kinabog.presence.vacation_requests import DayAnswer

from .leader_helpers import child, group, institution, next_monday, next_week, summer_request, viewer

pytestmark = pytest.mark.django_db


def coming_all_week(entry: time = time(8, 0), exit_: time = time(15, 0)) -> list[DayAnswer]:
    return [DayAnswer(day, True, entry, exit_) for day in next_week()]


def test_karin_asks_blaa_stue_and_the_guardians_are_notified(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = summer_request("karin")
    notified = set(
        Notification.objects.filter(event_type="VacationResponseRequired", area="Presence").values_list(
            "person__first_name", flat=True
        )
    )
    assert {"Mette", "Jonas"} <= notified
    assert "Lars" not in notified and "Birgitte" not in notified
    note = Notification.objects.filter(person__first_name="Mette", event_type="VacationResponseRequired").first()
    assert note.url == f"/komme-gaa/ferieanmodninger/{request.id}/barn/{child('Emil').id}/"
    assert note.title == "Sommerferie"


def test_karin_cannot_ask_at_kahytten_and_guardians_cannot_ask():
    monday = next_monday()
    arguments = {
        "title": "Ferie",
        "start_date": monday,
        "end_date": monday + timedelta(days=4),
        "deadline": timezone.localdate(),
        "group_ids": [group("Søstjernerne").id],
    }
    with pytest.raises(NotFound):
        vacation_requests.create_request(viewer("karin"), institution("G10002").id, **arguments)
    for username, role in (("mette", "guardian"), ("birgitte", None), ("thomas", None), ("hanne", None)):
        with pytest.raises(NotFound):
            vacation_requests.create_request(viewer(username, role), institution("G10002").id, **arguments)
    # A group of another institution is refused, even for the leader of both.
    with pytest.raises(InvalidInput):
        vacation_requests.create_request(
            viewer("anders"), institution("G10001").id, **{**arguments, "group_ids": [group("Søstjernerne").id]}
        )
    assert not VacationRequest.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"end_date": -1},  # ends before it starts
        {"deadline_after_start": True},
        {"start_in_past": True},
        {"title": "   "},
    ],
)
def test_a_bad_request_is_refused_and_nothing_is_written(change):
    monday = next_monday()
    arguments = {
        "title": change.get("title", "Ferie"),
        "start_date": monday - timedelta(days=14) if change.get("start_in_past") else monday,
        "end_date": monday + timedelta(days=change.get("end_date", 4)),
        "deadline": monday + timedelta(days=1) if change.get("deadline_after_start") else timezone.localdate(),
        "group_ids": [group("Blå stue").id],
    }
    with pytest.raises(InvalidInput):
        vacation_requests.create_request(viewer("anders"), institution("G10001").id, **arguments)
    assert not VacationRequest.objects.exists()


def test_mette_answers_per_day_and_may_change_the_answer_until_the_deadline():
    request = summer_request()
    emil = child("Emil")
    mette = viewer("mette", "guardian")
    [row] = [r for r in vacation_requests.requests_for_guardian(mette) if r.child.id == emil.id]
    assert row.is_missing_answer and row.is_editable
    answers = coming_all_week()
    answers[2] = DayAnswer(next_week()[2], False)
    vacation_requests.answer_request(mette, request.id, emil.id, answers, "Mormor henter")
    days = {d.date: d for d in VacationResponseDay.objects.filter(response__child=emil)}
    assert len(days) == 5 and not days[next_week()[2]].is_coming
    assert days[next_week()[0]].entry_time == time(8, 0)
    # Jonas, the other parent, changes it: still one answer.
    vacation_requests.answer_request(viewer("jonas", "guardian"), request.id, emil.id, coming_all_week(time(9, 0)))
    assert VacationResponse.objects.filter(request=request, child=emil).count() == 1
    assert VacationResponseDay.objects.get(response__child=emil, date=next_week()[0]).entry_time == time(9, 0)


@pytest.mark.parametrize(
    "broken",
    [
        "outside",  # a day outside the period
        "missing",  # a day left out
        "exit_before_entry",
        "no_times",
        "twice",
    ],
)
def test_bad_answers_change_nothing(broken):
    request = summer_request()
    emil = child("Emil")
    mette = viewer("mette", "guardian")
    vacation_requests.answer_request(mette, request.id, emil.id, coming_all_week())
    answers = coming_all_week(time(7, 0))
    if broken == "outside":
        answers.append(DayAnswer(next_week()[-1] + timedelta(days=7), True, time(8, 0), time(15, 0)))
    elif broken == "missing":
        answers.pop()
    elif broken == "exit_before_entry":
        answers[1] = DayAnswer(next_week()[1], True, time(15, 0), time(8, 0))
    elif broken == "no_times":
        answers[1] = DayAnswer(next_week()[1], True, None, None)
    else:
        answers.append(answers[0])
    with pytest.raises(InvalidInput):
        vacation_requests.answer_request(mette, request.id, emil.id, answers)
    assert set(VacationResponseDay.objects.filter(response__child=emil).values_list("entry_time", flat=True)) == {
        time(8, 0)
    }


def test_an_answer_after_the_deadline_is_refused_with_a_clear_message():
    request = summer_request()
    VacationRequest.objects.filter(pk=request.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    with pytest.raises(InvalidInput) as refused:
        vacation_requests.answer_request(viewer("mette", "guardian"), request.id, child("Emil").id, coming_all_week())
    assert "svarfristen" in refused.value.message.lower()  # Danish is the default language
    assert not VacationResponse.objects.exists()


@pytest.mark.parametrize("username, role", [("peter", "guardian"), ("lars", "guardian"), ("karin", None)])
def test_others_cannot_answer_for_emil(username, role):
    request = summer_request()
    with pytest.raises(NotFound):
        vacation_requests.answer_request(viewer(username, role), request.id, child("Emil").id, coming_all_week())


def test_a_child_outside_the_requested_groups_cannot_be_answered_for():
    request = summer_request(groups=("Grøn stue",))
    with pytest.raises(NotFound):
        vacation_requests.answer_request(viewer("mette", "guardian"), request.id, child("Emil").id, coming_all_week())


def test_staff_see_answers_and_who_has_not_answered_and_remind_them_once_a_day():
    request = summer_request()
    emil = child("Emil")
    vacation_requests.answer_request(viewer("mette", "guardian"), request.id, emil.id, coming_all_week())
    answers = vacation_requests.request_answers(viewer("karin"), request.id)
    assert [r.profile.id for r in answers.answered] == [emil.id]
    assert len(answers.unanswered) == 5  # the other children of Blå stue
    assert answers.coming_on(next_week()[0]) == 1
    written = vacation_requests.send_reminder(viewer("anders"), request.id)
    assert written == 5  # one guardian per filler child; Mette and Jonas have answered
    assert vacation_requests.send_reminder(viewer("karin"), request.id) == 0  # safe to send twice
    reminded = Notification.objects.filter(dedupe_key__startswith=f"vacation:{request.id}:")
    assert reminded.count() == 5
    assert not reminded.filter(person__first_name__in=["Mette", "Jonas"]).exists()
    with pytest.raises(NotFound):
        vacation_requests.request_answers(viewer("mette", "guardian"), request.id)
    with pytest.raises(NotFound):
        vacation_requests.send_reminder(viewer("birgitte"), request.id)
