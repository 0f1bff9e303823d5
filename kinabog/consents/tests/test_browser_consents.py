"""Samtykker in a browser: the guardian's page on a phone and the staff overview, with no serious axe findings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kinabog.core.tests.browser import DESKTOP, PHONE, log_in, serious_axe_violations
from kinabog.institutions.models import Group

pytestmark = pytest.mark.browser


def test_mette_reads_her_childrens_consents_on_a_phone(open_page: Callable[..., Page]) -> None:
    phone = open_page(PHONE)
    log_in(phone, "mette")
    phone.goto(reverse("consents:index"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Samtykker")
    expect(phone.get_by_text("Emil", exact=False).first).to_be_visible()
    # Answering needs step-up: at level 2 the page says so and links to it.
    expect(phone.get_by_role("link", name="Bekræft, at det er dig")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_axe_violations(phone) == []


def test_karin_sees_the_overview_of_blaa_stue(open_page: Callable[..., Page]) -> None:
    group = Group.objects.get(name="Blå stue")
    desktop = open_page(DESKTOP)
    log_in(desktop, "karin")
    desktop.goto(reverse("consents:group", args=[group.id]))
    expect(desktop.get_by_role("table")).to_be_visible()
    expect(desktop.get_by_role("rowheader", name="Emil Hansen")).to_be_visible()
    assert serious_axe_violations(desktop) == []
