"""The overview and profile pages on a 360 px phone: no sideways scrolling, and usable by keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from kinabog.core.tests.browser import PHONE, log_in

pytestmark = pytest.mark.browser

# What has focus, and where on the page it is: "skip", "brand", "nav", "tools", "main", ...
FOCUSED = """() => {
  const el = document.activeElement;
  const region = el.matches('.skip-link') ? 'skip' : el.matches('.brand') ? 'brand'
    : el.closest('.mainnav') ? 'nav' : el.closest('.session-tools') ? 'tools'
    : el.closest('.language-form') ? 'language' : el.closest('main') ? 'main' : el.tagName.toLowerCase();
  const name = el.tagName === 'SELECT' ? el.name : (el.textContent || '').trim();
  return region + ':' + name;
}"""


def tab_order(page: Page, presses: int) -> list[str]:
    order = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        order.append(page.evaluate(FOCUSED))
    return order


@pytest.mark.parametrize("username", ["mette", "birgitte", "anders"])
def test_overview_and_profile_do_not_scroll_sideways_on_a_phone(phone_page: Page, username: str) -> None:
    log_in(phone_page, username)
    for path in ("/", "/profil/"):
        phone_page.goto(path)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} as {username} is {width} px wide"


def test_skip_link_nav_role_switch_and_log_out_are_reachable_by_keyboard(phone_page: Page) -> None:
    page = phone_page
    log_in(page, "birgitte")  # teacher and mother: the header has the role switch

    order = tab_order(page, 12)
    assert order[:4] == ["skip:Gå til indholdet", "brand:Kinabog", "nav:Overblik", "nav:Beskeder"], order
    # The rest of the menu depends on what the person uses; it ends with Profil, then the session tools.
    menu_end = order.index("nav:Profil") + 1
    assert all(item.startswith("nav:") for item in order[2:menu_end]), order
    header = order[: order.index("language:English") + 1]
    assert header[menu_end:] == ["tools:role", "tools:Skift", "tools:Log ud", "language:English"], order

    # The skip link takes focus past the header to the content.
    page.reload()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    # Switch role with the keyboard only.
    page.reload()
    tab_order(page, menu_end + 1)
    role = page.locator("#role-select")
    expect(role).to_be_focused()
    role.select_option("guardian")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dine børn")).to_be_visible()

    # And log out.
    log_out = page.get_by_role("button", name="Log ud")
    while page.evaluate(FOCUSED) != "tools:Log ud":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(log_out).to_have_count(0)
