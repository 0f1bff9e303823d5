"""Repeating events through HTTP: karin's weekly swimming for Blå stue, seen by mette on the week page and in
her iCal feed; one time cancelled or moved; bad input and other people's attempts change nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from kinabog.audit.models import AuditEntry
from kinabog.calendar import actions, recurrence
from kinabog.calendar.models import Event, EventException, FeedToken
from kinabog.core.testing import assert_max_queries, sign_in
from kinabog.institutions.models import Group

from .conftest import viewer

pytestmark = pytest.mark.django_db

TUESDAY = 1


def blaa() -> Group:
    return Group.objects.get(name="Blå stue")


def first_tuesday() -> date:
    day = timezone.localdate() + timedelta(days=2)
    return day + timedelta(days=(TUESDAY - day.weekday()) % 7)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def signed_in(username: str, role: str) -> Client:
    client = Client()
    sign_in(client, username, role=role)
    return client


def series_form(first: date, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Svømning",
        "type": "event",
        "group": [blaa().id],
        "starts_at": f"{first.isoformat()}T17:00",
        "ends_at": f"{first.isoformat()}T18:00",
        "place": "Havnby Svømmehal",
        "repeat": "weekly",
        "repeat_interval": "1",
        "repeat_weekdays": [str(TUESDAY)],
        "repeat_until": (first + timedelta(days=21)).isoformat(),
    }
    data.update(changes)
    return data


def swimming(first: date, title: str = "Svømning", **changes: object) -> Event:
    """Karin's swimming for Blå stue: Tuesdays 17–18, four times."""
    values: dict[str, object] = {
        "title": title,
        "starts_at": at(first, 17),
        "ends_at": at(first, 18),
        "group_ids": (blaa().id,),
        "repeat": "weekly",
        "repeat_weekdays": (TUESDAY,),
        "repeat_until": first + timedelta(days=21),
    }
    values.update(changes)
    return actions.create_event(viewer("karin", "employee"), actions.EventInput(**values))  # type: ignore[arg-type]


def week_page(client: Client, day: date) -> str:
    return client.get(reverse("calendar:week"), {"uge": day.isoformat()}).content.decode()


def test_karin_creates_a_weekly_series_and_mette_sees_each_time_until_its_end() -> None:
    first = first_tuesday()
    karin = signed_in("karin", "employee")
    response = karin.post(reverse("calendar:create_event"), series_form(first))
    assert response.status_code == 302
    event = Event.objects.get(title="Svømning")
    assert (event.repeat, event.repeat_weekdays, event.repeat_until) == ("weekly", 1 << TUESDAY, first + timedelta(21))
    assert AuditEntry.objects.filter(action="create_event", object_id=str(event.id)).exists()

    mette = signed_in("mette", "guardian")
    for week in range(4):
        assert "Svømning" in week_page(mette, first + timedelta(weeks=week))
    assert "Svømning" not in week_page(mette, first + timedelta(weeks=4))

    page = mette.get(reverse("calendar:event", args=[event.id])).content.decode()
    with translation.override("da"):
        described = recurrence.describe(event)
    assert described.startswith("Hver uge tirsdag, til ") and described in page
    assert reverse("calendar:edit_event", args=[event.id]) not in page and "Aflys denne gang" not in page


def test_the_week_page_reads_series_in_a_fixed_number_of_queries() -> None:
    first = first_tuesday()
    mette = signed_in("mette", "guardian")
    swimming(first)
    week_page(mette, first)
    with assert_max_queries(100) as few:
        week_page(mette, first)
    for i in range(4):
        event = swimming(first, title=f"Serie {i}", repeat="daily", repeat_weekdays=())
        EventException.objects.create(event=event, occurrence_date=first + timedelta(days=1), cancelled=True)
    with assert_max_queries(len(few)):
        page = week_page(mette, first)
    assert "Serie 3" in page


def test_karin_cancels_one_time_and_it_leaves_the_week_page_and_the_feed() -> None:
    first = first_tuesday()
    event = swimming(first)
    second = first + timedelta(weeks=1)
    karin = signed_in("karin", "employee")
    url = reverse("calendar:cancel_occurrence", args=[event.id])
    assert "Aflys denne gang" in karin.get(url, {"dato": second.isoformat()}).content.decode()
    assert karin.post(url, {"dato": second.isoformat()}).status_code == 302
    exception = EventException.objects.get(event=event, occurrence_date=second)
    assert exception.cancelled
    assert AuditEntry.objects.filter(action="cancel_occurrence", object_id=str(exception.id)).exists()

    mette = signed_in("mette", "guardian")
    assert "Svømning" not in week_page(mette, second)
    assert "Svømning" in week_page(mette, first)
    mette.post(reverse("calendar:feed_settings"), {"action": "regenerate"})
    token = FeedToken.objects.get(person__login__username="mette").token
    feed = Calendar.from_ical(Client().get(reverse("calendar:ical", args=[token])).content)
    starts = sorted(
        timezone.localtime(item.decoded("dtstart")).date()
        for item in feed.walk("VEVENT")
        if str(item.get("summary")) == "Svømning"
    )
    assert starts == [first, first + timedelta(weeks=2), first + timedelta(weeks=3)]

    # The staff page lists the change and can undo it.
    page = karin.get(reverse("calendar:event", args=[event.id])).content.decode()
    assert "aflyst" in page
    karin.post(reverse("calendar:restore_occurrence", args=[event.id]), {"dato": second.isoformat()})
    assert not EventException.objects.filter(event=event).exists()
    assert "Svømning" in week_page(mette, second)


