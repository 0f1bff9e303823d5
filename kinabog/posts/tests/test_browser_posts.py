"""Opslag in a browser: karin shares a post, mette sees it on her overview; axe finds nothing serious."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from kinabog.core.tests.browser import DESKTOP, PHONE, log_in, serious_axe_violations

pytestmark = pytest.mark.browser


def test_karin_shares_a_post_that_mette_sees_on_her_overview(open_page: Callable[..., Page]) -> None:
    karin = open_page(DESKTOP)
    log_in(karin, "karin")
    karin.get_by_role("link", name="Skriv et opslag").first.click()
    karin.get_by_label("Titel").fill("Tur i skoven fredag")
    karin.get_by_label("Tekst").fill("Husk tøj til alt slags vejr.")
    karin.get_by_label("Blå stue", exact=False).first.check()
    karin.get_by_role("button", name="Del").click()
    expect(karin.get_by_role("heading", level=1)).to_have_text("Tur i skoven fredag")

    mette = open_page(PHONE)
    log_in(mette, "mette")
    feed = mette.locator(".feed")
    expect(feed).to_contain_text("Tur i skoven fredag")
    assert serious_axe_violations(mette) == []
    feed.get_by_role("link", name="Tur i skoven fredag").click()
    mette.get_by_label("Din kommentar").fill("Dejligt!")
    mette.get_by_role("button", name="Tilføj kommentar").click()
    expect(mette.locator(".comment-list")).to_contain_text("Dejligt!")
    assert serious_axe_violations(mette) == []
