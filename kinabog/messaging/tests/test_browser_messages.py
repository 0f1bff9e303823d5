"""Beskeder in a browser: writing, the unread badge, answering; keyboard, phone width, no JavaScript, axe."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from kinabog.core.tests.browser import DESKTOP, PHONE, TIMEOUT_MS, log_in, serious_axe_violations
from kinabog.messaging.models import Message, Thread

pytestmark = pytest.mark.browser


def choose_recipient(page: Page, typed: str, name: str) -> None:
    """Type in the recipient search and pick the suggestion with the keyboard."""
    search = page.get_by_role("combobox", name="Find modtager")
    search.press_sequentially(typed, delay=20)
    option = page.get_by_role("option", name=re.compile(name))
    expect(option).to_be_visible()
    search.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    search.press("Enter")
    expect(page.get_by_role("checkbox", name=re.compile(name))).to_be_checked()
    expect(search).to_have_value("")
    expect(search).to_be_focused()


def test_mette_writes_to_karin_who_sees_it_unread_and_answers(open_page: Callable[..., Page]) -> None:
    mette = open_page(DESKTOP)
    log_in(mette, "mette")
    mette.locator(".mainnav").get_by_role("link", name="Beskeder").click()
    expect(mette.get_by_text("Du har ingen beskeder endnu")).to_be_visible()
    mette.get_by_role("link", name="Ny besked").click()
    choose_recipient(mette, "Karin", "Karin Jensen")
    mette.get_by_label("Emne").fill("Emil hentes tidligt")
    mette.get_by_label("Besked", exact=True).fill("Hej Karin\n\nEmil bliver hentet kl. 14 i dag.")
    mette.get_by_role("button", name="Send", exact=True).click()
    expect(mette.get_by_role("heading", level=1)).to_have_text("Emil hentes tidligt")
    expect(mette.locator(".messages")).to_contain_text("Din besked er sendt.")

    karin = open_page(DESKTOP)
    log_in(karin, "karin")
    messages_link = karin.locator(".mainnav").get_by_role("link", name="Beskeder 1 ulæste")
    expect(messages_link).to_be_visible()
    messages_link.click()
    row = karin.locator(".thread-row.unread")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Mette Hansen")
    expect(row).to_contain_text("Ulæst")
    row.get_by_role("link").click()
    expect(karin.locator(".message-text")).to_contain_text("Emil bliver hentet kl. 14 i dag.")
    expect(karin.locator(".mainnav .badge")).to_have_count(0)
    karin.get_by_label("Dit svar").fill("Tak, det er noteret.")
    karin.get_by_role("button", name="Send svar").click()
    expect(karin.locator(".messages")).to_contain_text("Dit svar er sendt.")
    expect(karin.locator(".message-item")).to_have_count(2)

    mette.goto("/beskeder/")
    expect(mette.locator(".mainnav .badge")).to_have_text(re.compile(r"^1"))
    mette.locator(".thread-row.unread").get_by_role("link").click()
    expect(mette.locator(".message-item").nth(1)).to_contain_text("Karin Jensen")
    expect(mette.locator(".message-item").nth(1)).to_contain_text("Tak, det er noteret.")


def test_errors_are_announced_next_to_the_field_and_nothing_is_sent(page: Page) -> None:
    log_in(page, "mette")
    page.goto("/beskeder/ny/")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".form-error")).to_have_attribute("role", "alert")
    subject = page.get_by_label("Emne")
    expect(subject).to_have_attribute("aria-invalid", "true")
    expect(subject).to_have_accessible_description("Skriv et emne.")

    subject.fill("Hentning")
    page.get_by_label("Besked", exact=True).fill("Emil hentes kl. 14.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#recipients-error")).to_have_text("Vælg mindst én modtager.")
    expect(page.get_by_role("combobox", name="Find modtager")).to_have_accessible_description(
        re.compile("Vælg mindst én modtager.")
    )
    expect(page.get_by_label("Besked", exact=True)).to_have_value("Emil hentes kl. 14.")

    choose_recipient(page, "Kar", "Karin Jensen")
    subject.fill("")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(subject).to_have_accessible_description("Skriv et emne.")
    expect(page.get_by_role("checkbox", name=re.compile("Karin Jensen"))).to_be_checked()
    assert not Thread.objects.exists()


def test_without_javascript_the_find_button_lists_recipients_to_tick(
    browser: Browser, live_server: Any, demo: None
) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="da-DK")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        log_in(page, "mette")
        page.goto("/beskeder/ny/")
        page.get_by_label("Find modtager").fill("Karin")
        page.get_by_role("button", name="Find modtager").click()
        page.get_by_role("checkbox", name=re.compile("Karin Jensen")).check()
        page.get_by_label("Emne").fill("Uden JavaScript")
        page.get_by_label("Besked", exact=True).fill("Det virker også sådan.")
        page.get_by_role("button", name="Send", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Uden JavaScript")
        assert Message.objects.filter(thread__subject="Uden JavaScript").count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_inbox_thread_and_compose_pass_axe_and_fit_a_phone(
    open_page: Callable[..., Page], viewport: dict[str, int]
) -> None:
    findings: list[str] = []
    wide: list[str] = []

    def check(page: Page) -> None:
        findings.extend(serious_axe_violations(page))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            wide.append(f"{page.url} is {width} px wide")

    page = open_page(viewport)
    log_in(page, "mette")
    page.goto("/beskeder/")
    check(page)  # the empty state
    page.goto("/beskeder/ny/")
    check(page)
    choose_recipient(page, "Karin", "Karin Jensen")
    page.get_by_label("Find modtager").fill("Blå")
    page.get_by_role("button", name="Find modtager").click()
    expect(page.locator(".found")).to_be_visible()
    check(page)  # search results, with a group's role filter
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".field-error").first).to_be_visible()
    check(page)  # errors
    page.get_by_label("Emne").fill("En ganske lang emnelinje om Emils madpakke, tøj og hentning i næste uge")
    page.get_by_label("Besked", exact=True).fill(
        "Hej Karin\n\nEn besked med et langt ord: Børnehaveklasselederstillingsopslag."
    )
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".message-item")).to_have_count(1)
    check(page)  # the thread
    page.goto("/beskeder/")
    check(page)  # the inbox with a thread

    staff = open_page(viewport)
    log_in(staff, "karin")
    staff.goto("/beskeder/")
    check(staff)  # unread, with folders
    staff.locator(".thread-row").get_by_role("link").click()
    expect(staff.get_by_text("Hvem har læst tråden")).to_be_visible()
    check(staff)  # thread with staff tools and read status

    assert not findings, "\n".join(findings)
    assert not wide, "\n".join(wide)