def test_karin_moves_one_time() -> None:
    first = first_tuesday()
    event = swimming(first)
    third = first + timedelta(weeks=2)
    karin = signed_in("karin", "employee")
    url = reverse("calendar:move_occurrence", args=[event.id])
    form = karin.get(url, {"dato": third.isoformat()}).content.decode()
    assert "Flyt denne gang" in form and f'value="{third.isoformat()}T17:00"' in form
    wednesday = third + timedelta(days=1)
    response = karin.post(
        url,
        {"dato": third.isoformat(), "starts_at": f"{wednesday.isoformat()}T10:00", "ends_at": f"{wednesday}T11:00"},
    )
    assert response.status_code == 302
    exception = EventException.objects.get(event=event, occurrence_date=third)
    assert timezone.localtime(exception.starts_at).hour == 10 and not exception.cancelled
    assert AuditEntry.objects.filter(action="move_occurrence", object_id=str(exception.id)).exists()

    page = week_page(signed_in("mette", "guardian"), third)
    assert page.count("Svømning") == 1
    assert "10:00–11:00" in page and "17:00–18:00" not in page and "flyttet" in page


def test_a_time_cannot_be_moved_out_of_the_series_nor_a_date_it_does_not_have() -> None:
    first = first_tuesday()
    event = swimming(first)
    karin = signed_in("karin", "employee")
    url = reverse("calendar:move_occurrence", args=[event.id])
    after_end = first + timedelta(days=22)
    before_start = first - timedelta(days=1)
    for day, start, end in [
        (first, after_end, after_end),  # after the last date
        (first, before_start, before_start),  # before the first time
        (first + timedelta(days=1), first + timedelta(days=1), first + timedelta(days=1)),  # a Wednesday
        (first, first + timedelta(days=7), first + timedelta(days=6)),  # ends before it starts
    ]:
        response = karin.post(url, {"dato": day.isoformat(), "starts_at": f"{start}T10:00", "ends_at": f"{end}T11:00"})
        assert response.status_code == 400
        assert 'class="form-error" role="alert"' in response.content.decode()
    cancel = karin.post(
        reverse("calendar:cancel_occurrence", args=[event.id]), {"dato": (first + timedelta(days=1)).isoformat()}
    )
    assert cancel.status_code == 400 and "Serien har ingen gang den dato" in cancel.content.decode()
    assert karin.get(reverse("calendar:cancel_occurrence", args=[event.id]), {"dato": "not-a-date"}).status_code == 404
    assert karin.get(url, {"dato": "2025-02-30"}).status_code == 404
    assert not EventException.objects.filter(event=event).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"repeat_weekdays": []}, "Vælg mindst én ugedag."),
        ({"repeat_until": ""}, "Vælg den sidste dato for gentagelsen."),
        ({"repeat_until": "2000-01-01"}, "Den sidste dato kan ikke være før den første dato."),
        ({"repeat_until": "2099-01-01"}, "kan højst gentages i 732 dage"),
        ({"ends_at": "2000-01-01T08:00"}, "Begivenheden kan ikke slutte, før den begynder."),
    ],
)
def test_a_series_that_cannot_be_is_refused_with_a_message(changes: dict[str, object], message: str) -> None:
    karin = signed_in("karin", "employee")
    response = karin.post(reverse("calendar:create_event"), series_form(first_tuesday(), **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Event.objects.filter(title="Svømning").exists()


def test_only_those_managing_the_event_change_it() -> None:
    event = swimming(first_tuesday())
    day = {"dato": timezone.localtime(event.starts_at).date().isoformat()}
    pages = [
        reverse("calendar:edit_event", args=[event.id]),
        reverse("calendar:delete_event", args=[event.id]),
        reverse("calendar:cancel_occurrence", args=[event.id]),
        reverse("calendar:move_occurrence", args=[event.id]),
    ]
    for username, role in [("mette", "guardian"), ("birgitte", "employee"), ("peter", "guardian")]:
        client = signed_in(username, role)
        for url in pages:
            assert client.get(url, day).status_code == 404
            assert client.post(url, {**series_form(first_tuesday(), title="Overtaget"), **day}).status_code == 404
        assert client.post(reverse("calendar:restore_occurrence", args=[event.id]), day).status_code == 404
    event.refresh_from_db()
    assert event.title == "Svømning" and not EventException.objects.filter(event=event).exists()
    # Anders leads Katamaranen and handles its events.
    assert signed_in("anders", "employee").get(pages[0]).status_code == 200


def test_the_event_page_of_a_series_takes_a_fixed_number_of_queries() -> None:
    first = first_tuesday()
    event = swimming(first, repeat="daily", repeat_weekdays=())
    karin = signed_in("karin", "employee")
    url = reverse("calendar:event", args=[event.id])
    EventException.objects.create(event=event, occurrence_date=first + timedelta(days=1), cancelled=True)
    karin.get(url)
    with assert_max_queries(100) as few:
        karin.get(url)
    for offset in (2, 3, 4):
        EventException.objects.create(event=event, occurrence_date=first + timedelta(days=offset), cancelled=True)
    with assert_max_queries(len(few)):
        page = karin.get(url, {"dato": (first + timedelta(days=5)).isoformat()}).content.decode()
    assert "Aflys denne gang" in page and "Denne gang" in page
