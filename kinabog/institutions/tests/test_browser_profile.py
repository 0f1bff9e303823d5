"""Changing one's own contact details on the profile page, in a browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from kinabog.core.tests.browser import log_in
from kinabog.institutions.models import Person

pytestmark = pytest.mark.browser


def test_guardian_changes_her_mobile_number_and_a_wrong_number_saves_nothing(page: Page) -> None:
    log_in(page, "mette")
    page.get_by_role("link", name="Profil").click()
    mobile = page.get_by_label("Mobilnummer")
    expect(mobile).to_have_value("20304050")

    mobile.fill("31 41 51 61")
    page.get_by_role("button", name="Gem").click()
    expect(page.locator(".messages")).to_contain_text("Dine kontaktoplysninger er gemt.")
    expect(mobile).to_have_value("31415161")

    mobile.fill("12 34")
    page.get_by_label("E-mail").fill("mette.ny@example.org")
    page.get_by_role("button", name="Gem").click()
    error = page.locator(".field.has-error")
    expect(error).to_have_count(1)
    expect(error.locator("label")).to_have_text("Mobilnummer")
    expect(error.locator(".field-error")).to_contain_text("8 til 15 cifre")
    expect(mobile).to_have_attribute("aria-invalid", "true")
    expect(mobile).to_have_accessible_description("Skriv et telefonnummer med 8 til 15 cifre, f.eks. 20 30 40 50.")
    expect(page.locator(".form-error")).to_contain_text("Intet er gemt")
    expect(page.locator(".messages")).to_have_count(0)

    person = Person.objects.get(login__username="mette")
    assert (person.mobile_phone, person.email) == ("31415161", "mette@example.org")
