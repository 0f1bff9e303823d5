"""Rooms and equipment in a browser: anders adds a room on a phone; the page has no serious axe findings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kinabog.calendar.models import Resource
from kinabog.core.tests.browser import PHONE, log_in, serious_axe_violations
from kinabog.institutions.models import Institution

pytestmark = pytest.mark.browser


def test_anders_adds_a_room_on_a_phone(open_page: Callable[..., Page]) -> None:
    katamaranen = Institution.objects.get(code="G10001")
    phone = open_page(PHONE)
    log_in(phone, "anders")
    phone.goto(f"{reverse('calendar:resources')}?institution={katamaranen.id}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Lokaler og udstyr")
    assert serious_axe_violations(phone) == []
    phone.get_by_label("Navn").fill("Sansrummet")
    phone.get_by_label("Antal pladser").fill("6")
    phone.get_by_role("button", name="Tilføj").click()
    expect(phone.get_by_text("Sansrummet").first).to_be_visible()
    assert Resource.objects.filter(institution=katamaranen, name="Sansrummet", capacity=6).exists()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_axe_violations(phone) == []
