"""Logging in through the form in a real browser, and switching language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from kinabog.core.tests.browser import log_in

pytestmark = pytest.mark.browser


def test_mette_logs_in_sees_both_children_and_switches_language(page: Page) -> None:
    log_in(page, "mette")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "da")
    emil = page.locator(".child-card", has_text="Emil Hansen")
    expect(emil).to_contain_text("Børnehuset Katamaranen")
    expect(emil).to_contain_text("Blå stue")
    sofie = page.locator(".child-card", has_text="Sofie Hansen")
    expect(sofie).to_contain_text("3.B")
    expect(sofie.locator(".institution")).to_have_text(["Havnby Skole", "Havnby Skole SFO"])
    expect(page.get_by_role("heading", name="Dine børn")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Your children")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.get_by_role("button", name="Dansk").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", name="Dine børn")).to_be_visible()


def test_wrong_password_shows_the_error_by_the_form(page: Page) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", "mette")
    page.fill("input[name=password]", "not-her-password")
    page.get_by_role("button", name="Log ind").click()

    error = page.locator("form #login-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("input[name=username]")).to_have_value("mette")
