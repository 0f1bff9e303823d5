"""Opslag in a browser: karin shares a post, mette sees it on her overview; axe finds nothing serious."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def test_a_picture_in_a_post_and_the_principles_page_at_phone_width(
    open_page: Callable[..., Page], settings: Any, tmp_path: Path
) -> None:
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    picture = io.BytesIO()
    Image.new("RGB", (80, 40), "green").save(picture, "JPEG")
    karin = open_page(DESKTOP)
    log_in(karin, "karin")
    karin.get_by_role("link", name="Skriv et opslag").first.click()
    karin.get_by_label("Titel").fill("Billeder fra stuen")
    karin.get_by_label("Tekst").fill("Se hvad vi byggede i dag.")
    karin.get_by_label("Blå stue", exact=False).first.check()
    karin.get_by_label("Vedhæft filer eller billeder").set_input_files(
        {"name": "klodser.jpg", "mimeType": "image/jpeg", "buffer": picture.getvalue()}
    )
    karin.get_by_role("button", name="Del").click()
    expect(karin.get_by_role("heading", level=1)).to_have_text("Billeder fra stuen")

    mette = open_page(PHONE)
    log_in(mette, "mette")
    expect(mette.locator(".feed").get_by_role("img", name="klodser.jpg")).to_be_visible()
    mette.locator(".feed").get_by_role("link", name="Billeder fra stuen").click()
    expect(mette.get_by_role("img", name="klodser.jpg")).to_be_visible()
    assert serious_axe_violations(mette) == []

    anders = open_page(PHONE)
    log_in(anders, "anders")
    anders.goto("/opslag/anmeldelser/")
    anders.get_by_role("link", name="Børnehuset Katamaranen", exact=True).click()
    anders.get_by_label("Kommunikationsprincipper").fill("Vi skriver venligt.\n\nOgså når vi er uenige.")
    anders.get_by_role("button", name="Gem").click()
    expect(anders.locator(".principles-text")).to_contain_text("Også når vi er uenige.")
    assert serious_axe_violations(anders) == []
