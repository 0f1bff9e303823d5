"""The private iCal feed: valid iCalendar with the booking; unknown and revoked tokens are 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from kinabog.calendar import actions
from kinabog.calendar.models import Event, FeedToken, TimeSlot
from kinabog.core.testing import sign_in

from .conftest import sofie, viewer

pytestmark = pytest.mark.django_db


def test_jonas_subscribes_and_the_feed_holds_the_booking(client: Client, conference: Event) -> None:
    slot = TimeSlot.objects.filter(event=conference).first()
    assert slot is not None
    actions.book(viewer("mette", "guardian"), conference.id, slot.id, sofie().id)
    sign_in(client, "jonas", role="guardian")
    client.post(reverse("calendar:feed_settings"), {"action": "regenerate"})
    token = FeedToken.objects.get(person__login__username="jonas").token
    assert token in client.get(reverse("calendar:feed_settings")).content.decode()

    response = Client().get(reverse("calendar:ical", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = {str(c.get("summary")): c for c in calendar.walk("VEVENT")}
    booking = summaries["Skole-hjem-samtaler: Sofie Hansen"]
    assert booking.decoded("dtstart") == slot.starts_at
    assert str(booking.get("location")) == "Lokale 12"


def test_unknown_revoked_and_replaced_tokens_are_404(client: Client) -> None:
    assert Client().get(reverse("calendar:ical", args=["not-a-token"])).status_code == 404
    sign_in(client, "mette", role="guardian")
    client.post(reverse("calendar:feed_settings"), {"action": "regenerate"})
    first = FeedToken.objects.get(person__login__username="mette").token
    client.post(reverse("calendar:feed_settings"), {"action": "regenerate"})
    second = FeedToken.objects.get(person__login__username="mette").token
    assert Client().get(reverse("calendar:ical", args=[first])).status_code == 404
    assert Client().get(reverse("calendar:ical", args=[second])).status_code == 200
    client.post(reverse("calendar:feed_settings"), {"action": "revoke"})
    assert Client().get(reverse("calendar:ical", args=[second])).status_code == 404
