"""The month and agenda pages in a browser: a grid on a desktop, a list at 360 px, no serious axe findings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from kinabog.core.tests.browser import DESKTOP, PHONE, log_in, serious_axe_violations

from .test_calendar_views import DAY, karins_event, month_of

pytestmark = pytest.mark.browser


def test_the_month_is_a_grid_on_a_desktop_and_a_list_on_a_phone(open_page: Callable[..., Page]) -> None:
    karins_event()
    desktop = open_page(DESKTOP)
    log_in(desktop, "mette")
    desktop.goto(f"/kalender/maaned/?maaned={month_of(DAY)}")
    expect(desktop.get_by_role("table")).to_be_visible()
    expect(desktop.get_by_role("link", name="Bål i haven")).to_be_visible()
    assert serious_axe_violations(desktop) == []
    desktop.get_by_role("navigation", name="Kalendervisning").get_by_role("link", name="Agenda").click()
    expect(desktop.get_by_role("link", name="Agenda")).to_have_attribute("aria-current", "page")
    assert serious_axe_violations(desktop) == []

    phone = open_page(PHONE)
    log_in(phone, "mette")
    phone.goto(f"/kalender/maaned/?maaned={month_of(DAY)}")
    expect(phone.get_by_role("link", name="Bål i haven")).to_be_visible()
    expect(phone.locator("td.no-items").first).to_be_hidden()  # the list shows only days with something on
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_axe_violations(phone) == []
