"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against Django's live server.

Loaded for the whole suite from the root conftest. Browser tests are marked `@pytest.mark.browser`;
they run last and only with BROWSER_TESTS=1 (see the root conftest). Playwright is imported lazily so
that a run without browser tests does not need it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from kinabog.demo.havnby import DEMO_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
# Kept short: a page that is not there in a few seconds is a failure, not something to wait for.
TIMEOUT_MS = 5_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole run."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need {CHROMIUM} (Debian package 'chromium'); ./run test installs it in CI.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; Django then refuses ORM calls from it
    # (the fixtures that rebuild the demo) unless told that this thread is not async code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(browser: Browser, live_server: Any, demo: None) -> Iterator[Callable[..., Page]]:
    """Opens a page in a fresh browser context (no cookies) on the live server, at a given viewport."""
    contexts = []

    def open_(viewport: dict[str, int] = DESKTOP) -> Page:
        context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="da-DK")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    """A desktop-sized page on the live server with the demo municipality in the database."""
    return open_page(DESKTOP)


@pytest.fixture
def phone_page(open_page: Callable[..., Page]) -> Page:
    """A page 360 px wide, the narrowest phone the pages are made for."""
    return open_page(PHONE)


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form as a demo person and wait for the overview."""
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action='/login/'] button[type=submit]")
    assert "/login/" not in page.url, f"login as {username} failed"


def serious_axe_violations(page: Page) -> list[str]:
    """axe-core's findings of impact serious or critical on the current page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["html"] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
