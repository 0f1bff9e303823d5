"""Kalender in a browser: mette books a samtale time for Sofie; the pages pass axe."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from kinabog.calendar.models import Booking, Event
from kinabog.core.tests.browser import DESKTOP, log_in, serious_axe_violations

from .conftest import sofie

pytestmark = pytest.mark.browser


def test_mette_books_a_time_for_sofie(open_page: Callable[..., Page], conference: Event) -> None:
    page = open_page(DESKTOP)
    log_in(page, "mette")
    page.goto(f"/kalender/samtaler/{conference.id}/book/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Skole-hjem-samtaler")
    assert serious_axe_violations(page) == []
    page.get_by_label("14:15–14:30").check()
    page.get_by_role("button", name="Book tid").click()
    expect(page.locator(".messages")).to_contain_text("Tiden er booket.")
    expect(page.locator(".booked")).to_contain_text("14:15")
    assert Booking.objects.filter(event=conference, child=sofie()).exists()
    page.locator(".mainnav").get_by_role("link", name="Kalender").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kalender")
    assert serious_axe_violations(page) == []
